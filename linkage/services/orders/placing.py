"""Placing an order: lines of one cooperative's listings, their stock reserved atomically.

Placing takes each listing's stock with an atomic conditional UPDATE, so concurrent buyers
never get more than there is: the one too late gets 409 and nothing is written. Given the
buyer's limits, placing first checks the cap on their open orders (see `limits`) in the same
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, selectinload

from linkage.extensions import db
from linkage.numbers import format_quantity, unit_label
from models import (
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    User,
    amount_vnd,
    to_quantity,
    utcnow,
)

from ..errors import Conflict, DomainError, Invalid, NotFound
from .lifecycle import record_event
from .limits import OrderLimits, check_open_value
from .notices import notify_managers


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
        # their stock as it is now: it changes by conditional UPDATEs the session does not see
        .execution_options(populate_existing=True)
    ).all()
    return {listing.id: listing for listing in rows}


def get_orderable_listing(listing_id: int) -> Listing:
    """A listing buyers may order from (active or sold out, approved cooperative); else 404."""
    listing = _orderable_listings([listing_id]).get(listing_id)
    if listing is None:
        raise NotFound(_("Listing not found."))
    return listing


def _words(listing: Listing, **quantities: Decimal) -> dict[str, str]:
    """A listing's title and unit, and quantities of it in the page's language, for messages."""
    words = {name: format_quantity(quantity) for name, quantity in quantities.items()}
    return {"title": listing.title, "unit": unit_label(listing.product.unit), **words}


def below_minimum_message(listing: Listing) -> str:
    """Why a listing with some stock, but less than one minimum order, cannot be ordered."""
    return _(
        "%(title)s cannot be ordered for now: the %(available)s %(unit)s left are "
        "less than its minimum order of %(minimum)s %(unit)s.",
        **_words(listing, available=listing.quantity_available, minimum=listing.min_order_quantity),
    )


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
                **_words(listing, available=listing.quantity_available),
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
    buyer: User,
    lines: Sequence[LineRequest],
    note: str = "",
    *,
    limits: OrderLimits | None = None,
    at: datetime | None = None,
) -> Order:
    """Place an order with lines of one cooperative, reserving their stock.

    `limits`: the cap on the buyer's open orders; the pages and the API pass the configured
    one, None places without a cap (the demo seed and scripts of the operators).
    """
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
        # a rule on the listings' records, not on the request's shape: 409
        raise Conflict(
            _("An order holds the products of one cooperative only; place one order each."),
            field="lines",
        )
    for listing_id, quantity in merged.items():
        listing = listings[listing_id]
        if quantity <= 0:
            raise Invalid(_("Quantities must be above zero."), field="quantity")
        if listing.below_minimum:
            raise Conflict(below_minimum_message(listing), field="quantity")
        if quantity < listing.min_order_quantity:
            raise Conflict(
                _(
                    "The minimum order of %(title)s is %(minimum)s %(unit)s.",
                    **_words(listing, minimum=listing.min_order_quantity),
                ),
                field="quantity",
            )
    placed_at = at or utcnow()
    if limits is not None:
        value_vnd = sum(
            amount_vnd(quantity, listings[listing_id].unit_price_vnd)
            for listing_id, quantity in merged.items()
        )
        check_open_value(buyer, value_vnd, limits, placed_at)
    order = Order(
        buyer_id=buyer.id,
        cooperative_id=cooperative_ids.pop(),
        status=OrderStatus.PLACED,
        note=(note or "").strip(),
        placed_at=placed_at,
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
