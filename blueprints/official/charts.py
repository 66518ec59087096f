"""The dashboard's SVG charts, made from the same tables the page shows beside them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from linkage.charts import Series, bar_chart, line_chart
from linkage.exports import Table
from linkage.services.impact_dashboard import Dashboard
from linkage.templating import chart_number

MAX_BARS = 25


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str
    note: str | None = None  # e.g. "top 25 of 40 communes; the table lists all"


def _values(rows: list[dict[str, Any]], key: str, scale: float = 1) -> list[float]:
    return [(row.get(key) or 0) * scale for row in rows]


def _income_bars(table: Table, title: str, limit: int | None = None) -> Chart:
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
    svg = bar_chart(
        [str(row["label"]) for row in rows],
        [
            Series(_("Paid to households"), _values(rows, "platform_income_vnd")),
            Series(_("Attributed sales"), _values(rows, "attributed_sales_vnd")),
        ],
        title=title,
        short=chart_number,
    )
    return Chart(svg, title, note)


def _monthly(table: Table) -> Chart:
    rows = list(table.rows)
    title = str(table.title)
    svg = line_chart(
        [str(row["month"]) for row in rows],
        [
            Series(_("Sales"), _values(rows, "sales_vnd")),
            Series(_("Paid to households"), _values(rows, "platform_income_vnd")),
            Series(_("Attributed sales"), _values(rows, "attributed_sales_vnd")),
        ],
        title=title,
        short=chart_number,
    )
    return Chart(svg, title)


def _transitions(table: Table) -> Chart:
    rows = list(table.rows)
    title = str(table.title)
    svg = bar_chart(
        [str(row["label"]) for row in rows],
        [
            Series(_("Exit from poverty"), _values(rows, "projected_exits")),
            Series(_("Improved"), _values(rows, "projected_improved")),
            Series(_("Unchanged"), _values(rows, "projected_unchanged")),
            Series(_("Worsened"), _values(rows, "projected_worsened")),
        ],
        title=title,
        short=chart_number,
        bar_height=16,
    )
    return Chart(svg, title)


def _farmer_share(table: Table) -> Chart:
    rows = list(table.rows)
    title = str(table.title)
    svg = bar_chart(
        [str(row["label"]) for row in rows],
        [Series(_("Farmer share (%)"), [round(v, 1) for v in _values(rows, "farmer_share", 100)])],
        title=title,
        short=chart_number,
    )
    return Chart(svg, title)


def dashboard_charts(dashboard: Dashboard) -> dict[str, Chart]:
    """One chart per table slug (the key figures and the targeting list have none)."""
    tables = dashboard.tables
    return {
        "monthly": _monthly(tables["monthly"]),
        "communes": _income_bars(tables["communes"], str(tables["communes"].title), MAX_BARS),
        "regions": _income_bars(tables["regions"], str(tables["regions"].title)),
        "ethnicity": _income_bars(tables["ethnicity"], str(tables["ethnicity"].title)),
        "transitions": _transitions(tables["transitions"]),
        "products": _farmer_share(tables["products"]),
    }
