"""In-app notices: a manager hears of new orders, a buyer of changes to their orders.

The order service writes the rows (kind "order_placed", "order_accepted", ...); this module
reads them, counts the unread ones and turns each into a sentence in the reader's language.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from models import Notice, Order, User, utcnow


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
    number = order.id
    cooperative = order.cooperative.name
    buyer = _buyer_name(order)
    sentences = {
        "order_placed": lambda: _(
            "New order no. %(number)s from %(buyer)s.", number=number, buyer=buyer
        ),
        "order_cancelled": lambda: _(
            "%(buyer)s cancelled order no. %(number)s.", number=number, buyer=buyer
        ),
        "order_delivered": lambda: _(
            "%(buyer)s confirmed the delivery of order no. %(number)s.", number=number, buyer=buyer
        ),
        "order_accepted": lambda: _(
            "%(cooperative)s accepted your order no. %(number)s.",
            number=number,
            cooperative=cooperative,
        ),
        "order_rejected": lambda: _(
            "%(cooperative)s rejected your order no. %(number)s.",
            number=number,
            cooperative=cooperative,
        ),
        "order_shipped": lambda: _(
            "%(cooperative)s shipped your order no. %(number)s.",
            number=number,
            cooperative=cooperative,
        ),
        "order_paid": lambda: _(
            "%(cooperative)s recorded your payment for order no. %(number)s.",
            number=number,
            cooperative=cooperative,
        ),
    }
    make = sentences.get(notice.kind)
    if make is None:
        return _("Order no. %(number)s changed.", number=number)
    return make()
