"""Corrections and voids of what was recorded at a collection point (DESIGN 3, 4.1).

Nothing is deleted. A correction changes a collection's quantity, price, household or date in
place; a void marks a collection or a payment so that it counts nowhere. Either way one
RecordChange keeps the old and new values, who, when and why, and one audit entry is written.

In the same transaction the records derived from a collection follow it:
- the lot's quantities (an atomic conditional UPDATE: a lot that has been processed or shipped
  since and no longer holds enough refuses the change with 409 and nothing is written);
- its farmgate payment (amount, household, and date when the date is corrected; voided with it);
- the income attributions of every paid order whose chain reaches the lot, recomputed with the
  same largest-remainder rule, so they still sum exactly to each paid order line;
- the write-time aggregates: the payment and the attributions leave their old keys and join
  their new ones, in one upsert per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.numbers import format_quantity, unit_label
from linkage.plain_text import has_control_characters
from models import (
    AuditAction,
    ChangeAction,
    Collection,
    CollectionStatus,
    Lot,
    LotAllocation,
    Order,
    OrderLine,
    Payment,
    PaymentKind,
    RecordChange,
    User,
    utcnow,
)
from models.types import MAX_ID

from .. import aggregates, audit, income
from ..errors import Conflict, Invalid, NotFound, Unchanged
from ..scope import manages
from .checks import check_moment, delivery_amount, member_household, positive_quantity, unit_price
from .lineage import downstream_lot_ids
from .lots import change_delivered

MIN_REASON = 5
MAX_REASON = 1000
CORRECTABLE = ("quantity", "unit_price_vnd", "household_id", "collected_at")


def check_reason(reason: Any) -> str:
    """Why the record changes: 5 to 1,000 characters, no control characters (else 422)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < MIN_REASON:
        raise Invalid(
            _("Say why, in at least %(count)d characters.", count=MIN_REASON),
            field="reason",
        )
    if len(text) > MAX_REASON:
        raise Invalid(_("The reason is too long."), field="reason")
    if has_control_characters(text):
        raise Invalid(
            _("Remove the control characters (such as tabs or line breaks)."),
            field="reason",
        )
    return text


# --- reading ------------------------------------------------------------------------------------


def get_collection_for(actor: User, collection_id: int) -> Collection:
    """A collection of a cooperative the actor manages; 404 for any other (reveals nothing)."""
    collection = None
    if isinstance(collection_id, int) and 1 <= collection_id <= MAX_ID:
        collection = db.session.get(
            Collection,
            collection_id,
            options=[joinedload(Collection.lot).joinedload(Lot.product)],
        )
    if collection is None or not manages(actor, collection.lot.cooperative_id):
        raise NotFound(_("Delivery not found."))
    return collection


def get_payment_for(actor: User, payment_id: int) -> Payment:
    """A payment of a cooperative the actor manages; 404 for any other."""
    payment = None
    if isinstance(payment_id, int) and 1 <= payment_id <= MAX_ID:
        payment = db.session.get(Payment, payment_id)
    if payment is None or not manages(actor, payment.cooperative_id):
        raise NotFound(_("Payment not found."))
    return payment


# --- writing ------------------------------------------------------------------------------------


def _lock(record: Collection | Payment) -> None:
    """Concurrent changes of one record take turns, each starting from the previous one's
    result: FOR UPDATE on PostgreSQL (writing requests on SQLite begin IMMEDIATE)."""
    model = type(record)
    db.session.execute(select(model.id).where(model.id == record.id).with_for_update())
    db.session.refresh(record)


def _farmgate_payment(collection: Collection) -> Payment | None:
    return db.session.scalars(select(Payment).where(Payment.collection_id == collection.id)).first()


def _change_lot(lot: Lot, delta: Decimal) -> None:
    """Add `delta` (may be negative) to what the lot received and holds, atomically; a lot that
    no longer holds what would be taken away refuses with 409."""
    if delta == 0 or change_delivered(lot, delta):
        return
    # the lot no longer holds what would be taken out: say what it holds
    held = db.session.scalar(select(Lot.quantity_remaining).where(Lot.id == lot.id))
    raise Conflict(
        _(
            "Lot %(code)s now holds only %(held)s %(unit)s: the rest has been processed "
            "or shipped since this delivery, so %(taken)s %(unit)s cannot be taken out of "
            "it. Correct the processing or the shipment first.",
            code=lot.code,
            held=format_quantity(held),
            taken=format_quantity(-delta),
            unit=unit_label(lot.product.unit),
        ),
        field="quantity",
    )


def reattribute_from(lot_ids: Iterable[int], delta: aggregates.Delta | None = None) -> int:
    """Recompute the attributions of every paid order whose chain reaches these lots; returns
    the number of orders recomputed. The aggregates follow (into `delta` when given)."""
    downstream = downstream_lot_ids(set(lot_ids))
    if not downstream:
        return 0
    orders = db.session.scalars(
        select(Order)
        .where(
            Order.paid_at.is_not(None),
            Order.id.in_(
                select(OrderLine.order_id)
                .join(LotAllocation, LotAllocation.order_line_id == OrderLine.id)
                .where(LotAllocation.lot_id.in_(downstream))
            ),
        )
        .order_by(Order.id)
    ).all()
    changes = aggregates.Delta() if delta is None else delta
    for order in orders:
        income.attribute_order(order, changes)
    if delta is None:
        aggregates.apply(changes)
    return len(orders)


def _plain_values(collection: Collection) -> dict[str, Any]:
    return audit.snapshot(
        collection, ("quantity", "unit_price_vnd", "amount_vnd", "household_id", "collected_at")
    )


