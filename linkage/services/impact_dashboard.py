"""The officials' impact dashboard: key figures and tables for one period and scope.

Every number here comes from the same services as the impact API (impact_summary, targeting),
so the page, its exports and the API always agree. Each table is a `linkage.tables.Table`:
the page shows it beside its chart, and the same object is written to CSV and XLSX.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from linkage.tables import Column, Table
from models import PovertyStandard, User

from .impact import (
    ImpactFilters,
    Projection,
    check_filters_in_scope,
    materialised,
    standard_for,
)
from .impact_summary import GroupBy, Summary, monthly, summarise
from .periods import Period
from .targeting import Targeting, rank_communes

FIGURE_LABELS = {
    "cooperatives": _l("Cooperatives"),
    "households": _l("Member households"),
    "poor_share": _l("Share of households poor"),
    "near_poor_share": _l("Share of households near poor"),
    "sales_vnd": _l("Sales"),
    "platform_income_vnd": _l("Paid to households"),
    "attributed_sales_vnd": _l("Attributed sales"),
    "income_to_poor_near_poor_share": _l("Share of income reaching poor and near-poor households"),
    "farmer_share": _l("Farmer share of the end price"),
    "projected_exits": _l("Projected exits from poverty"),
    "projected_worsened": _l("Households that worsened"),
    "not_yet_known": _l("Households left out: official status not yet known"),
}
PCT_FIGURES = {"poor_share", "near_poor_share", "income_to_poor_near_poor_share", "farmer_share"}
VND_FIGURES = {"sales_vnd", "platform_income_vnd", "attributed_sales_vnd"}


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when the whole is zero (shown as a dash, not 0 %)."""
    return part / whole if whole else None


def key_figures(totals: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's key figures from the summary totals (the API's `totals`)."""
    households = totals["households"]
    income = totals["platform_income_vnd"]
    return {
        "cooperatives": totals["cooperatives"],
        "households": households,
        "poor_share": share(totals["poor"], households),
        "near_poor_share": share(totals["near_poor"], households),
        "sales_vnd": totals["sales_vnd"],
        "platform_income_vnd": income,
        "attributed_sales_vnd": totals["attributed_sales_vnd"],
        "income_to_poor_near_poor_share": share(
            totals["income_to_poor_vnd"] + totals["income_to_near_poor_vnd"], income
        ),
        "farmer_share": share(income, totals["attributed_sales_vnd"]),
        "projected_exits": totals["projected_exits"],
        "projected_worsened": totals["projected_worsened"],
        "not_yet_known": totals["not_yet_known"],
    }


def _with_shares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary rows with the derived shares the tables show."""
    return [
        {
            **row,
            "poor_near_poor_share": share(row["poor"] + row["near_poor"], row["households"]),
            "income_to_poor_near_poor_share": share(
                row["income_to_poor_vnd"] + row["income_to_near_poor_vnd"],
                row["platform_income_vnd"],
            ),
            "farmer_share": share(row["platform_income_vnd"], row["attributed_sales_vnd"]),
        }
        for row in rows
    ]


LABEL = Column("label", _l("Name"))
HOUSEHOLDS = Column("households", _l("Households"), "int")
POOR = Column("poor", _l("Poor"), "int")
NEAR_POOR = Column("near_poor", _l("Near poor"), "int")
VULNERABLE_SHARE = Column("poor_near_poor_share", _l("Poor or near poor"), "pct")
SALES = Column("sales_vnd", _l("Sales (₫)"), "vnd")
PAID = Column("platform_income_vnd", _l("Paid to households (₫)"), "vnd")
ATTRIBUTED = Column("attributed_sales_vnd", _l("Attributed sales (₫)"), "vnd")
TO_VULNERABLE = Column("income_to_poor_near_poor_share", _l("Income to poor and near poor"), "pct")
EXITS = Column("projected_exits", _l("Projected exits"), "int")
WORSENED = Column("projected_worsened", _l("Worsened"), "int")
PLACE_COLUMNS = (
    HOUSEHOLDS,
    POOR,
    NEAR_POOR,
    VULNERABLE_SHARE,
    SALES,
    PAID,
    ATTRIBUTED,
    TO_VULNERABLE,
    EXITS,
    WORSENED,
)


def _summary_table(
    slug: str,
    title: Any,
    summary: Summary,
    columns: tuple[Column, ...],
    label: Column = LABEL,
    *,
    with_totals: bool = True,
) -> Table:
    """`summary.totals` must be set unless `with_totals` is False."""
    """A summary as a table; rows that do not add up (a household delivers several products)
    get no totals row."""
    totals = {**_with_shares([summary.totals])[0], "label": _l("Total")} if with_totals else None
    return Table(
        slug=slug,
        title=title,
        columns=(label, *columns),
        rows=_with_shares(summary.rows),
        totals=totals,
    )


def _targeting_table(targeting: Targeting) -> Table:
    rows = [
        {
            "rank": row.rank,
            "label": row.name,
            "commune_code": row.commune_code,
            "households": row.households,
            "poor_near_poor_share": row.poor_near_poor_share,
            "income_per_household_vnd": row.income_per_household_vnd,
            "disadvantaged": _l("Yes") if row.disadvantaged else _l("No"),
            "need_score": row.need_score,
            "reasons": " ".join(reason.text for reason in row.reasons),
        }
        for row in targeting.rows
    ]
    return Table(
        slug="targeting",
        title=_l("Communes ranked by need"),
        columns=(
            Column("rank", _l("Rank"), "int"),
            Column("label", _l("Commune")),
            Column("commune_code", _l("Code")),
            HOUSEHOLDS,
            VULNERABLE_SHARE,
            Column("income_per_household_vnd", _l("Linkage income per household (₫)"), "vnd"),
            Column("disadvantaged", _l("Disadvantaged")),
            Column("need_score", _l("Need score (0-100)"), "int"),
            Column("reasons", _l("Reasons")),
        ),
        rows=rows,
    )


