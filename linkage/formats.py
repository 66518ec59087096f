"""Dates, months and shares as pages show them, in the page's language (one style everywhere).

- A day: `27/11/2026` in Vietnamese, `27 Nov 2026` in English.
- A moment, where the time of day matters (notices, order events, the audit log):
  `27/11/2026 18:00` and `27 Nov 2026, 18:00`, in Vietnam time.
- A month: `11/2026` and `Nov 2026`.
- A share (0.249): `24,9%` and `24.9%`, by Babel's `format_percent`, at most one decimal.

Numbers, quantities and money are in `linkage.numbers`. Files (CSV, XLSX) and the JSON API
keep machine formats (ISO dates, `2026-11` months, dot decimals): these functions are for
people. Templates reach them as the filters `when`, `day`, `month` and `percent`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_percent

from linkage.numbers import page_locale
from linkage.services.periods import MONTH_RE, VIETNAM, Month

DAY_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
MOMENT_FORMATS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}
MONTH_FORMATS = {"vi": "MM/yyyy", "en": "MMM yyyy"}
PERCENT_FORMAT = "#,##0.#%"


def _language() -> str:
    return "en" if page_locale().language == "en" else "vi"


def in_vietnam(moment: datetime) -> datetime:
    """A timestamp in Vietnam time; a naive one is read as UTC (as the database keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM)


def format_day(value: date | datetime | None) -> str:
    """The day of a date, or the Vietnam-time day of a timestamp: 03/01/2026, 3 Jan 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = in_vietnam(value).date()
    return format_date(value, DAY_FORMATS[_language()], locale=page_locale())


def format_moment(value: date | datetime | None) -> str:
    """A timestamp to the minute in Vietnam time: 03/01/2026 08:05; a date as its day."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_day(value)
    return format_datetime(in_vietnam(value), MOMENT_FORMATS[_language()], locale=page_locale())


def format_month(value: Month | date | str | Any) -> str:
    """A calendar month: 01/2026, Jan 2026. Accepts a Month, a date in it, or 'YYYY-MM';
    anything else (a table's "Total" cell) is shown as it is."""
    if value is None:
        return ""
    if isinstance(value, str) and MONTH_RE.match(value):
        value = Month.parse(value)
    if isinstance(value, Month):
        value = value.first_day
    if isinstance(value, datetime):
        value = in_vietnam(value).date()
    if isinstance(value, date):
        return format_date(value, MONTH_FORMATS[_language()], locale=page_locale())
    return str(value)


def format_share(share: float | None, empty: str = "–") -> str:
    """A share of 1 as a percentage with at most one decimal: 0.249 -> 24,9% (vi), 24.9% (en)."""
    if share is None:
        return empty
    return format_percent(share, format=PERCENT_FORMAT, locale=page_locale())
