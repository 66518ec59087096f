"""The dashboard's SVG charts, made from the same tables the page shows beside them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from linkage.charts import Series, chart_markup
from linkage.formats import format_month
from linkage.services.impact import Dashboard
from linkage.services.periods import Month, Period, current_month
from linkage.tables import Table
from linkage.templating import chart_number

MAX_BARS = 25


@dataclass(frozen=True)
class Chart:
    svg: str  # the chart's markup: both drawings, the legend and any note on a partial month
    caption: str
    note: str | None = None  # e.g. "top 25 of 40 communes; the table lists all"


def _values(rows: list[dict[str, Any]], key: str, scale: float = 1) -> list[float]:
    """A column's values (a share scaled to a percentage), to one decimal; none as 0."""
    return [round((row.get(key) or 0) * scale, 1) for row in rows]


def _series(rows: list[dict[str, Any]], series: list[tuple[str, str, str]], scale: float = 1):
    return [Series(name, _values(rows, key, scale), counts) for key, name, counts in series]


def _bars(
    table: Table,
    series: list[tuple[str, str, str]],
    rows: list[dict[str, Any]] | None = None,
    *,
    scale: float = 1,
    note: str | None = None,
    **options: Any,
) -> Chart:
    """Bars of the table's rows, one series per (column, name, what it counts), titled as
    the table."""
    rows = list(table.rows) if rows is None else rows
    title = str(table.title)
    markup = chart_markup(
        [str(row["label"]) for row in rows],
        _series(rows, series, scale),
        title=title,
        short=chart_number,
        **options,
    )
    return Chart(markup, title, note)


def _income() -> list[tuple[str, str, str]]:
    return [
        (
            "platform_income_vnd",
            _("Paid to households"),
            _("payments of the cooperatives to their member households (₫)"),
        ),
        (
            "attributed_sales_vnd",
            _("Attributed sales"),
            _("what buyers paid for the households' produce, traced back to them (₫)"),
        ),
    ]


def _income_bars(table: Table, limit: int | None = None) -> Chart:
    """Paid to households and attributed sales per row (the top `limit` rows by income)."""
    rows = list(table.rows)
    note = None
    if limit is not None and len(rows) > limit:
        note = _(
            "The chart shows the %(shown)d of %(total)d with the most income paid to "
            "households; the table lists all.",
            shown=limit,
            total=len(rows),
        )
        rows = sorted(rows, key=lambda row: -(row["platform_income_vnd"] or 0))[:limit]
    return _bars(table, _income(), rows, note=note)


def monthly_chart(table: Table, period: Period, now: Month | None = None) -> Chart:
    """Sales, paid to households and attributed sales by month: the month in progress is
    marked as partial, and months not yet begun are not drawn (they are not zero yet)."""
    now = now or current_month()
    rows = list(table.rows)
    months = period.each_month()  # the table's rows, in order
    columns = [
        (
            "sales_vnd",
            _("Sales"),
            _("orders paid to the cooperatives in scope, by month of payment (₫)"),
        ),
        *_income(),
    ]
    series = [
        Series(
            name,
            [
                None if month > now else float(row[key] or 0)
                for month, row in zip(months, rows, strict=True)
            ],
            counts,
        )
        for key, name, counts in columns
    ]
    partial_at = months.index(now) if now in months else None
    title = str(table.title)
    markup = chart_markup(
        [format_month(row["month"]) for row in rows],
        series,
        title=title,
        kind="line",
        partial_at=partial_at,
        partial_label=_("%(month)s: in progress", month=format_month(now)),
        partial_note=_(
            "%(month)s is not over: its figures so far are drawn with a hollow point and a "
            "dotted line, so that a month still filling up is not read as a fall.",
            month=format_month(now),
        ),
        short=chart_number,
    )
    return Chart(markup, title)


def dashboard_charts(dashboard: Dashboard) -> dict[str, Chart]:
    """One chart per table slug of the dashboard (the key figures and the targeting list have
    none); only the tables the dashboard holds."""
    tables = dashboard.tables
    makers = {
        "monthly": lambda table: monthly_chart(table, dashboard.period),
        "communes": lambda table: _income_bars(table, MAX_BARS),
        "regions": _income_bars,
        "ethnicity": _income_bars,
        "transitions": lambda table: _bars(
            table,
            [
                (
                    "projected_exits",
                    _("Exit from poverty"),
                    _("households poor or near poor officially, not poor by the projection"),
                ),
                (
                    "projected_improved",
                    _("Improved"),
                    _("households poor officially, near poor by the projection"),
                ),
                (
                    "projected_unchanged",
                    _("Unchanged"),
                    _("households whose projected status is their official status"),
                ),
                (
                    "projected_worsened",
                    _("Worsened"),
                    _("households whose projected status is below their official status"),
                ),
            ],
            bar_height=18,
        ),
        "products": lambda table: _bars(
            table,
            [("farmer_share", _("Farmer share (%)"), _("paid to households ÷ attributed sales"))],
            # the rows of payments not yet sold or for no delivery have no share: not a 0
            [row for row in table.rows if row.get("farmer_share") is not None],
            scale=100,
        ),
        "supports": lambda table: _bars(
            table,
            [
                (
                    "income_per_household_vnd",
                    _("Households supported"),
                    _("paid to households per household of the programme (₫)"),
                ),
                (
                    "comparison_income_per_household_vnd",
                    _("Comparison group"),
                    _("the same, per household of the comparison group (₫)"),
                ),
            ],
        ),
    }
    return {slug: make(tables[slug]) for slug, make in makers.items() if slug in tables}
