"""Orders: placing (reserves stock atomically) and reading; the lifecycle is re-exported.

Placing takes each listing's stock with an atomic conditional UPDATE, so concurrent buyers
never get more than there is: the one too late gets 409 and nothing is written. The steps
after placing live in order_lifecycle (accept, reject, cancel, deliver, pay) and
order_shipping (ship from lots); they are re-exported here, so `orders.ship_order` and the
others are one import away.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, select, update
from sqlalchemy.orm import contains_eager, selectinload

from linkage.extensions import db
from linkage.numbers import format_quantity, unit_label
from linkage.services.errors import Conflict, DomainError, Invalid, NotFound
from models import (
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    LotAllocation,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Role,
    User,
    amount_vnd,
    manager_cooperatives,
    to_quantity,
    utcnow,
)

from .order_lifecycle import (  # noqa: F401 - re-exported: the order service in one place
    BUYER_ACTIONS,
    MANAGER_ACTIONS,
    OPEN_STATES,
    TRANSITIONS,
    accept_order,
    action_label,
    cancel_order,
    deliver_order,
    not_found,
    notify_managers,
    pay_order,
    record_event,
    reject_order,
    return_stock,
    status_label,
)
from .order_shipping import AllocationRequest, ship_order, shipping_lots  # noqa: F401


@dataclass(frozen=True)
class LineRequest:
    listing_id: int
    quantity: Decimal


def _orderable_listings(listing_ids: Iterable[int]) -> dict[int, Listing]:
    rows = db.session.scalars(
        select(Listing)
        .join(Listing.cooperative)
        .where(
            Listing.id.in_(list(listing_ids)),
            Listing.status.in_([ListingStatus.ACTIVE, ListingStatus.SOLD_OUT]),
            Cooperative.status == CooperativeStatus.APPROVED,
        )
        .options(selectinload(Listing.product), contains_eager(Listing.cooperative))
    ).all()
    return {listing.id: listing for listing in rows}


def get_orderable_listing(listing_id: int) -> Listing:
    """A listing buyers may order from (active or sold out, approved cooperative); else 404."""
    listing = _orderable_listings([listing_id]).get(listing_id)
    if listing is None:
        raise NotFound(_("Listing not found."))
    return listing


def reserve_stock(listing: Listing, quantity: Decimal) -> None:
    """Take `quantity` from the listing's stock atomically, or refuse with 409."""
    taken = db.session.execute(
        update(Listing)
        .where(
            Listing.id == listing.id,
            Listing.status == ListingStatus.ACTIVE,
            Listing.quantity_available >= quantity,
        )
        .values(quantity_available=Listing.quantity_available - quantity)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        db.session.refresh(listing)
        raise Conflict(
            _(
                "Not enough stock of %(title)s: %(available)s %(unit)s left.",
                title=listing.title,
                available=format_quantity(listing.quantity_available),
                unit=unit_label(listing.product.unit),
            ),
            field="quantity",
        )
    db.session.execute(
        update(Listing)
        .where(Listing.id == listing.id, Listing.quantity_available == 0)
        .values(status=ListingStatus.SOLD_OUT)
        .execution_options(synchronize_session=False)
    )


def place_order(
    buyer: User, lines: Sequence[LineRequest], note: str = "", *, at: datetime | None = None
) -> Order:
    """Place an order with lines of one cooperative, reserving their stock."""
    if buyer.role != Role.BUYER:
        raise DomainError(_("Only buyers place orders."), status=403)
    if not lines:
        raise Invalid(_("An order needs at least one line."), field="lines")
    merged: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        merged[line.listing_id] += to_quantity(line.quantity)
    listings = _orderable_listings(merged)
    missing = [listing_id for listing_id in merged if listing_id not in listings]
    if missing:
        raise NotFound(_("Listing %(id)s is not for sale.", id=missing[0]), field="lines")
    cooperative_ids = {listing.cooperative_id for listing in listings.values()}
    if len(cooperative_ids) != 1:
        raise Invalid(
            _("An order holds the products of one cooperative only; place one order each."),
            field="lines",
        )
    for listing_id, quantity in merged.items():
        listing = listings[listing_id]
        if quantity <= 0:
            raise Invalid(_("Quantities must be above zero."), field="quantity")
        if quantity < listing.min_order_quantity:
            raise Invalid(
                _(
                    "The minimum order of %(title)s is %(minimum)s %(unit)s.",
                    title=listing.title,
                    minimum=format_quantity(listing.min_order_quantity),
                    unit=unit_label(listing.product.unit),
                ),
                field="quantity",
            )
    order = Order(
        buyer_id=buyer.id,
        cooperative_id=cooperative_ids.pop(),
        status=OrderStatus.PLACED,
        note=(note or "").strip(),
        placed_at=at or utcnow(),
    )
    db.session.add(order)
    total = 0
    for listing_id in sorted(merged):  # a fixed order of row locks: no deadlock
        listing, quantity = listings[listing_id], merged[listing_id]
        reserve_stock(listing, quantity)
        amount = amount_vnd(quantity, listing.unit_price_vnd)
        order.lines.append(
            OrderLine(
                listing_id=listing.id,
                quantity=quantity,
                unit_price_vnd=listing.unit_price_vnd,
                amount_vnd=amount,
            )
        )
        total += amount
    order.total_vnd = total
    db.session.flush()
    record_event(order, buyer, None, OrderStatus.PLACED, at=order.placed_at)
    notify_managers(order, "order_placed", at=order.placed_at)
    return order


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
