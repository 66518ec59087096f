"""Builders for order tests: a cooperative with its manager, listing and lots, buyers, orders.

Lots can be filled by collections from member households with distinctive names, so tests
can assert that no household data ever reaches an order page or answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from linkage.extensions import db
from linkage.services import orders
from models import (
    Collection,
    Cooperative,
    Listing,
    Lot,
    Order,
    OrderStatus,
    Role,
    User,
    utcnow,
)

from .factories import HouseholdFactory, ListingFactory, LotFactory, MembershipFactory

SECRET_HEAD_NAME = "Bàn Thị Bí Mật"
_SERIAL = itertools.count(1)
SECRET_HOUSEHOLD_CODE = "HH-SECRET-77"


@dataclass
class Market:
    """A manager's cooperative with one active listing and the buyer who orders from it."""

    manager: User
    cooperative: Cooperative
    listing: Listing
    buyer: User


def make_market(
    make_user: Callable[..., User],
    *,
    stock: str = "100",
    min_order: str = "1",
    locale: str = "en",
    **listing: Any,
) -> Market:
    """A manager, their cooperative, an active listing of `stock` kg and a buyer; committed.

    Both users read English by default, so tests can check the source messages.
    """
    manager = make_user(Role.MANAGER, locale=locale)
    cooperative = manager.cooperatives[0]
    item = ListingFactory(
        cooperative=cooperative,
        quantity_available=Decimal(stock),
        min_order_quantity=Decimal(min_order),
        **listing,
    )
    buyer = make_user(Role.BUYER, locale=locale)
    db.session.commit()
    return Market(manager=manager, cooperative=cooperative, listing=item, buyer=buyer)


def make_lot(
    cooperative: Cooperative,
    quantity: str = "50",
    *,
    households: int = 1,
    head_name: str = SECRET_HEAD_NAME,
    household_code: str = SECRET_HOUSEHOLD_CODE,
    **kwargs: Any,
) -> Lot:
    """A lot of the cooperative; with `households`, filled by their collections (committed)."""
    amount = Decimal(quantity)
    lot = LotFactory(
        cooperative=cooperative, quantity_in=amount, quantity_remaining=amount, **kwargs
    )
    for number in range(households if amount else 0):
        household = HouseholdFactory(
            head_name=f"{head_name} {number}", code=f"{household_code}-{next(_SERIAL)}"
        )
        MembershipFactory(household=household, cooperative=cooperative)
        share = amount / households
        db.session.add(
            Collection(
                lot=lot,
                household=household,
                quantity=share,
                unit_price_vnd=300_000,
                amount_vnd=int(share * 300_000),
                collected_at=utcnow() - timedelta(days=30),
            )
        )
    db.session.commit()
    return lot


def place(buyer: User, listing: Listing, quantity: str = "10", note: str = "") -> Order:
    """A placed order of one line (committed)."""
    order = orders.place_order(buyer, [orders.LineRequest(listing.id, Decimal(quantity))], note)
    db.session.commit()
    return order


def accepted(market: Market, quantity: str = "10") -> Order:
    """A placed order accepted by the manager (committed)."""
    order = place(market.buyer, market.listing, quantity)
    orders.accept_order(market.manager, order)
    db.session.commit()
    return order


def shipped(market: Market, lot: Lot, quantity: str = "10") -> Order:
    """An order accepted and shipped from one lot (committed)."""
    order = accepted(market, quantity)
    line = order.lines[0]
    orders.ship_order(
        market.manager, order, [orders.AllocationRequest(line.id, lot.id, line.quantity)]
    )
    db.session.commit()
    return order


def delivered(market: Market, lot: Lot, quantity: str = "10") -> Order:
    """An order shipped and confirmed delivered by its buyer (committed)."""
    order = shipped(market, lot, quantity)
    orders.deliver_order(market.buyer, order)
    db.session.commit()
    return order


def count(model: type) -> int:
    """Rows of a table."""
    return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


def stock(listing: Listing) -> Decimal:
    """A listing's stock, read afresh from the database."""
    db.session.expire(listing)
    return listing.quantity_available


def remaining(lot: Lot) -> Decimal:
    """A lot's remaining quantity, read afresh from the database."""
    db.session.expire(lot)
    return lot.quantity_remaining


def order_in(status: OrderStatus, market: Market, lot: Lot, quantity: str = "10") -> Order:
    """An order brought to `status` by the service, as its buyer and manager would (committed)."""
    if status == OrderStatus.PLACED:
        return place(market.buyer, market.listing, quantity)
    if status == OrderStatus.REJECTED:
        order = place(market.buyer, market.listing, quantity)
        orders.reject_order(market.manager, order, "Hết hàng")
    elif status == OrderStatus.CANCELLED:
        order = accepted(market, quantity)
        orders.cancel_order(market.buyer, order)
    elif status == OrderStatus.ACCEPTED:
        return accepted(market, quantity)
    elif status == OrderStatus.SHIPPED:
        return shipped(market, lot, quantity)
    elif status == OrderStatus.DELIVERED:
        return delivered(market, lot, quantity)
    else:
        order = delivered(market, lot, quantity)
        orders.pay_order(market.manager, order, reference="UNC-001")
    db.session.commit()
    return order
