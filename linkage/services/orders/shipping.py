"""Shipping an accepted order from lots: each line covered exactly, from lots that hold it.

Lot quantities change only by an atomic conditional UPDATE, so two shipments drawing on
the same lot at once never take more than it holds: the second gets 409 and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update

from linkage.extensions import db
from linkage.numbers import format_quantity
from models import Lot, LotAllocation, Order, User, to_quantity, utcnow

from ..errors import Conflict, Invalid, NotFound
from .lifecycle import may_act, move, not_found


@dataclass(frozen=True)
class AllocationRequest:
    line_id: int
    lot_id: int
    quantity: Decimal


def _per_lot(
    order: Order, allocations: Sequence[AllocationRequest]
) -> dict[tuple[int, int], Decimal]:
    """The requested quantity per (line, lot), each line covered exactly. A line of another
    order is 404; lots that do not add up to a line's quantity are 409: the order's lines,
    which no document can describe, decide."""
    lines = {line.id: line for line in order.lines}
    covered: dict[int, Decimal] = defaultdict(Decimal)
    per_lot: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for allocation in allocations:
        if allocation.line_id not in lines:
            raise NotFound(_("Unknown order line."), field="allocations")
        quantity = to_quantity(allocation.quantity)
        if quantity <= 0:
            raise Invalid(_("Quantities must be above zero."), field="quantity")
        covered[allocation.line_id] += quantity
        per_lot[(allocation.line_id, allocation.lot_id)] += quantity
    for line_id, line in lines.items():
        if covered.get(line_id, Decimal(0)) != line.quantity:
            raise Conflict(
                _(
                    "The lots for %(title)s must add up to exactly %(quantity)s.",
                    title=line.listing.title,
                    quantity=format_quantity(line.quantity, line.listing.product.unit),
                ),
                field="allocations",
            )
    return dict(per_lot)


def _check_lots(order: Order, per_lot: dict[tuple[int, int], Decimal]) -> dict[int, Lot]:
    """The lots named: the cooperative's own (404 otherwise), of each line's product (409)."""
    lot_ids = {lot_id for _line, lot_id in per_lot}
    lots = {lot.id: lot for lot in db.session.scalars(select(Lot).where(Lot.id.in_(lot_ids)))}
    products = {line.id: line.listing.product_id for line in order.lines}
    for line_id, lot_id in per_lot:
        lot = lots.get(lot_id)
        if lot is None or lot.cooperative_id != order.cooperative_id:
            raise NotFound(_("Lot not found."), field="allocations")
        if lot.product_id != products[line_id]:
            raise Conflict(
                _("Lot %(code)s holds another product than the order line.", code=lot.code),
                field="allocations",
            )
    return lots


def ship_order(
    actor: User,
    order: Order,
    allocations: Sequence[AllocationRequest],
    *,
    at: datetime | None = None,
) -> Order:
    """Ship an accepted order from lots: each line exactly covered, same product, lots held."""
    if not may_act(actor, order, "ship"):
        raise not_found()
    per_lot = _per_lot(order, allocations)
    lots = _check_lots(order, per_lot)
    when = at or utcnow()
    move(actor, order, "ship", at=when)
    # Lots are taken in id order, so concurrent multi-lot shipments never deadlock.
    for (line_id, lot_id), quantity in sorted(per_lot.items(), key=lambda item: item[0][::-1]):
        taken = db.session.execute(
            update(Lot)
            .where(Lot.id == lot_id, Lot.quantity_remaining >= quantity)
            .values(quantity_remaining=Lot.quantity_remaining - quantity)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            lot = lots[lot_id]
            db.session.refresh(lot)
            raise Conflict(
                _(
                    "Lot %(code)s holds only %(available)s.",
                    code=lot.code,
                    available=format_quantity(lot.quantity_remaining, lot.product.unit),
                ),
                field="allocations",
            )
        db.session.add(
            LotAllocation(
                order_line_id=line_id, lot_id=lot_id, quantity=quantity, allocated_at=when
            )
        )
    db.session.flush()
    return order


def shipping_lots(order: Order, limit: int = 200) -> dict[int, list[Lot]]:
    """Lots of the order's cooperative holding its lines' products, by product id."""
    product_ids = {line.listing.product_id for line in order.lines}
    lots = db.session.scalars(
        select(Lot)
        .where(
            Lot.cooperative_id == order.cooperative_id,
            Lot.product_id.in_(product_ids),
            Lot.quantity_remaining > 0,
        )
        .order_by(Lot.created_at, Lot.id)
        .limit(limit)
    ).all()
    by_product: dict[int, list[Lot]] = defaultdict(list)
    for lot in lots:
        by_product[lot.product_id].append(lot)
    return dict(by_product)