def _grouped(
    actor: User, projection: Projection, group: GroupBy, totals: dict[str, Any]
) -> Summary:
    """A grouping whose groups partition the households: its totals are those already known."""
    summary = summarise(
        actor,
        projection.period,
        group,
        projection.filters,
        totals=False,
        projection=projection,
    )
    summary.totals = totals
    return summary


@dataclass
class Dashboard:
    period: Period
    standard: PovertyStandard
    filters: ImpactFilters
    figures: dict[str, Any] = field(default_factory=dict)
    targeting: Targeting | None = None
    tables: dict[str, Table] = field(default_factory=dict)


TABLE_SLUGS = (
    "figures",
    "monthly",
    "communes",
    "regions",
    "ethnicity",
    "transitions",
    "products",
    "targeting",
)


def build(
    actor: User, period: Period, filters: ImpactFilters, only: Collection[str] | None = None
) -> Dashboard:
    """Everything the dashboard shows, or only the tables named in `only` (an export of one
    table computes that table), from one projection of the households in scope. Scope checks
    as in the API: a commune or cooperative outside it answers 404."""
    wanted = set(TABLE_SLUGS if only is None else only)
    if wanted <= {"monthly"}:  # sums by month: no projection needed
        check_filters_in_scope(actor, filters)
        dashboard = Dashboard(period=period, standard=standard_for(period), filters=filters)
        dashboard.tables["monthly"] = _monthly_table(actor, period, filters)
        return dashboard
    with materialised(actor, period, filters) as projection:
        return _build(actor, projection, wanted)


def _monthly_table(actor: User, period: Period, filters: ImpactFilters) -> Table:
    months = monthly(actor, period, filters)
    return Table(
        slug="monthly",
        title=_l("Monthly sales and household income"),
        columns=(Column("month", _l("Month")), SALES, PAID, ATTRIBUTED),
        rows=months,
        totals={
            "month": _l("Total"),
            **{
                name: sum(row[name] for row in months)
                for name in ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd")
            },
        },
    )


def _figures_table(figures: dict[str, Any]) -> Table:
    return Table(
        slug="figures",
        title=_l("Key figures"),
        columns=(Column("label", _l("Figure")), Column("value", _l("Value")), Column("unit", "")),
        rows=[
            {
                "key": key,
                "label": FIGURE_LABELS[key],
                "value": (None if value is None else round(value * 100, 1))
                if key in PCT_FIGURES
                else value,
                "unit": "%" if key in PCT_FIGURES else ("₫" if key in VND_FIGURES else ""),
            }
            for key, value in figures.items()
        ],
    )


GROUPED_TABLES: dict[str, tuple[GroupBy, Any, Any, tuple[Column, ...]]] = {
    "regions": (GroupBy.REGION, _l("Income by region"), _l("Region"), PLACE_COLUMNS),
    "ethnicity": (
        GroupBy.ETHNICITY_GROUP,
        _l("Income by ethnicity group"),
        _l("Group"),
        (HOUSEHOLDS, POOR, NEAR_POOR, PAID, ATTRIBUTED, TO_VULNERABLE, EXITS, WORSENED),
    ),
    "transitions": (
        GroupBy.OFFICIAL_STATUS,
        _l("Projected transitions by official status"),
        _l("Official status"),
        (
            HOUSEHOLDS,
            Column("projected_exits", _l("Exit from poverty"), "int"),
            Column("projected_improved", _l("Improved"), "int"),
            Column("projected_unchanged", _l("Unchanged"), "int"),
            Column("projected_worsened", _l("Worsened"), "int"),
        ),
    ),
}


def _build(actor: User, projection: Projection, wanted: set[str]) -> Dashboard:
    period, filters = projection.period, projection.filters
    # by commune: its totals are the key figures and the totals of every partition
    communes = summarise(actor, period, GroupBy.COMMUNE, filters, projection=projection)
    dashboard = Dashboard(
        period=period,
        standard=projection.standard,
        filters=filters,
        figures=key_figures(communes.totals),
    )
    tables = dashboard.tables
    if "figures" in wanted:
        tables["figures"] = _figures_table(dashboard.figures)
    if "monthly" in wanted:
        tables["monthly"] = _monthly_table(actor, period, filters)
    if "communes" in wanted:
        tables["communes"] = _summary_table(
            "communes",
            _l("Income by commune"),
            communes,
            PLACE_COLUMNS,
            Column("label", _l("Commune")),
        )
    for slug, (group, title, label, columns) in GROUPED_TABLES.items():
        if slug in wanted:
            summary = _grouped(actor, projection, group, communes.totals)
            tables[slug] = _summary_table(slug, title, summary, columns, Column("label", label))
    if "products" in wanted:
        tables["products"] = _summary_table(
            "products",
            _l("Farmer share by product"),
            summarise(actor, period, GroupBy.PRODUCT, filters, totals=False, projection=projection),
            (
                HOUSEHOLDS,
                SALES,
                Column("platform_income_vnd", _l("Paid for deliveries (₫)"), "vnd"),
                ATTRIBUTED,
                Column("farmer_share", _l("Farmer share"), "pct"),
            ),
            Column("label", _l("Product")),
            with_totals=False,
        )
    if "targeting" in wanted:
        dashboard.targeting = rank_communes(actor, period, filters, communes)
        tables["targeting"] = _targeting_table(dashboard.targeting)
    return dashboard
