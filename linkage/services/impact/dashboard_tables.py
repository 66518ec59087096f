"""The dashboard's tables: each one a `linkage.tables.Table`, shown beside its chart and written
to CSV and XLSX as it is."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from linkage.labels import label
from linkage.tables import Column, Table

from .figures import Figure, with_shares
from .groups import GroupBy
from .summary import Summary
from .targeting import Targeting

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
MONTHLY_SUMS = ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd")

# slug: (grouping, title, header of the label column, columns); the groups of each partition
# the households, so their totals are the key figures'
GROUPED_TABLES: dict[str, tuple[GroupBy, Any, Any, tuple[Column, ...]]] = {
    "communes": (GroupBy.COMMUNE, _l("Income by commune"), _l("Commune"), PLACE_COLUMNS),
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
PRODUCT_COLUMNS = (
    HOUSEHOLDS,
    SALES,
    Column("platform_income_vnd", _l("Paid for deliveries (₫)"), "vnd"),
    ATTRIBUTED,
    Column("farmer_share", _l("Farmer share"), "pct"),
)


def summary_table(slug: str, summary: Summary) -> Table:
    """A grouping of GROUPED_TABLES as a table, with its totals row."""
    _group, title, header, columns = GROUPED_TABLES[slug]
    totals = {**with_shares([summary.totals])[0], "label": _l("Total")}
    return Table(
        slug=slug,
        title=title,
        columns=(Column("label", header), *columns),
        rows=with_shares(summary.rows),
        totals=totals,
    )


def products_table(summary: Summary) -> Table:
    """Farmer share by product as sold (a processed product is its own row, payments for no
    delivery one more): the money columns add up to the totals row; the households do not
    (a household's produce sells as several products), the total counts each once."""
    totals = None
    if summary.totals:
        totals = {**with_shares([summary.totals])[0], "label": _l("Total")}
    return Table(
        slug="products",
        title=_l("Farmer share by product"),
        columns=(Column("label", _l("Product")), *PRODUCT_COLUMNS),
        rows=with_shares(summary.rows),
        totals=totals,
    )


def targeting_table(targeting: Targeting) -> Table:
    rows = [
        {
            "rank": row.rank,
            "label": row.name,
            "commune_code": row.commune_code,
            "households": row.households,
            "poor_near_poor_share": row.poor_near_poor_share,
            "income_per_household_vnd": row.income_per_household_vnd,
            "disadvantaged": _l("Yes") if row.disadvantaged else _l("No"),
            "supported_without_sales": row.supported_without_sales,
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
            Column(
                "supported_without_sales",
                _l("Poor or near poor with a loan or variety, no sales"),
                "int",
            ),
            Column("need_score", _l("Need score (0-100)"), "int"),
            Column("reasons", _l("Reasons")),
        ),
        rows=rows,
    )


def monthly_table(months: list[dict[str, Any]]) -> Table:
    return Table(
        slug="monthly",
        title=_l("Monthly sales and household income"),
        columns=(Column("month", _l("Month"), "month"), SALES, PAID, ATTRIBUTED),
        rows=months,
        totals={
            "month": _l("Total"),
            **{name: sum(row[name] for row in months) for name in MONTHLY_SUMS},
        },
    )


def _figure_value(figure: Figure, value: Any) -> Any:
    """A share as a percentage with one decimal, anything else as it is."""
    if figure.kind != "pct" or value is None:
        return value
    return round(value * 100, 1)


def figures_table(figures: dict[Figure, Any]) -> Table:
    units = {"pct": "%", "vnd": "₫", "int": ""}
    return Table(
        slug="figures",
        title=_l("Key figures"),
        columns=(Column("label", _l("Figure")), Column("value", _l("Value")), Column("unit", "")),
        rows=[
            {
                "key": figure,
                "label": label(figure),
                "value": _figure_value(figure, value),
                "unit": units[figure.kind],
            }
            for figure, value in figures.items()
        ],
    )
