"""Placed orders that no one accepted in time are cancelled, and their stock goes back on sale.

An order is not given a status of its own for this: it is `cancelled` (DESIGN 3 and the API's
status enum stay as they are), with the reason in its history and in the audit log, no actor
(the platform did it), and a notice to the buyer and to the cooperative's managers.

Each order moves by a conditional UPDATE from `placed`, so running the expiry twice, or while
a manager accepts the order, moves it once: an order accepted first is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from models import AuditAction, Order, OrderStatus, utcnow

from .. import audit
from .lifecycle import give_back_stock, record_event
from .notices import notify, notify_managers


@dataclass
class Expired:
    """What an expiry run did: the orders it cancelled, by id."""

    order_ids: list[int] = field(default_factory=list)


def _cancel_if_still_placed(order: Order, at: datetime) -> bool:
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == OrderStatus.PLACED)
        .values(status=OrderStatus.CANCELLED, closed_at=at)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def expire_placed_orders(not_accepted_within: timedelta, *, now: datetime | None = None) -> Expired:
    """Cancel the orders placed longer ago than `not_accepted_within` and still not accepted:
    stock back to the listings, history, audit, notices. Doing it again changes nothing."""
    now = now or utcnow()
    days = not_accepted_within.days
    reason = _("Not accepted within %(days)s days: cancelled automatically.", days=days)
    stale = db.session.scalars(
        select(Order)
        .where(Order.status == OrderStatus.PLACED, Order.placed_at < now - not_accepted_within)
        .order_by(Order.id)
        .options(selectinload(Order.lines))
    ).all()
    expired = Expired()
    for order in stale:
        if not _cancel_if_still_placed(order, now):
            continue  # accepted, rejected or cancelled since it was read
        give_back_stock(order)
        record_event(order, None, OrderStatus.PLACED, OrderStatus.CANCELLED, note=reason, at=now)
        audit.record(
            None,
            AuditAction.UPDATE,
            "order",
            order.id,
            old={"status": OrderStatus.PLACED},
            new={"status": OrderStatus.CANCELLED},
            reason=reason,
        )
        notify(order.buyer_id, order, "order_expired", at=now)
        notify_managers(order, "order_expired_unaccepted", at=now)
        expired.order_ids.append(order.id)
    db.session.flush()
    db.session.expire_all()  # the orders and listings changed by UPDATE statements
    return expired
