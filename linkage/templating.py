"""Template filters and globals: money, quantities, dates, the language switch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from jinja2 import pass_context

from linkage.charts import UNITS_VI, short_number
from linkage.labels import ROLE_LABELS, template_globals
from linkage.numbers import format_number, format_quantity, format_vnd
from models import PovertyStandard, Role


def format_when(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def chart_number(value: float) -> str:
    """A chart's axis or bar label in the reader's language: '1,5 tr' in Vietnamese (triệu),
    '1.5M' in English."""
    if str(get_locale()) == "vi":
        return short_number(value, UNITS_VI, comma=True)
    return short_number(value)


def standard_text(standard: PovertyStandard) -> str:
    """A poverty standard in one line: its code, income lines and deprivation threshold."""
    return _(
        "%(code)s: rural line %(rural)s, urban line %(urban)s, poor from %(threshold)d "
        "deprivations",
        code=standard.code,
        rural=format_vnd(standard.rural_line_vnd),
        urban=format_vnd(standard.urban_line_vnd),
        threshold=standard.deprivation_threshold,
    )


def role_label(role: Role) -> str:
    return str(ROLE_LABELS.get(role, role))


def current_path() -> str:
    path = request.full_path if request.query_string else request.path
    return path


def in_page_language(format_: Callable[..., str]) -> Callable[..., str]:
    """A filter that writes in the page's language. Jinja would otherwise compute it once when
    it compiles a template, for a constant like `{{ 12.5|number }}`, and keep that language."""

    @pass_context
    def apply(_context: Any, value: Any, *args: Any, **kwargs: Any) -> str:
        return format_(value, *args, **kwargs)

    return apply


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(in_page_language(format_vnd), "vnd")
    # {{ q|qty }} 43,443 (vi) or 43.443 (en); {{ q|qty(unit) }} 43,443 kg
    app.add_template_filter(in_page_language(format_quantity), "qty")
    app.add_template_filter(in_page_language(format_number), "number")
    app.add_template_filter(in_page_language(format_when), "when")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(current_path, "current_path")
    app.jinja_env.globals.update(template_globals())
    app.add_template_global(standard_text, "standard_text")
