"""Each household's income in a period by the product (or product category) it was sold as:
its attributed sales by the product of the order line, and each of its payments split over
the products its delivery was sold as; the rest whole, as not yet sold or for no delivery.
The summary by product groups these rows (`groups`), and the worker keeps them for the
standard period (`kept`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Select, String, case, cast, func, literal, select, union_all

from linkage.services.aggregates.keys import in_period
from linkage.services.periods import Period
from linkage.services.scope import Scope
from models import (
    HouseholdMonthIncome,
    IncomeAttribution,
    KeptProductRow,
    Listing,
    OrderLine,
    Payment,
    PaymentKind,
    Product,
)

from .grouping import NOT_YET_SOLD, OTHER_PAYMENTS, GroupBy, product_key
from .projection import Households, in_scope, only, paid_in, stored_and_live
from .sales import as_int


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


def stored_product_rows(grouping: str, kept_id: int) -> Select:
    """per_product's columns from the rows kept for a period (`grouping`: a product
    grouping, or `cells.MONTH` for the rows by month)."""
    k = KeptProductRow
    return select(
        k.household_id.label("hid"),
        k.pkey,
        k.paid_vnd.label("paid"),
        k.attributed_vnd.label("attributed"),
    ).where(k.period_id == kept_id, k.grouping == str(grouping))


def kept_per_product(group: GroupBy, scope: Scope, period: Period, kept_id: int) -> Any:
    """per_product from the kept rows of the period, but for the households in the outbox,
    computed live in the same statement (as the kept projections are read)."""
    k = KeptProductRow
    # a commune's rows only, read by their key
    stored = stored_product_rows(group, kept_id).where(*in_scope(k.household_id, scope))
    return stored_and_live(
        stored, k.household_id, lambda changed: per_product(group, scope, period, changed)
    )


def _sold_as(group: GroupBy, first: Any, *others: Any) -> tuple[Select, Any]:
    """Columns of each attribution, the key of the product its order line sold second (the
    statement, and the key)."""
    key = cast(product_key(group, Product), String).label("pkey")
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
