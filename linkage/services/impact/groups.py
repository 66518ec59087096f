"""The groupings of the impact summary, as GROUP BY statements over the household projection:
by place, by household group (ethnicity, official status), by cooperative and by product.

Each statement gives one row per group with a `key`, a `label` and the household figures; a
grouping that has market sales of its own also gives them by key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Select,
    String,
    case,
    cast,
    func,
    literal,
    select,
)

from linkage.services.periods import Period
from linkage.services.scope import Scope
from linkage.services.supports.queries import counted_supports
from models import (
    Commune,
    Cooperative,
    EthnicGroup,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
    Membership,
    OfficialStatus,
    Product,
    Support,
)

from .filters import KINH, ImpactFilters
from .grouping import NOT_YET_KNOWN, PLACES, PRODUCTS, GroupBy, product_key
from .poverty import Transition
from .projection import kept_totals
from .sales import as_int, sales_by
from .sold_as import kept_per_product, per_product

POOR, NEAR_POOR = OfficialStatus.POOR.value, OfficialStatus.NEAR_POOR.value
TRANSITION_COUNTS = {
    Transition.EXIT: "projected_exits",
    Transition.IMPROVED: "projected_improved",
    Transition.UNCHANGED: "projected_unchanged",
    Transition.WORSENED: "projected_worsened",
}


def household_figures(
    p: Any,
    platform: Any = None,
    attributed: Any = None,
    *,
    once: bool = False,
    weight: Any = None,
) -> list[Any]:
    """The aggregate columns over projection rows `p` (incomes overridable per group;
    `once`: each household is in one row of `p` only, so rows are counted without the sort
    a distinct count takes; `weight`: the number of households each row stands for, as in
    kept cells, whose incomes are their sums already)."""
    platform = p.c.platform_income_vnd if platform is None else platform
    attributed = p.c.attributed_sales_vnd if attributed is None else attributed
    official = p.c.official_status
    one = 1 if weight is None else weight

    def count_if(condition: Any) -> Any:
        return as_int(func.sum(case((condition, one), else_=0)))

    if weight is not None:
        households = as_int(func.sum(weight))
    elif once:
        households = func.count()
    else:
        households = func.count(func.distinct(p.c.household_id))
    return [
        households.label("households"),
        count_if(official == POOR).label("poor"),
        count_if(official == NEAR_POOR).label("near_poor"),
        as_int(func.sum(platform)).label("platform_income_vnd"),
        as_int(func.sum(attributed)).label("attributed_sales_vnd"),
        as_int(func.sum(case((official == POOR, platform), else_=0))).label("income_to_poor_vnd"),
        as_int(func.sum(case((official == NEAR_POOR, platform), else_=0))).label(
            "income_to_near_poor_vnd"
        ),
        *(
            count_if(p.c.transition == transition.value).label(name)
            for transition, name in TRANSITION_COUNTS.items()
        ),
    ]


def group_rows(
    p: Any,
    group: GroupBy,
    scope: Scope,
    period: Period,
    filters: ImpactFilters,
    kept_id: int | None = None,
) -> tuple[Select, dict[Any, int] | None]:
    """The grouping's statement and its market sales by key (None: a group of households,
    whose sales are those attributed to them; `kept_id`: the kept period of the projection,
    whose rows by product are kept too)."""
    sales = market_sales(group, scope, period, filters)
    if group in PLACES:
        return _place_rows(p, group), sales
    if group == GroupBy.COOPERATIVE:
        return _cooperative_rows(p, scope, period, filters), sales
    if group in PRODUCTS:
        return _product_rows(p, group, scope, period, filters, kept_id), sales
    if group == GroupBy.SUPPORT_PROGRAMME:
        return _support_rows(p, period), sales
    return _household_group_rows(p, group), sales


def market_sales(
    group: GroupBy, scope: Scope, period: Period, filters: ImpactFilters
) -> dict[Any, int] | None:
    """A grouping's market sales by key: places, cooperatives and products have sales of
    their own (None for a group of households, whose sales are those attributed to them)."""
    if group in PLACES:
        key = _place_column(group)
    elif group == GroupBy.COOPERATIVE:
        key = Cooperative.id
    elif group in PRODUCTS:
        key = product_key(group, Product)
    else:
        return None
    return sales_by(key, scope, period, filters)


def supported(period: Period, name: str = "supported") -> Any:
    """(programme, household_id) once for each household with a support of the programme that
    counts (not void) received on or before the last day of the period."""
    supports = counted_supports().where(Support.received_on <= period.end.last_day).subquery()
    return select(supports.c.programme, supports.c.household_id).distinct().subquery("supported")


def _support_rows(p: Any, period: Period) -> Select:
    """Household figures by support programme (a household counts in each of its programmes)."""
    given = supported(period)
    return (
        select(given.c.programme.label("key"), literal("").label("label"), *household_figures(p))
        .select_from(p)
        .join(given, given.c.household_id == p.c.household_id)
        .group_by(given.c.programme)
    )


def _place_column(group: GroupBy) -> Any:
    return {
        GroupBy.COMMUNE: Commune.code,
        GroupBy.REGION: Commune.region,
        GroupBy.FORMER_PROVINCE: Commune.former_province,
    }[group]


def _place_rows(p: Any, group: GroupBy, figures: list[Any] | None = None) -> Select:
    column = _place_column(group)
    label = Commune.name if group == GroupBy.COMMUNE else literal("")
    return (
        select(
            column.label("key"),
            func.min(label).label("label"),
            *(figures or household_figures(p, once=True)),
        )
        .select_from(p)
        .join(Commune, Commune.code == p.c.commune_code)
        .group_by(column)
    )


def _household_group_rows(p: Any, group: GroupBy, figures: list[Any] | None = None) -> Select:
    figures = figures or household_figures(p, once=True)
    if group == GroupBy.ETHNICITY:
        key = func.coalesce(p.c.ethnic_group_code, NOT_YET_KNOWN)
        return (
            select(
                key.label("key"),
                func.coalesce(func.min(EthnicGroup.name_vi), "").label("label"),
                *figures,
            )
            .select_from(p)
            .outerjoin(EthnicGroup, EthnicGroup.code == p.c.ethnic_group_code)
            .group_by(key)
        )
    if group == GroupBy.ETHNICITY_GROUP:
        key = case(
            (p.c.ethnic_group_code.is_(None), NOT_YET_KNOWN),
            (p.c.ethnic_group_code == KINH, "kinh"),
            else_="minority",
        )
    else:
        key = p.c.official_status
    return select(key.label("key"), literal("").label("label"), *figures).group_by(key)


def weighted(c: Any) -> list[Any]:
    """The household figures of kept cells (`cells.cells`): each stands for its households."""
    return household_figures(c, weight=c.c.households)


def cell_rows(
    c: Any, group: GroupBy, scope: Scope, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int] | None]:
    """group_rows from kept cells `c` (`cells.cells`, its known rows): the same rows, each
    group summing its cells; a group whose cells add up to no household (its households
    moved to another since they were kept) has no row, as when grouped from the rows."""
    figures = weighted(c)
    if group in PLACES:
        statement = _place_rows(c, group, figures)
    elif group in PRODUCTS:
        statement = _by_product_key(select().select_from(c), c.c.pkey, group, figures)
    else:
        statement = _household_group_rows(c, group, figures)
    having = statement.having(func.sum(c.c.households) > 0)
    return having, market_sales(group, scope, period, filters)


def _by_product_key(statement: Select, pkey: Any, group: GroupBy, figures: list[Any]) -> Select:
    """Figures grouped by the product key `pkey`, a product's row labelled with its name."""
    named = group == GroupBy.PRODUCT
    label = func.min(Product.name_vi) if named else literal("")
    statement = statement.add_columns(pkey.label("key"), label.label("label"), *figures)
    if named:
        statement = statement.outerjoin(Product, Product.code == pkey)
    return statement.group_by(pkey)


