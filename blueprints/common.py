"""The page toolkit shared by every HTML blueprint: the page number of a list and a
service's refusal shown on its form."""

from __future__ import annotations

from typing import Any

from flask import flash, request

from linkage.extensions import db
from linkage.services.errors import DomainError
from linkage.services.paging import MAX_PAGE


def page_number() -> int:
    """The `?page=` argument; 1 when absent, not a number or outside 1 .. MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return page if 1 <= page <= MAX_PAGE else 1


def show_refusal(form: Any, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """A service's refusal next to its field (or above the form); out of scope stays a 404.
    `fields` maps a service's field name to the form's where they differ."""
    if error.status == 404 and error.field is None:
        raise error
    db.session.rollback()
    name = (fields or {}).get(error.field or "", error.field)
    if name and name in form:
        form[name].errors = [*form[name].errors, error.message]
        form._errors = None  # form.errors is cached
    else:
        flash(error.message, "error")
