"""The aggregates recomputed from the records, as set-based SQL: what each table should hold
(`expected`), and `rebuild`, which replaces what they hold with it.

The same definitions as the impact figures: counted payments (not void) by the Vietnam month
they were paid in; farmgate payments and attributions by the product of their delivery's lot;
paid orders' lines by the month the order was paid and the product of the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)

from linkage.extensions import db
from models import (
    Collection,
    CooperativeMonthSales,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
    IncomeAttribution,
    Listing,
    Lot,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
)

from ..counted import counted
from . import outbox
from .keys import vietnam_month


def _sum(column: Any, name: str) -> Any:
    return cast(func.sum(column), BigInteger).label(name)


def _count(name: str) -> Any:
    return cast(func.count(), Integer).label(name)


def expected_income() -> Select:
    """household_id, month, cooperative_id, kind, amount_vnd, payments."""
    month = vietnam_month(Payment.paid_at)
    return (
        select(
            Payment.household_id,
            month.label("month"),
            Payment.cooperative_id,
            Payment.kind,
            _sum(Payment.amount_vnd, "amount_vnd"),
            _count("payments"),
        )
        .where(*counted(Payment))
        .group_by(Payment.household_id, month, Payment.cooperative_id, Payment.kind)
    )


def expected_products() -> Select:
    """household_id, month, cooperative_id, product_id, farmgate_vnd, farmgate_payments,
    attributed_vnd."""
    zero = cast(literal(0), BigInteger)
    paid = select(
        Payment.household_id.label("household_id"),
        vietnam_month(Payment.paid_at).label("month"),
        Payment.cooperative_id.label("cooperative_id"),
        Payment.collection_id.label("collection_id"),
        Payment.amount_vnd.label("farmgate"),
        cast(literal(1), Integer).label("payments"),
        zero.label("attributed"),
    ).where(Payment.kind == PaymentKind.FARMGATE, *counted(Payment))
    attributed = select(
        IncomeAttribution.household_id,
        vietnam_month(IncomeAttribution.paid_at),
        IncomeAttribution.cooperative_id,
        IncomeAttribution.collection_id,
        zero,
        cast(literal(0), Integer),
        IncomeAttribution.amount_vnd,
    )
    incomes = union_all(paid, attributed).subquery("incomes")
    keys = (incomes.c.household_id, incomes.c.month, incomes.c.cooperative_id, Lot.product_id)
    return (
        select(
            *keys,
            _sum(incomes.c.farmgate, "farmgate_vnd"),
            cast(func.sum(incomes.c.payments), Integer).label("farmgate_payments"),
            _sum(incomes.c.attributed, "attributed_vnd"),
        )
        .select_from(incomes)
        .join(Collection, Collection.id == incomes.c.collection_id)
        .join(Lot, Lot.id == Collection.lot_id)
        .group_by(*keys)
    )


def expected_sales() -> Select:
    """cooperative_id, month, product_id, sales_vnd, lines."""
    month = vietnam_month(Order.paid_at)
    return (
        select(
            Order.cooperative_id,
            month.label("month"),
            Listing.product_id,
            _sum(OrderLine.amount_vnd, "sales_vnd"),
            _count("lines"),
        )
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .where(Order.status == OrderStatus.PAID, Order.paid_at.is_not(None))
        .group_by(Order.cooperative_id, month, Listing.product_id)
    )


# each table with the statement giving the rows it should hold
EXPECTED = (
    (HouseholdMonthIncome.__table__, expected_income),
    (HouseholdMonthProduct.__table__, expected_products),
    (CooperativeMonthSales.__table__, expected_sales),
)


@dataclass(frozen=True)
class Rebuilt:
    """Rows written per table."""

    rows: dict[str, int]


def rebuild() -> Rebuilt:
    """Replace every aggregate row by its recomputation from the records (flushes; the caller
    commits, so readers see the old sums or the new ones, never a half-built table)."""
    db.session.flush()
    if db.session.connection().dialect.name == "postgresql":
        # writers wait until this commits; those that committed before are in the sums
        names = ", ".join(table.name for table, _expected in EXPECTED)
        db.session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    written: dict[str, int] = {}
    for table, expected in EXPECTED:
        db.session.execute(delete(table))
        source = expected()
        columns = [column.name for column in source.selected_columns]
        db.session.execute(insert(table).from_select(columns, source))
        written[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
    # any household's sums may differ from what its kept projections were computed from
    outbox.changed([outbox.EVERY_HOUSEHOLD])
    return Rebuilt(rows=written)
