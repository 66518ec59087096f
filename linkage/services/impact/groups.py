"""The groupings of the impact summary, as GROUP BY statements over the household projection:
by place, by household group (ethnicity, official status), by cooperative and by product.

Each statement gives one row per group with a `key`, a `label` and the household figures; a
grouping that has market sales of its own also gives them by key.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    String,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    union_all,
)

from linkage.services.aggregates.keys import in_period
from linkage.services.periods import Period
from linkage.services.scope import Scope
from linkage.services.supports.queries import counted_supports
from models import (
    Commune,
    Cooperative,
    EthnicGroup,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
    ImpactOutbox,
    IncomeAttribution,
    KeptProductRow,
    Listing,
    Membership,
    OfficialStatus,
    OrderLine,
    Payment,
    PaymentKind,
    Product,
    Support,
)

from .filters import KINH, ImpactFilters
from .poverty import Transition
from .projection import Households, in_scope, kept_totals, only, paid_in
from .sales import as_int, sales_by

POOR, NEAR_POOR = OfficialStatus.POOR.value, OfficialStatus.NEAR_POOR.value
NOT_YET_KNOWN = "not_yet_known"  # the key of the row of households whose ethnicity is unknown
# by product: the rows of payments for no delivery, and for deliveries not yet sold
OTHER_PAYMENTS = "other_payments"
NOT_YET_SOLD = "not_yet_sold"


class GroupBy(enum.StrEnum):
    COMMUNE = "commune"
    REGION = "region"
    FORMER_PROVINCE = "former_province"
    COOPERATIVE = "cooperative"
    ETHNICITY = "ethnicity"
    ETHNICITY_GROUP = "ethnicity_group"
    PRODUCT = "product"
    PRODUCT_CATEGORY = "product_category"
    OFFICIAL_STATUS = "official_status"
    # a household with several programmes counts in each: the rows do not add up
    SUPPORT_PROGRAMME = "support_programme"


PLACES = (GroupBy.COMMUNE, GroupBy.REGION, GroupBy.FORMER_PROVINCE)
PRODUCTS = (GroupBy.PRODUCT, GroupBy.PRODUCT_CATEGORY)
TRANSITION_COUNTS = {
    Transition.EXIT: "projected_exits",
    Transition.IMPROVED: "projected_improved",
    Transition.UNCHANGED: "projected_unchanged",
    Transition.WORSENED: "projected_worsened",
}


def household_figures(
    p: Any, platform: Any = None, attributed: Any = None, *, once: bool = False
) -> list[Any]:
    """The aggregate columns over projection rows `p` (incomes overridable per group;
    `once`: each household is in one row of `p` only, so rows are counted without the sort
    a distinct count takes)."""
    platform = p.c.platform_income_vnd if platform is None else platform
    attributed = p.c.attributed_sales_vnd if attributed is None else attributed
    official = p.c.official_status

    def count_if(condition: Any) -> Any:
        return as_int(func.sum(case((condition, 1), else_=0)))

    return [
        (func.count() if once else func.count(func.distinct(p.c.household_id))).label("households"),
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
    if group in PLACES:
        return _place_rows(p, group), sales_by(_place_column(group), scope, period, filters)
    if group == GroupBy.COOPERATIVE:
        return _cooperative_rows(p, scope, period, filters), sales_by(
            Cooperative.id, scope, period, filters
        )
    if group in PRODUCTS:
        key = Product.code if group == GroupBy.PRODUCT else Product.category
        return _product_rows(p, group, scope, period, filters, kept_id), sales_by(
            key, scope, period, filters
        )
    if group == GroupBy.SUPPORT_PROGRAMME:
        return _support_rows(p, period), None
    return _household_group_rows(p, group), None


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


def _place_rows(p: Any, group: GroupBy) -> Select:
    column = _place_column(group)
    label = Commune.name if group == GroupBy.COMMUNE else literal("")
    return (
        select(
            column.label("key"), func.min(label).label("label"), *household_figures(p, once=True)
        )
        .select_from(p)
        .join(Commune, Commune.code == p.c.commune_code)
        .group_by(column)
    )


def _household_group_rows(p: Any, group: GroupBy) -> Select:
    if group == GroupBy.ETHNICITY:
        key = func.coalesce(p.c.ethnic_group_code, NOT_YET_KNOWN)
        return (
            select(
                key.label("key"),
                func.coalesce(func.min(EthnicGroup.name_vi), "").label("label"),
                *household_figures(p, once=True),
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
    figures = household_figures(p, once=True)
    return select(key.label("key"), literal("").label("label"), *figures).group_by(key)


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


def per_product(
    group: GroupBy, scope: Scope, period: Period, households: Households = None
) -> Select:
    """Each household's income in the period by product (or category) as sold: hid, pkey,
    paid (its payments' parts), attributed (its attributed sales); `households`: those
    households only, else every household in scope."""
    incomes = union_all(
        _attributed_by_product(group, scope, period, households),
        *_payments_by_product(group, scope, period, households),
    ).subquery("incomes")
    return (
        select(
            incomes.c.hid,
            incomes.c.pkey,
            as_int(func.sum(incomes.c.paid)).label("paid"),
            as_int(func.sum(incomes.c.attributed)).label("attributed"),
        )
        .group_by(incomes.c.hid, incomes.c.pkey)
        # a household's row of a key holds at least one of its payments or attributions
        .having(func.sum(incomes.c.n) > 0)
    )


def _kept_per_product(group: GroupBy, scope: Scope, period: Period, kept_id: int) -> Select:
    """per_product from the kept rows of the period, but for the households in the outbox,
    computed live in the same statement (as the kept projections are read)."""
    k = KeptProductRow
    changed = exists().where(ImpactOutbox.household_id == k.household_id)
    stored = select(
        k.household_id.label("hid"),
        k.pkey,
        k.paid_vnd.label("paid"),
        k.attributed_vnd.label("attributed"),
    ).where(
        k.period_id == kept_id,
        k.grouping == group.value,
        ~changed,
        *in_scope(k.household_id, scope),  # a commune's rows only, read by their key
    )
    return union_all(stored, per_product(group, scope, period, select(ImpactOutbox.household_id)))


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
        else _kept_per_product(group, scope, period, kept_id)
    ).subquery("per_product")
    named = group == GroupBy.PRODUCT
    statement = (
        select(
            rows.c.pkey.label("key"),
            (func.min(Product.name_vi) if named else literal("")).label("label"),
            *household_figures(
                p, platform=as_int(rows.c.paid), attributed=as_int(rows.c.attributed)
            ),
        )
        .select_from(p)
        .join(rows, rows.c.hid == p.c.household_id)
        .group_by(rows.c.pkey)
    )
    if named:
        statement = statement.outerjoin(Product, Product.code == rows.c.pkey)
    if filters.product_category:
        statement = statement.where(rows.c.pkey.in_(_keys_of(group, filters)))
    return statement


def _product_key(group: GroupBy, product: Any) -> Any:
    return product.code if group == GroupBy.PRODUCT else product.category


def _keys_of(group: GroupBy, filters: ImpactFilters) -> Select:
    """The keys of the products within the product category filter."""
    key = cast(_product_key(group, Product), String)
    return select(key).where(Product.category == filters.product_category)


def _sold_as(group: GroupBy, first: Any, *others: Any) -> tuple[Select, Any]:
    """Columns of each attribution, the key of the product its order line sold second (the
    statement, and the key)."""
    key = cast(_product_key(group, Product), String).label("pkey")
    statement = (
        select(first, key, *others)
        .select_from(IncomeAttribution)
        .join(OrderLine, OrderLine.id == IncomeAttribution.order_line_id)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .join(Product, Product.id == Listing.product_id)
    )
    return statement, key


def _attributed_by_product(
    group: GroupBy, scope: Scope, period: Period, households: Households
) -> Select:
    statement, _key = _sold_as(
        group,
        IncomeAttribution.household_id.label("hid"),
        cast(literal(0), BigInteger).label("paid"),
        cast(IncomeAttribution.amount_vnd, BigInteger).label("attributed"),
        literal(1).label("n"),
    )
    return statement.where(
        *paid_in(IncomeAttribution, period),
        *only(IncomeAttribution.household_id, households, scope),
    )


def _payments_by_product(
    group: GroupBy, scope: Scope, period: Period, households: Households
) -> list[Select]:
    """Each payment of the period as parts by product: a farmgate payment split by where its
    delivery sold (largest part takes the rounding remainder, so parts add up exactly).

    Only the payments of deliveries that sold are split here, one by one; the others are
    whole, so their rows come from the write-time aggregates: payments for no delivery are
    the household's other kinds, and payments for deliveries not yet sold its farmgate total
    less the payments split. A column `n` counts the payments (or attributions) in a row, so
    that a household has a row for a key exactly when one of its payments (or attributed
    sales) falls there, even of 0 dong."""
    statement, key = _sold_as(
        group,
        IncomeAttribution.collection_id.label("cid"),
        as_int(func.sum(IncomeAttribution.amount_vnd)).label("amount"),
    )
    # the attributions of a delivery are its household's: those of the households asked
    flows = (
        statement.where(*only(IncomeAttribution.household_id, households, scope))
        .group_by(IncomeAttribution.collection_id, key)
        .subquery("flows")
    )
    weighted = select(
        flows.c.cid,
        flows.c.pkey,
        flows.c.amount,
        cast(func.sum(flows.c.amount).over(partition_by=flows.c.cid), BigInteger).label("whole"),
        func.row_number()
        .over(partition_by=flows.c.cid, order_by=(flows.c.amount.desc(), flows.c.pkey))
        .label("rank"),
    ).subquery("weighted")
    amount = cast(Payment.amount_vnd, BigInteger)
    # payments for deliveries that sold: one part per product their delivery sold as (read
    # from the flows, each finding its payment by the payment's unique collection id)
    parts = (
        select(
            Payment.id.label("pid"),
            Payment.household_id.label("hid"),
            amount.label("amount"),
            cast(weighted.c.pkey, String).label("pkey"),
            case(
                (weighted.c.whole > 0, amount * weighted.c.amount // weighted.c.whole),
                else_=amount,
            ).label("part"),
            weighted.c.rank.label("rank"),
        )
        .select_from(weighted)
        .join(Payment, Payment.collection_id == weighted.c.cid)
        .where(*paid_in(Payment, period), *only(Payment.household_id, households, scope))
        .cte("parts")
    )
    remainder = parts.c.amount - func.sum(parts.c.part).over(partition_by=parts.c.pid)
    split = select(
        parts.c.hid,
        parts.c.pkey,
        cast(parts.c.part + case((parts.c.rank == 1, remainder), else_=0), BigInteger).label(
            "paid"
        ),
        cast(literal(0), BigInteger).label("attributed"),
        literal(1).label("n"),
    )
    # the payments split, taken out of the household's farmgate total (once each)
    taken_out = select(
        parts.c.hid,
        cast(literal(NOT_YET_SOLD), String),
        -parts.c.amount,
        cast(literal(0), BigInteger),
        literal(-1),
    ).where(parts.c.rank == 1)
    income = HouseholdMonthIncome
    whole = select(
        income.household_id,
        cast(
            case(
                (income.kind == PaymentKind.FARMGATE.value, literal(NOT_YET_SOLD)),
                else_=literal(OTHER_PAYMENTS),
            ),
            String,
        ),
        cast(income.amount_vnd, BigInteger),
        cast(literal(0), BigInteger),
        income.payments,
    ).where(in_period(income.month, period), *only(income.household_id, households, scope))
    return [split, taken_out, whole]
