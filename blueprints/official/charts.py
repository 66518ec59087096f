"""The dashboard's SVG charts, made from the same tables the page shows beside them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from linkage.charts import Series, bar_chart, line_chart
from linkage.formats import format_month
from linkage.services.impact import Dashboard
from linkage.tables import Table
from linkage.templating import chart_number

MAX_BARS = 25


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str
    note: str | None = None  # e.g. "top 25 of 40 communes; the table lists all"


def _values(rows: list[dict[str, Any]], key: str, scale: float = 1) -> list[float]:
    """A column's values (a share scaled to a percentage), to one decimal; none as 0."""
    return [round((row.get(key) or 0) * scale, 1) for row in rows]


def _chart(
    table: Table,
    series: list[tuple[str, str]],
    rows: list[dict[str, Any]] | None = None,
    *,
    line: bool = False,
    scale: float = 1,
    note: str | None = None,
    **options: Any,
) -> Chart:
    """Bars (or lines) of the table's rows, one series per (column, name), titled as the
    table; the labels are the rows' `label` (`month` for lines)."""
    rows = list(table.rows) if rows is None else rows
    title = str(table.title)
    draw, label = (line_chart, format_month) if line else (bar_chart, str)
    svg = draw(
        [label(row["month" if line else "label"]) for row in rows],
        [Series(name, _values(rows, key, scale)) for key, name in series],
        title=title,
        short=chart_number,
        **options,
    )
    return Chart(svg, title, note)


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
    income = [
        ("platform_income_vnd", _("Paid to households")),
        ("attributed_sales_vnd", _("Attributed sales")),
    ]
    return _chart(table, income, rows, note=note)


def dashboard_charts(dashboard: Dashboard) -> dict[str, Chart]:
    """One chart per table slug (the key figures and the targeting list have none)."""
    tables = dashboard.tables
    transitions = [
        ("projected_exits", _("Exit from poverty")),
        ("projected_improved", _("Improved")),
        ("projected_unchanged", _("Unchanged")),
        ("projected_worsened", _("Worsened")),
    ]
    monthly = [
        ("sales_vnd", _("Sales")),
        ("platform_income_vnd", _("Paid to households")),
        ("attributed_sales_vnd", _("Attributed sales")),
    ]
    farmer_share = [("farmer_share", _("Farmer share (%)"))]
    per_household = [
        ("income_per_household_vnd", _("Households supported")),
        ("comparison_income_per_household_vnd", _("Comparison group")),
    ]
    return {
        "monthly": _chart(tables["monthly"], monthly, line=True),
        "communes": _income_bars(tables["communes"], MAX_BARS),
        "regions": _income_bars(tables["regions"]),
        "ethnicity": _income_bars(tables["ethnicity"]),
        "transitions": _chart(tables["transitions"], transitions, bar_height=16),
        "products": _chart(tables["products"], farmer_share, scale=100),
        "supports": _chart(tables["supports"], per_household),
    }
