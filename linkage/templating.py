"""Template filters and globals: money, quantities, dates, the language switch.

The filters below are the one way a template writes a number or a date for people
(`tests/blueprints/test_formats.py` refuses `strftime`, `isoformat` and Flask-Babel's own
filters in templates): `vnd`, `qty`, `number`, `percent`, `when` (a date, or a timestamp to
the minute), `day`, `month`. Counts in `ngettext` messages are grouped as numbers too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup

from linkage.charts import UNITS_VI, short_number
from linkage.formats import format_day, format_moment, format_month, format_share
from linkage.labels import ROLE_LABELS, template_globals
from linkage.numbers import format_number, format_quantity, format_vnd
from models import PovertyStandard, Role

# Flask-Babel's own filters write dates and numbers in Babel's default styles ("3 thg 3,
# 2025", "24,9 %"): removed, so that a template can only use the filters registered here.
BABEL_FILTERS = (
    "datetimeformat",
    "dateformat",
    "timeformat",
    "timedeltaformat",
    "numberformat",
    "decimalformat",
    "currencyformat",
    "percentformat",
    "scientificformat",
)


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


@pass_context
def ngettext(context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
    """Jinja's ngettext (newstyle) with the count written as a number of the page's language:
    "1.050 hộ" rather than "1050 hộ", whether the message says %(num)d or %(num)s."""
    variables.setdefault("num", format_number(num))
    text = get_translations().ungettext(singular, plural, num).replace("%(num)d", "%(num)s")
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalog's text, as Jinja's own ngettext does
    return text % variables


def register_template_helpers(app: Flask) -> None:
    for name in BABEL_FILTERS:
        app.jinja_env.filters.pop(name, None)
    app.add_template_filter(in_page_language(format_vnd), "vnd")
    # {{ q|qty }} 43,443 (vi) or 43.443 (en); {{ q|qty(unit) }} 43,443 kg
    app.add_template_filter(in_page_language(format_quantity), "qty")
    app.add_template_filter(in_page_language(format_number), "number")
    # {{ 0.249|percent }} 24,9% (vi) or 24.9% (en)
    app.add_template_filter(in_page_language(format_share), "percent")
    # {{ d|when }} 27/11/2026 (vi) or 27 Nov 2026 (en); a timestamp with its time, 18:00
    app.add_template_filter(in_page_language(format_moment), "when")
    app.add_template_filter(in_page_language(format_day), "day")
    app.add_template_filter(in_page_language(format_month), "month")
    app.jinja_env.globals["ngettext"] = ngettext
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(current_path, "current_path")
    app.jinja_env.globals.update(template_globals())
    app.add_template_global(standard_text, "standard_text")
