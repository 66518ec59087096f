"""The order lifecycle after placing: accept, reject, cancel, deliver, pay; its history.

States (DESIGN 3): placed -> accepted -> shipped -> delivered -> paid; placed -> rejected;
placed or accepted -> cancelled. Every change is a conditional UPDATE on the current state,
so two people acting at once cannot both move an order: the second gets 409.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import update

from linkage.extensions import db
from models import (
    Listing,
    Order,
    OrderEvent,
    OrderStatus,
    Role,
    User,
    utcnow,
)

from .. import income
from ..errors import Conflict, NotFound
from ..listings import restocked_status
from ..scope import manages
from .labels import action_label, status_label
from .notices import notify, notify_managers

# Which states each action may start from (in this order), and where it leads.
TRANSITIONS: dict[str, tuple[tuple[OrderStatus, ...], OrderStatus]] = {
    "accept": ((OrderStatus.PLACED,), OrderStatus.ACCEPTED),
    "reject": ((OrderStatus.PLACED,), OrderStatus.REJECTED),
    "cancel": ((OrderStatus.PLACED, OrderStatus.ACCEPTED), OrderStatus.CANCELLED),
    "ship": ((OrderStatus.ACCEPTED,), OrderStatus.SHIPPED),
    "deliver": ((OrderStatus.SHIPPED,), OrderStatus.DELIVERED),
    "pay": ((OrderStatus.DELIVERED,), OrderStatus.PAID),
}
MANAGER_ACTIONS = frozenset({"accept", "reject", "ship", "pay"})
BUYER_ACTIONS = frozenset({"cancel", "deliver"})
OPEN_STATES = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.SHIPPED)
# The states whose lines hold listing stock: shipping draws on lots, and every other state
# has given the stock back (rejected, cancelled) or sold it (shipped and later).
RESERVING_STATES = (OrderStatus.PLACED, OrderStatus.ACCEPTED)
TIMESTAMP_OF = {
    OrderStatus.ACCEPTED: "accepted_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.PAID: "paid_at",
    OrderStatus.REJECTED: "closed_at",
    OrderStatus.CANCELLED: "closed_at",
}


def not_found() -> NotFound:
    return NotFound(_("Order not found."))


def may_act(actor: User, order: Order, action: str) -> bool:
    """Managers (and admins) act for the cooperative; the buyer acts on their own order."""
    if action in MANAGER_ACTIONS:
        return manages(actor, order.cooperative_id)
    return actor.role == Role.BUYER and order.buyer_id == actor.id


def move(
    actor: User, order: Order, action: str, *, note: str | None = None, at: datetime | None = None
) -> None:
    """Move the order by a conditional UPDATE on its current state; 409 when it moved on."""
    sources, target = TRANSITIONS[action]
    if not may_act(actor, order, action):
        raise not_found()
    when = at or utcnow()
    previous = None
    for source in sources:  # one UPDATE per source state, so the history names the right one
        moved = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == source)
            .values({"status": target, TIMESTAMP_OF[target]: when})
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            previous = source
            break
    db.session.refresh(order)
    if previous is None:
        raise Conflict(
            _(
                "This order is %(status)s and cannot be %(action)s.",
                status=status_label(order.status),
                action=action_label(action),
            ),
        )
    record_event(order, actor, previous, target, note=note, at=when)
    if actor.role == Role.BUYER:
        notify_managers(order, f"order_{target.value}", at=when)
    else:
        notify(order.buyer_id, order, f"order_{target.value}", at=when)


def return_stock(listing_id: int, quantity: Decimal) -> None:
    """Give reserved stock back (the same restocking rule as a manager adding stock)."""
    db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id)
        .values(
            quantity_available=Listing.quantity_available + quantity,
            status=restocked_status(),
        )
        .execution_options(synchronize_session=False)
    )


def give_back_stock(order: Order) -> None:
    """Return every line's reserved quantity to its listing."""
    for line in sorted(order.lines, key=lambda line: line.listing_id):  # a fixed lock order
        return_stock(line.listing_id, line.quantity)


def accept_order(actor: User, order: Order, *, at: datetime | None = None) -> Order:
    """The cooperative accepts a placed order (its stock stays reserved)."""
    move(actor, order, "accept", at=at)
    return order


def reject_order(
    actor: User, order: Order, reason: str | None = None, *, at: datetime | None = None
) -> Order:
    """Reject a placed order; its stock goes back to the listings."""
    move(actor, order, "reject", note=reason, at=at)
    give_back_stock(order)
    return order


def cancel_order(
    actor: User, order: Order, reason: str | None = None, *, at: datetime | None = None
) -> Order:
    """The buyer cancels before shipping; stock goes back to the listings."""
    move(actor, order, "cancel", note=reason, at=at)
    give_back_stock(order)
    return order


def deliver_order(actor: User, order: Order, *, at: datetime | None = None) -> Order:
    """The buyer confirms that a shipped order arrived."""
    move(actor, order, "deliver", at=at)
    return order


def pay_order(
    actor: User, order: Order, paid_at: datetime | None = None, reference: str | None = None
) -> Order:
    """Record that the buyer paid, and attribute the income to the households (DESIGN 4.2)."""
    if paid_at is not None and paid_at > utcnow():
        raise Conflict(_("The payment date is in the future."), field="paid_at")
    if paid_at is not None and paid_at < order.placed_at:
        # the order's own record, not the request, decides: 409
        raise Conflict(_("The payment date is before the order was placed."), field="paid_at")
    move(actor, order, "pay", at=paid_at, note=reference)
    if reference:
        order.payment_reference = reference
    try:
        income.attribute_order(order, sold=True)
    except ValueError:
        # Lots are only filled by collections and transformations, so this means broken data.
        raise Conflict(
            _(
                "The lots of this order have no recorded source; the payment cannot be linked "
                "to the member households."
            ),
        ) from None
    return order


def record_event(
    order: Order,
    actor: User | None,
    previous: OrderStatus | None,
    target: OrderStatus,
    *,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append a step to the order's history."""
    db.session.add(
        OrderEvent(
            order_id=order.id,
            actor_id=actor.id if actor else None,
            from_status=previous,
            to_status=target,
            note=note,
            occurred_at=at or utcnow(),
        )
    )
