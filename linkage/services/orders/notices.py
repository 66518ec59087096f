"""In-app notices: a manager hears of new orders, a buyer of changes to their orders.

The lifecycle writes the rows (kind "order_placed", "order_accepted", ...) with `notify` and
`notify_managers`; the notices page reads them, counts the unread ones and turns each into a
sentence in the reader's language.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from models import Notice, Order, User, manager_cooperatives, utcnow

# What each kind of notice says: to the managers, the buyer did something (%(buyer)s); to the
# buyer, the cooperative did (%(cooperative)s).
SENTENCES = {
    "order_placed": _l("New order no. %(number)s from %(buyer)s."),
    "order_cancelled": _l("%(buyer)s cancelled order no. %(number)s."),
    "order_delivered": _l("%(buyer)s confirmed the delivery of order no. %(number)s."),
    "order_accepted": _l("%(cooperative)s accepted your order no. %(number)s."),
    "order_rejected": _l("%(cooperative)s rejected your order no. %(number)s."),
    "order_shipped": _l("%(cooperative)s shipped your order no. %(number)s."),
    "order_paid": _l("%(cooperative)s recorded your payment for order no. %(number)s."),
    # an order no one accepted in time, cancelled by the platform (`expiry`): to the buyer...
    "order_expired": _l(
        "Your order no. %(number)s was cancelled: %(cooperative)s did not accept it in time."
    ),
    # ... and to the cooperative's managers
    "order_expired_unaccepted": _l(
        "Order no. %(number)s from %(buyer)s was cancelled because it was not accepted in time; "
        "its stock is back on sale."
    ),
}


def notify(user_id: int, order: Order, kind: str, *, at: datetime | None = None) -> None:
    """An in-app notice about the order for one user."""
    db.session.add(Notice(user_id=user_id, order_id=order.id, kind=kind, created_at=at or utcnow()))


def notify_managers(order: Order, kind: str, *, at: datetime | None = None) -> None:
    """A notice for every manager of the order's cooperative."""
    manager_ids = db.session.scalars(
        select(manager_cooperatives.c.user_id).where(
            manager_cooperatives.c.cooperative_id == order.cooperative_id
        )
    ).all()
    for user_id in manager_ids:
        notify(user_id, order, kind, at=at)


def notices_query(user: User) -> Select:
    """The user's notices, newest first, with what their sentences need."""
    return (
        select(Notice)
        .where(Notice.user_id == user.id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .options(
            selectinload(Notice.order).selectinload(Order.cooperative),
            selectinload(Notice.order)
            .selectinload(Order.buyer)
            .selectinload(User.buyer_organisation),
        )
    )


def unread_count(user: User) -> int:
    """How many of the user's notices are unread (one COUNT on an indexed column pair)."""
    return (
        db.session.scalar(
            select(func.count(Notice.id)).where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_all_read(user: User) -> int:
    """Mark every unread notice of the user as read; returns how many."""
    result = db.session.execute(
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _buyer_name(order: Order) -> str:
    organisation = order.buyer.buyer_organisation
    return organisation.name if organisation is not None else _("a buyer")


def sentence(notice: Notice) -> str:
    """What the notice says, in the current language."""
    order = notice.order
    if order is None:
        return _("Something changed in your account.")
    template = SENTENCES.get(notice.kind)
    if template is None:
        return _("Order no. %(number)s changed.", number=order.id)
    return str(template) % {
        "number": order.id,
        "cooperative": order.cooperative.name,
        "buyer": _buyer_name(order),
    }
