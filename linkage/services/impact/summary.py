"""Impact figures by group (commune, region, former province, cooperative, ethnicity,
ethnicity group, product, product category, official status), as GROUP BY queries over the
household projection.

`sales_vnd` is the value of paid orders in the period: for places, cooperatives, products and
the totals it is what the cooperatives in scope (narrowed by the place, cooperative and product
category filters) sold; for groups of households (ethnicity, official status) it is the sales
value that carried their produce (attributed).

Households whose official status is not yet known are left out of every figure (their
projection is unknown and they would skew the shares of poor households); the totals count
them in `not_yet_known`, so that a page can say how many were left out. A household whose
ethnicity is not yet known is in neither ethnicity group: those rows have a "not yet known"
row of their own, so that they still add up to the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, select

from linkage.extensions import db
from linkage.labels import product_name
from linkage.services.periods import Period
from linkage.services.scope import Actor
from models import Membership, PovertyStandard, Product

from .filters import ImpactFilters
from .grouping import NOT_YET_SOLD, OTHER_PAYMENTS, PLACES, PRODUCTS, GroupBy
from .groups import group_rows, household_figures
from .labels import group_label
from .projection import Projection, known, materialised
from .sales import plain, sales_by

__all__ = ["FIGURES", "GroupBy", "Summary", "summarise"]

NO_PRODUCT = (NOT_YET_SOLD, OTHER_PAYMENTS)
# groupings that put each household in exactly one row
PARTITIONS = (*PLACES, GroupBy.ETHNICITY, GroupBy.ETHNICITY_GROUP, GroupBy.OFFICIAL_STATUS)

FIGURES = (
    "households",
    "poor",
    "near_poor",
    "sales_vnd",
    "platform_income_vnd",
    "attributed_sales_vnd",
    "income_to_poor_vnd",
    "income_to_near_poor_vnd",
    "projected_exits",
    "projected_improved",
    "projected_unchanged",
    "projected_worsened",
)


@dataclass
class Summary:
    period: Period
    standard: PovertyStandard
    group_by: GroupBy
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def summarise(
    actor: Actor,
    period: Period,
    group: GroupBy,
    filters: ImpactFilters,
    *,
    totals: bool = True,
    projection: Projection | None = None,
) -> Summary:
    """Figures per group and totals for the actor's jurisdiction (a handful of queries;
    `totals=False` leaves the totals out, for a caller that has them already;
    `projection`: the households' projection when the caller has materialised it)."""
    if projection is None:
        with materialised(actor, period, filters) as made:
            return summarise(actor, period, group, filters, totals=totals, projection=made)
    p = known(projection.table)
    statement, sales = group_rows(p, group, projection.scope, period, filters, projection.kept_id)
    summary = Summary(period=period, standard=projection.standard, group_by=group)
    for row in db.session.execute(statement.order_by("key")).mappings():
        figures = dict(row)
        key = plain(figures.pop("key"))
        figures["sales_vnd"] = (
            figures["attributed_sales_vnd"] if sales is None else sales.pop(key, 0)
        )
        summary.rows.append(
            {
                "key": str(key),
                "label": group_label(group, key, figures.pop("label")),
                **{name: figures[name] for name in FIGURES},
            }
        )
    if group in PRODUCTS:
        summary.rows.extend(_sold_without_households(group, sales))
        # the products, then the rows that are no product (not yet sold, no delivery)
        summary.rows.sort(key=lambda row: (row["key"] in NO_PRODUCT, row["key"]))
    if group == GroupBy.PRODUCT:
        name_products(summary.rows)
    if totals:
        # a grouping where each household is in one row: its rows add up to the totals
        rows = summary.rows if group in PARTITIONS else None
        summary.totals = _totals(p, projection, period, filters, rows)
    return summary


def _sold_without_households(group: GroupBy, sales: dict[Any, int] | None) -> list[dict]:
    """Rows for products sold in the period whose sales reached no household in scope (none
    of it traced back to a delivery): their sales still count in the column's total (a
    product's row is named by `name_products`)."""
    left = {key: value for key, value in (sales or {}).items() if value}
    empty = dict.fromkeys(FIGURES, 0)
    return [
        {"key": str(key), "label": group_label(group, key, ""), **empty, "sales_vnd": value}
        for key, value in left.items()
    ]


def name_products(rows: list[dict[str, Any]]) -> None:
    """Product rows named as every page names a product, in the page's language
    (`Product.display_name`): on English pages with the English name after the Vietnamese."""
    codes = [row["key"] for row in rows]
    products = db.session.scalars(select(Product).where(Product.code.in_(codes)))
    names = {product.code: product_name(product) for product in products}
    for row in rows:
        row["label"] = names.get(row["key"], row["label"])


def _totals(
    p: Any,
    projection: Projection,
    period: Period,
    filters: ImpactFilters,
    rows: list[dict[str, Any]] | None,
) -> dict:
    if rows is None:
        figures = dict(
            db.session.execute(select(*household_figures(p, once=True))).mappings().one()
        )
    else:
        figures = {name: sum(row[name] for row in rows) for name in FIGURES if name != "sales_vnd"}
    figures["sales_vnd"] = sum(sales_by(literal(1), projection.scope, period, filters).values())
    totals = {name: figures[name] for name in FIGURES}
    totals["cooperatives"] = _cooperatives_reaching(p, filters)
    table = projection.table
    totals["not_yet_known"] = (
        db.session.scalar(
            select(func.count()).select_from(table).where(table.c.official_status.is_(None))
        )
        or 0
    )
    return totals


def _cooperatives_reaching(p: Any, filters: ImpactFilters) -> int:
    """Cooperatives with at least one of the households among their members."""
    reached = (
        select(Membership.cooperative_id)
        .select_from(p)
        .join(Membership, Membership.household_id == p.c.household_id)
        .group_by(Membership.cooperative_id)  # hashed, where a distinct count would sort
    )
    if filters.cooperative:
        reached = reached.where(Membership.cooperative_id == filters.cooperative)
    return db.session.scalar(select(func.count()).select_from(reached.subquery())) or 0
