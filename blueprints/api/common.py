"""Helpers shared by the API resources: who may call, paged lists, resources from a table."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar

from flask import abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema
from sqlalchemy import Select

from linkage.extensions import PROBLEM_CONTENT_TYPE, db
from linkage.schemas.common import envelope, page_of
from linkage.security import AUTHENTICATED, PUBLIC, allow
from linkage.services.paging import paginate
from linkage.services.valuechain.history import WithHistory, with_history
from models import Role

F = TypeVar("F", bound=Callable[..., Any])


def _document_refusals(view: F, statuses: tuple[int, ...]) -> F:
    """Add the problem+json answers of these statuses to the view's documented responses
    (those it already documents are kept as they are)."""
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    responses = apidoc.setdefault("response", {}).setdefault("responses", {})
    for status in statuses:
        if status not in responses and str(status) not in responses:
            responses[status] = [HTTPStatus(status).name]
    view._apidoc = apidoc  # type: ignore[attr-defined]
    return view


def refuses(*statuses: int) -> Callable[[F], F]:
    """Document the refusals an API method may answer besides 401/403 (from `api_allow`)
    and 422 (from its arguments): 404 for a record it names that does not exist or lies
    outside the caller's scope, 409 for a request the records' current state forbids."""

    def decorate(view: F) -> F:
        return _document_refusals(view, statuses)

    return decorate


def api_allow(*audience: Role | str) -> Callable[[F], F]:
    """`allow()` for API methods, also documenting the bearer security in OpenAPI and the
    answers of the guard: 401 without a valid token, 403 for a role not in the audience."""

    def decorate(view: F) -> F:
        guarded = allow(*audience)(view)
        parameters = getattr(guarded, "_apidoc", {}).get("arguments", {}).get("parameters", [])
        if any(p["in"] == "json" for p in parameters):
            guarded = _document_refusals(guarded, (400,))  # a body that is not JSON
        if PUBLIC not in audience:
            apidoc = deepcopy(getattr(guarded, "_apidoc", {}))
            manual = apidoc.setdefault("manual_doc", {})
            manual["security"] = [{"bearerAuth": []}]
            roles = ", ".join(sorted(str(a) for a in audience))
            manual.setdefault("description", f"Who may call: {roles}.")
            guarded._apidoc = apidoc  # type: ignore[attr-defined]
            refusals = (401,) if AUTHENTICATED in audience else (401, 403)
            guarded = _document_refusals(guarded, refusals)
        return guarded

    return decorate


def operation(
    blp: Blueprint,
    audience: tuple[Role | str, ...],
    *,
    body: type[Schema] | None = None,
    answer: type[Schema] | None = None,
    status: int = 200,
    refused: tuple[int, ...] = (),
    **body_options: Any,
) -> Callable[[F], F]:
    """The decorators of an API method in their order: who may call (`api_allow`), what the
    records may refuse besides the request's shape (`refuses`), its JSON `body` (options to
    `blp.arguments`) and its `answer` with its `status`."""

    def decorate(view: F) -> F:
        if answer is not None:
            view = blp.response(status, answer)(view)
        if body is not None:
            view = blp.arguments(body, **body_options)(view)
        if refused:
            view = refuses(*refused)(view)
        return api_allow(*audience)(view)

    return decorate


def saved_with_history(kind: str, record: Any) -> WithHistory:
    """Commit a correction or void and answer the record with its history."""
    db.session.commit()
    return with_history(kind, record)


def csv_import(
    blp: Blueprint, body: dict[str, Any], answer: type[Schema], problems: type[Schema], by: str
) -> Any:
    """An all-or-nothing CSV import's request `body`, its answer (201) and its 422: the
    file's problems (`by` row, or row and field); nothing was imported."""

    def decorate(view: F) -> F:
        view = blp.alt_response(
            422,
            schema=problems,
            content_type=PROBLEM_CONTENT_TYPE,
            description=f"Problems found in the file, by {by}; nothing was imported",
        )(view)
        return blp.doc(requestBody=body)(blp.response(201, answer)(view))

    return decorate


def paged(
    blp: Blueprint, arguments: type[Schema], items: type[Schema], **options: Any
) -> Callable[[Callable[..., Select]], Callable[..., dict[str, Any]]]:
    """A list's GET: its query `arguments` (with `page` and `per_page`) and its answer, the
    page of `items` in the envelope (`page_of`); the method returns the query of all rows.
    `options` go to `blp.arguments` (`unknown=RAISE`...)."""

    def decorate(method: Callable[..., Select]) -> Callable[..., dict[str, Any]]:
        @wraps(method)
        def listed(self: Any, args: dict[str, Any], *more: Any, **path: Any) -> dict[str, Any]:
            statement = method(self, args, *more, **path)
            return envelope(paginate(statement, args["page"], args["per_page"]))

        answered = blp.response(200, page_of(items))(listed)
        return blp.arguments(arguments, location="query", **options)(answered)

    return decorate


def method_view(name: str, **methods: Callable[..., Any]) -> type[MethodView]:
    """A MethodView class named `name` with these methods, for resources built from a table
    (the class name is the endpoint's)."""
    return type(name, (MethodView,), {**methods, "__qualname__": name})


def not_found() -> None:
    abort(404, _("Not found."))


MAX_REPORTED_ERRORS = 1000  # problems of a refused import listed in its answer


def refused_import(error: Any) -> tuple[list[Any], str]:
    """Roll back a refused all-or-nothing import (ImportRejected): its first problems and
    the answer's detail, saying when some were left out."""
    db.session.rollback()
    shown = error.errors[:MAX_REPORTED_ERRORS]
    detail = error.message
    if len(error.errors) > len(shown):
        detail += " " + _("Only the first %(n)d problems are listed.", n=len(shown))
    return shown, detail