def _cooperative_rows(p: Any, scope: Scope, period: Period, filters: ImpactFilters) -> Select:
    paid, attributed = (
        kept_totals(amount, scope, period, by_cooperative=True)
        for amount in (HouseholdMonthIncome.amount_vnd, HouseholdMonthProduct.attributed_vnd)
    )

    def of_member(income: Any) -> Any:
        return (income.c.household_id == p.c.household_id) & (
            income.c.cooperative_id == Membership.cooperative_id
        )

    statement = (
        select(
            Membership.cooperative_id.label("key"),
            func.min(Cooperative.name).label("label"),
            *household_figures(
                p, platform=as_int(paid.c.total), attributed=as_int(attributed.c.total)
            ),
        )
        .select_from(p)
        .join(Membership, Membership.household_id == p.c.household_id)
        .join(Cooperative, Cooperative.id == Membership.cooperative_id)
        .outerjoin(paid, of_member(paid))
        .outerjoin(attributed, of_member(attributed))
        .group_by(Membership.cooperative_id)
    )
    if filters.cooperative:
        statement = statement.where(Membership.cooperative_id == filters.cooperative)
    return statement


def _product_rows(
    p: Any,
    group: GroupBy,
    scope: Scope,
    period: Period,
    filters: ImpactFilters,
    kept_id: int | None = None,
) -> Select:
    """Household figures by the product (or category) as sold to buyers, so that each row
    pairs a product's sales with what its households got from them: the sales attributed
    to each household by the product of the order line (a processed product is its own
    group), and each farmgate payment split over the products its delivery was sold as (in
    proportion to the delivery's attributed sales, whenever sold). Payments for deliveries
    not yet sold (in stock, raw or processed) are the row NOT_YET_SOLD, payments for no
    delivery (surplus shares, other payments) the row OTHER_PAYMENTS: every column adds up
    to the total, and a product's farmer share compares what was paid for its produce with
    what its sales brought (`kept_id`: the kept period whose rows to read)."""
    rows = (
        per_product(group, scope, period)
        if kept_id is None
        else kept_per_product(group, scope, period, kept_id)
    ).subquery("per_product")
    figures = household_figures(
        p, platform=as_int(rows.c.paid), attributed=as_int(rows.c.attributed)
    )
    joined = select().select_from(p).join(rows, rows.c.hid == p.c.household_id)
    statement = _by_product_key(joined, rows.c.pkey, group, figures)
    if filters.product_category:
        statement = statement.where(rows.c.pkey.in_(_keys_of(group, filters)))
    return statement


def _keys_of(group: GroupBy, filters: ImpactFilters) -> Select:
    """The keys of the products within the product category filter."""
    key = cast(product_key(group, Product), String)
    return select(key).where(Product.category == filters.product_category)
