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

from sqlalchemy import exists, func, literal, select
from sqlalchemy.orm import aliased

from linkage.extensions import db
from linkage.labels import product_name
from linkage.services.periods import Period
from linkage.services.scope import Actor
from models import Commune, Cooperative, Household, Membership, PovertyStandard, Product

from .cells import cells
from .filters import ImpactFilters, household_conditions
from .grouping import NOT_YET_SOLD, OTHER_PAYMENTS, PLACES, PRODUCTS, GroupBy
from .groups import cell_rows, group_rows, household_figures, weighted
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
    scope, c = projection.scope, cells(projection, group)
    if c is None:
        statement, sales = group_rows(p, group, scope, period, filters, projection.kept_id)
    else:
        statement, sales = cell_rows(known(c), group, scope, period, filters)
    # each sale has one cooperative, commune and product: a grouping's sales add up to all
    sold = None if sales is None else sum(sales.values())
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
        summary.totals = _totals(p, projection, rows, sold)
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
    p: Any, projection: Projection, rows: list[dict[str, Any]] | None, sold: int | None
) -> dict:
    """The totals over the projection's known rows `p` (`rows`: a partition's rows, which
    add up to them; `sold`: the market sales, when the grouping has summed them)."""
    period, filters = projection.period, projection.filters
    c = cells(projection, None)  # the totals from the kept cells, when they can answer
    if rows is not None:
        figures = {name: sum(row[name] for row in rows) for name in FIGURES if name != "sales_vnd"}
    else:
        over = household_figures(p, once=True) if c is None else weighted(known(c))
        figures = dict(db.session.execute(select(*over)).mappings().one())
    if sold is None:
        sold = sum(sales_by(literal(1), projection.scope, period, filters).values())
    figures["sales_vnd"] = sold
    totals = {name: figures[name] for name in FIGURES}
    totals["cooperatives"] = _cooperatives_reaching(projection)
    table = projection.table if c is None else c
    unknown = func.count() if c is None else func.sum(c.c.households)
    totals["not_yet_known"] = (
        db.session.scalar(select(unknown).where(table.c.official_status.is_(None))) or 0
    )
    return totals


def _cooperatives_reaching(projection: Projection) -> int:
    """Cooperatives with at least one of the households among their members (whose official
    status is known). Households limited to some communes find their cooperatives through
    their memberships; otherwise each cooperative asks for one such member by its index (it
    finds one at once, where the other way reads every membership of the province)."""
    scope, filters = projection.scope, projection.filters
    membership = aliased(Membership)  # the filters may ask for a membership of their own
    members = (
        select(membership.cooperative_id)
        .join(Household, Household.id == membership.household_id)
        .join(Commune, Commune.code == Household.commune_code)
        .where(
            Household.official_status.is_not(None),
            scope.households(),
            *household_conditions(projection.period, filters),
        )
    )
    if filters.cooperative:
        members = members.where(membership.cooperative_id == filters.cooperative)
    located = not scope.whole_province or any(
        getattr(filters, name) for name in ("commune", "former_province", "region")
    )
    if located:
        reached = members.group_by(membership.cooperative_id).subquery("reached")
        return db.session.scalar(select(func.count()).select_from(reached)) or 0
    one = members.with_only_columns(membership.id).where(
        membership.cooperative_id == Cooperative.id
    )
    statement = select(func.count()).select_from(Cooperative).where(exists(one))
    if filters.cooperative:
        statement = statement.where(Cooperative.id == filters.cooperative)
    return db.session.scalar(statement) or 0
