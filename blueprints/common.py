"""The page toolkit shared by every HTML blueprint: a list's page number and status filter,
a service's refusal shown on its form, a safe `next` target, the date of a moment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import flash, request
from flask_babel import format_date, get_locale

from linkage.extensions import db
from linkage.services.errors import DomainError
from linkage.services.paging import MAX_PAGE
from models import OrderStatus


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


def safe_next(target: str | None) -> str | None:
    """A same-site relative path, or None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def day(moment: datetime | date | None) -> str:
    """The Vietnam-time date of a moment (people record deliveries by the day): 03/01/2026."""
    if moment is None:
        return ""
    return format_date(moment, "dd/MM/yyyy" if str(get_locale()) == "vi" else "medium")


def status_argument() -> OrderStatus | None:
    """The `?status=` filter, None when absent or unknown."""
    value = request.args.get("status") or ""
    return OrderStatus(value) if value in OrderStatus._value2member_map_ else None
