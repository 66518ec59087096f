"""One error handler for the whole app: problem+json under /api/, friendly HTML elsewhere.

The services raise their own errors (`linkage.services.errors`, no web import there); this
module only maps them, and Werkzeug's HTTP errors, to statuses, problem+json bodies and pages.
"""

from __future__ import annotations

import contextlib
import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sql_errors
from werkzeug.exceptions import HTTPException, SecurityError

from linkage.extensions import PROBLEM_CONTENT_TYPE, db, login_manager
from linkage.security import is_api_request
from linkage.services.errors import DomainError

log = logging.getLogger(__name__)


HTML_TITLES = {
    401: _l("Please log in"),
    405: _l("This action is not allowed here"),
    409: _l("This conflicts with the current state"),
    413: _l("The file is too large"),
    415: _l("This kind of file is not accepted"),
    422: _l("Some values are not valid"),
    503: _l("The service is unavailable for a moment"),
}

# a lost or refused database connection (also SQLite's "unable to open", "database is locked")
# and a connection pool with none free: the request may succeed again shortly
DATABASE_UNAVAILABLE = (
    sql_errors.OperationalError,
    sql_errors.InterfaceError,
    sql_errors.TimeoutError,
)
RETRY_AFTER_SECONDS = 30


def html_title(status: int) -> str:
    """A translated title for an HTML error page."""
    return str(HTML_TITLES.get(status, _l("The request could not be completed")))


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_CONTENT_TYPE
    return response


def _field_errors(error: HTTPException) -> dict[str, list[str]] | None:
    """webargs puts {location: {field: [messages]}} in error.data; flatten the locations."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    flat: dict[str, list[str]] = {}
    for _location, fields in messages.items():
        if not isinstance(fields, dict):
            flat.setdefault("_schema", []).extend(map(str, _as_list(fields)))
            continue
        for name, msgs in fields.items():
            flat.setdefault(str(name), []).extend(_flatten(msgs))
    return flat


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            out.extend(_flatten(value, f"{prefix}{key}: "))
        return out
    return [f"{prefix}{m}" for m in _as_list(messages)]


def handle_http_exception(error: HTTPException) -> Any:
    if error.response is not None and error.code in (301, 302, 303, 307, 308):
        return error.response  # a login redirect raised by the access guard
    status = error.code or 500
    if is_api_request():
        extra: dict[str, Any] = {}
        if status == 422 and (errors := _field_errors(error)):
            extra["errors"] = errors
        detail = error.description if status != 500 else None
        response = problem(status, error.name, detail, **extra)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # keeps Allow on 405, Retry-After on 429
        return response
    template = f"errors/{status}.html" if status in (400, 403, 404, 429) else "errors/error.html"
    return render_template(template, status=status, name=html_title(status)), status


def handle_domain_error(error: DomainError) -> Any:
    db.session.rollback()
    if is_api_request():
        extra = {"errors": {error.field: [error.message]}} if error.field else {}
        return problem(error.status, HTTPStatus(error.status).phrase, error.message, **extra)
    if error.status == 404:
        return render_template("errors/404.html", status=404), 404
    return render_template(
        "errors/error.html", status=error.status, name=error.message
    ), error.status


def handle_unexpected(error: Exception) -> Any:
    """Log the stack trace; the user sees a plain message and never the trace."""
    log.exception("Unhandled error: %s", error)
    db.session.rollback()
    if is_api_request():
        return problem(500, "Internal Server Error", _("An unexpected error occurred."))
    return render_template("errors/error.html", status=500, name=html_title(500)), 500


def handle_database_unavailable(error: Exception) -> Any:
    """503 with Retry-After. The log holds the error without the statement's values
    (`hide_parameters`) and without the stack trace, which says nothing more here."""
    log.error("Database unavailable: %s", error)
    with contextlib.suppress(sql_errors.SQLAlchemyError):  # the pool replaces a lost connection
        db.session.rollback()
    # the page must not ask the database again: who is logged in cannot be read now
    g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        response = problem(503, "Service Unavailable", _("The database cannot be reached."))
        response.headers.update(headers)
        return response
    return render_template("errors/503.html", status=503), 503, headers


def handle_untrusted_host(_error: SecurityError) -> Response:
    """A Host outside TRUSTED_HOSTS: no page can be made (its links need the host)."""
    return Response("Bad Request: this host is not served here.\n", 400, mimetype="text/plain")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
