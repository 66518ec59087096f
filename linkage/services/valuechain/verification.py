"""Every derived record recomputed from what managers recorded, and compared (or rebuilt).

Attributions of paid orders, farmgate payments and collection lots' quantities are kept in
the same transaction as the records they come from; this module checks that they still agree,
for `flask --app linkage records verify`, and rebuilds those that do not with `--rebuild`
(the write-time aggregates follow what it rewrites; `flask aggregates verify` checks them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from linkage.extensions import db
from models import (
    Collection,
    CollectionStatus,
    IncomeAttribution,
    Lot,
    LotOrigin,
    Order,
    Payment,
)

from .. import aggregates, income
from ..counted import counted


@dataclass
class Findings:
    """What disagrees with the records: order ids, collection ids, lot codes."""

    orders: list[int] = field(default_factory=list)
    payments: list[int] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.orders or self.payments or self.lots)


def _stored(order_id: int) -> set[tuple[int, int, int, int]]:
    return {
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            select(
                IncomeAttribution.order_line_id,
                IncomeAttribution.collection_id,
                IncomeAttribution.household_id,
                IncomeAttribution.amount_vnd,
            ).where(IncomeAttribution.order_id == order_id)
        )
    }


def verify(*, rebuild: bool = False) -> Findings:
    """Compare every derived record with its recomputation; with `rebuild`, rewrite those
    that differ (attributions recomputed, farmgate payments made to follow their delivery)."""
    found = Findings()
    for order in db.session.scalars(
        select(Order).where(Order.paid_at.is_not(None)).order_by(Order.id)
    ):
        expected = {
            (r["order_line_id"], r["collection_id"], r["household_id"], r["amount_vnd"])
            for r in income.compute(order).rows
        }
        if expected != _stored(order.id):
            found.orders.append(order.id)
            if rebuild:
                income.attribute_order(order)
    for collection, payment in db.session.execute(
        select(Collection, Payment)
        .outerjoin(Payment, Payment.collection_id == Collection.id)
        .where(
            (Payment.id.is_(None))
            | (Payment.amount_vnd != Collection.amount_vnd)
            | (Payment.household_id != Collection.household_id)
            | ((Collection.status == CollectionStatus.VOID) != Payment.voided_at.is_not(None))
        )
        .order_by(Collection.id)
    ).all():
        found.payments.append(collection.id)
        if rebuild and payment is not None:
            product_id = collection.lot.product_id
            # the payment leaves its totals as it was and joins them as it is
            delta = aggregates.Delta()
            delta.payment(payment, product_id, sign=-1)
            payment.amount_vnd = collection.amount_vnd
            payment.household_id = collection.household_id
            if collection.is_void and payment.voided_at is None:
                payment.voided_at = collection.created_at
            delta.payment(payment, product_id)
            aggregates.apply(delta)
    collected = (
        select(Collection.lot_id, func.sum(Collection.quantity).label("quantity"))
        .where(*counted(Collection))
        .group_by(Collection.lot_id)
        .subquery()
    )
    found.lots = list(
        db.session.scalars(
            select(Lot.code)
            .outerjoin(collected, collected.c.lot_id == Lot.id)
            .where(
                Lot.origin == LotOrigin.COLLECTION,
                Lot.quantity_in != func.coalesce(collected.c.quantity, 0),
            )
            .order_by(Lot.code)
        )
    )
    db.session.flush()
    return found