def keep_change(
    actor: User,
    record_type: str,
    record_id: int,
    action: ChangeAction,
    reason: str,
    old: dict[str, Any],
    new: dict[str, Any],
) -> RecordChange:
    """Keep one correction or void in the record's history, and audit it."""
    change = RecordChange(
        record_type=record_type,
        record_id=record_id,
        action=action,
        reason=reason,
        old_values=old,
        new_values=new,
        changed_by_id=actor.id,
        changed_at=utcnow(),
    )
    db.session.add(change)
    audit.record(
        actor,
        AuditAction.UPDATE,
        record_type,
        record_id,
        old=old,
        new={**new, "action": action.value},
        reason=reason,
    )
    return change


def _open(actor: User, collection: Collection, reason: str, when_void: str) -> str:
    """Take a delivery of the actor's cooperative for a change (404 for others), in turn with
    concurrent changes; refuse a void one with `when_void` (409); return the checked reason."""
    if not manages(actor, collection.lot.cooperative_id):
        raise NotFound(_("Delivery not found."))
    _lock(collection)
    if collection.is_void:
        raise Conflict(when_void)
    return check_reason(reason)


def correct_collection(
    actor: User,
    collection: Collection,
    reason: str,
    *,
    quantity: Decimal | None = None,
    unit_price_vnd: int | None = None,
    household_id: int | None = None,
    collected_at: datetime | None = None,
) -> Collection:
    """Correct a delivery's quantity, price, household or date; its lot, farmgate payment and
    the attributions downstream follow in the same transaction."""
    reason = _open(
        actor, collection, reason, _("This delivery is void; it can no longer be corrected.")
    )
    lot = collection.lot
    new_quantity = (
        collection.quantity if quantity is None else positive_quantity(quantity, "quantity")
    )
    new_price = collection.unit_price_vnd if unit_price_vnd is None else unit_price(unit_price_vnd)
    new_household_id = collection.household_id
    if household_id is not None:
        # a household that has left since may still be the one that delivered
        new_household_id = member_household(lot.cooperative_id, household_id, current_only=False).id
    new_at = collection.collected_at
    if collected_at is not None:
        new_at = check_moment(collected_at, "collected_at")
    new_amount = delivery_amount(new_quantity, new_price)
    old = _plain_values(collection)
    if (new_quantity, new_price, new_household_id, new_at) == (
        collection.quantity,
        collection.unit_price_vnd,
        collection.household_id,
        collection.collected_at,
    ):
        raise Unchanged(_("Nothing to correct: the values are the same."))
    # a savepoint: a refused lot change leaves nothing written even if the caller goes on
    with db.session.begin_nested():
        _change_lot(lot, new_quantity - collection.quantity)
        collection.quantity = new_quantity
        collection.unit_price_vnd = new_price
        collection.amount_vnd = new_amount
        collection.household_id = new_household_id
        collection.collected_at = new_at
        collection.status = CollectionStatus.CORRECTED
        payment = _farmgate_payment(collection)
        delta = aggregates.Delta()
        if payment is not None:
            delta.payment(payment, lot.product_id, sign=-1)
            payment.amount_vnd = new_amount
            payment.household_id = new_household_id
            payment.paid_at = new_at
            delta.payment(payment, lot.product_id)
        db.session.flush()
        new = _plain_values(collection)
        changed = {k for k in new if new[k] != old[k]}
        keep_change(
            actor,
            "collection",
            collection.id,
            ChangeAction.CORRECT,
            reason,
            {k: old[k] for k in sorted(changed)},
            {k: new[k] for k in sorted(changed)},
        )
        if {"quantity", "household_id"} & changed:
            reattribute_from([lot.id], delta)
        aggregates.apply(delta)
    db.session.expire(collection, ["household"])
    return collection


def void_collection(actor: User, collection: Collection, reason: str) -> Collection:
    """Void a delivery: its quantity leaves the lot, its farmgate payment is voided and the
    attributions downstream are recomputed without it."""
    reason = _open(actor, collection, reason, _("This delivery is already void."))
    lot = collection.lot
    old = {"status": collection.status.value, **_plain_values(collection)}
    with db.session.begin_nested():
        _change_lot(lot, -collection.quantity)
        collection.status = CollectionStatus.VOID
        now = utcnow()
        payment = _farmgate_payment(collection)
        delta = aggregates.Delta()
        if payment is not None and payment.voided_at is None:
            delta.payment(payment, lot.product_id, sign=-1)
            payment.voided_at = now
        db.session.flush()
        keep_change(
            actor,
            "collection",
            collection.id,
            ChangeAction.VOID,
            reason,
            old,
            {"status": CollectionStatus.VOID.value},
        )
        reattribute_from([lot.id], delta)
        aggregates.apply(delta)
    return collection


def void_payment(actor: User, payment: Payment, reason: str) -> Payment:
    """Void a surplus share or other payment; a farmgate payment goes with its delivery (409)."""
    if not manages(actor, payment.cooperative_id):
        raise NotFound(_("Payment not found."))
    if payment.kind == PaymentKind.FARMGATE:
        raise Conflict(
            _("A farmgate payment follows its delivery: correct or void the delivery instead."),
        )
    _lock(payment)
    if payment.is_void:
        raise Conflict(_("This payment is already void."))
    reason = check_reason(reason)
    old = audit.snapshot(payment, ("amount_vnd", "household_id", "paid_at", "kind"))
    delta = aggregates.Delta()
    delta.payment(payment, None, sign=-1)  # taken out of the totals as it stands
    aggregates.apply(delta)
    payment.voided_at = utcnow()
    db.session.flush()
    keep_change(
        actor,
        "payment",
        payment.id,
        ChangeAction.VOID,
        reason,
        old,
        {"voided_at": audit.snapshot(payment, ("voided_at",))["voided_at"]},
    )
    return payment
