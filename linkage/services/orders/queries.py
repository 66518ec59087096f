"""Reading orders: the ones each actor may see, and one order with its history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from models import (
    Listing,
    LotAllocation,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Role,
    User,
    manager_cooperatives,
    utcnow,
)

from .lifecycle import not_found


def orders_query(
    actor: User, *, status: OrderStatus | None = None, cooperative_id: int | None = None
) -> Select:
    """The orders an actor may see: a buyer's own, a manager's cooperatives', all for admins."""
    statement = select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if actor.role == Role.BUYER:
        statement = statement.where(Order.buyer_id == actor.id)
    elif actor.role == Role.MANAGER:
        statement = statement.where(
            Order.cooperative_id.in_(
                select(manager_cooperatives.c.cooperative_id).where(
                    manager_cooperatives.c.user_id == actor.id
                )
            )
        )
    elif actor.role != Role.ADMIN:
        statement = statement.where(False)
    if status is not None:
        statement = statement.where(Order.status == status)
    if cooperative_id is not None:
        statement = statement.where(Order.cooperative_id == cooperative_id)
    lines = selectinload(Order.lines)
    return statement.options(
        lines.selectinload(OrderLine.listing).selectinload(Listing.product),
        lines.selectinload(OrderLine.allocations).selectinload(LotAllocation.lot),
        selectinload(Order.cooperative),
        selectinload(Order.buyer).selectinload(User.buyer_organisation),
    )


def get_order_for(actor: User, order_id: int) -> Order:
    """An order the actor may see (its buyer, managers of its cooperative, admins); else 404."""
    order = db.session.scalars(
        orders_query(actor)
        .where(Order.id == order_id)
        .options(
            selectinload(Order.events)
            .selectinload(OrderEvent.actor)
            .selectinload(User.buyer_organisation),
        )
    ).first()
    if order is None:
        raise not_found()
    return order


def recent_order_of_listing(buyer: User, listing_id: int, within: timedelta) -> Order | None:
    """The buyer's latest order of this listing placed less than `within` ago and not
    cancelled or rejected: the order a second submission of the form may repeat by mistake."""
    return db.session.scalars(
        select(Order)
        .where(
            Order.buyer_id == buyer.id,
            Order.placed_at >= utcnow() - within,
            Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.REJECTED)),
            Order.id.in_(select(OrderLine.order_id).where(OrderLine.listing_id == listing_id)),
        )
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(1)
    ).first()
