"""The page toolkit shared by every HTML blueprint: a list's page number and status filter,
a service call committed or its refusal shown on the form, a safe `next` target, the date of
a moment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from linkage.extensions import db
from linkage.plain_text import has_control_characters
from linkage.services.errors import DomainError
from linkage.services.households import ImportRejected
from linkage.services.paging import MAX_PAGE, Page, paginate
from models import OrderStatus

T = TypeVar("T")


def page_number() -> int:
    """The `?page=` argument; 1 when absent, not a number or outside 1 .. MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return page if 1 <= page <= MAX_PAGE else 1


def page_of(statement: Any, per_page: int) -> Page[Any]:
    """The page of `statement` the query string asks for (`?page=`), `per_page` rows."""
    return paginate(statement, page_number(), per_page)


def show_refusal(form: Any, error: DomainError, fields: Mapping[str, str] | None = None) -> None:
    """Roll back and show a service's refusal next to its field, or above the page when no
    field of `form` (None: no form) matches; out of scope (404 without a field) stays a 404.
    `fields` maps a service's field name to the form's where they differ. The refusal is
    kept as `form.refusal`, for a page that answers with its status."""
    if error.status == 404 and error.field is None:
        raise error
    db.session.rollback()
    name = (fields or {}).get(error.field or "", error.field)
    if form is not None:
        form.refusal = error
    if form is not None and name and name in form:
        form[name].errors = [*form[name].errors, error.message]
        form._errors = None  # form.errors is cached
    else:
        flash(error.message, "error")


def commit_or_refuse(
    form: Any,
    action: Callable[[], T],
    done: str | Callable[[T], str] | None = None,
    *,
    fields: Mapping[str, str] | None = None,
) -> T | None:
    """Call a service (`action`) and commit, then flash `done` (a message, or one made from
    the action's result) and return the result; an action that returns nothing gives True.
    When the service refuses (DomainError), roll back, show the refusal on `form`
    (show_refusal) and return None."""
    try:
        result = action()
    except DomainError as error:
        show_refusal(form, error, fields)
        return None
    db.session.commit()
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    return True if result is None else result  # type: ignore[return-value]


def commit_import(action: Callable[[], int]) -> tuple[int, ImportRejected | None]:
    """Run an all-or-nothing import and commit it: (rows imported, None); when the file is
    refused, roll back and return (0, the problems by row)."""
    try:
        count = action()
    except ImportRejected as error:
        db.session.rollback()
        return 0, error
    db.session.commit()
    return count, None


def form_status(form: Any) -> int:
    """The status of a page with a form: 422 while the form shows errors, else 200."""
    return 422 if form.errors else 200


def see_other(endpoint: str, **values: Any) -> Response:
    """303 See Other to an endpoint of the app: where a page goes after a POST (the browser
    then GETs it; reloading does not post again)."""
    return redirect(url_for(endpoint, **values), 303)


def safe_next(target: str | None) -> str | None:
    """A same-site relative path, or None (no open redirects; no line break, which cannot go
    in a Location header, and no backslash, which browsers read as a slash: `/\\evil.example`)."""
    if not target or has_control_characters(target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def status_argument() -> OrderStatus | None:
    """The `?status=` filter, None when absent or unknown."""
    value = request.args.get("status") or ""
    return OrderStatus(value) if value in OrderStatus._value2member_map_ else None
