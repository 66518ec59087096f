"""The cap on a buyer's open orders: what counts as open, new and older accounts, refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services import orders
from linkage.services.errors import DomainError
from models import ListingStatus, Order, OrderStatus, Role, utcnow

from ..factories_orders import count, make_lot, make_market, order_in, stock

Line = orders.LineRequest
MILLION = 1_000_000
LIMITS = orders.OrderLimits(
    cap_vnd=500 * MILLION, new_buyer_cap_vnd=50 * MILLION, new_buyer_age=timedelta(days=7)
)


pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def market(make_user):
    """A listing at 1,000,000 VND per kg with 1,000 kg, and a buyer registered just now."""
    return make_market(make_user, stock="1000", unit_price_vnd=MILLION)


def order(market, kg: str, *, buyer=None, limits=LIMITS) -> Order:
    placed = orders.place_order(
        buyer or market.buyer, [Line(market.listing.id, Decimal(kg))], limits=limits
    )
    db.session.commit()
    return placed


def test_the_configured_caps_are_the_documented_ones(app):
    limits = orders.OrderLimits.from_config(app.config)
    assert limits == LIMITS


def test_a_new_buyer_may_reserve_up_to_the_lower_cap_and_not_one_dong_more(market):
    order(market, "30")
    order(market, "20")  # 50,000,000 exactly: allowed
    with pytest.raises(DomainError) as refused:
        order(market, "1")
    assert refused.value.status == 409
    assert refused.value.field == "lines"
    message = refused.value.message
    assert "1,000,000 ₫" in message  # the order
    assert "limit of 50,000,000 ₫" in message
    assert "already come to 50,000,000 ₫" in message
    assert "younger than 7 days" in message
    db.session.rollback()
    assert count(Order) == 2
    assert stock(market.listing) == Decimal("950")  # nothing reserved by the refused order


def test_one_order_above_the_cap_is_refused_whole(market):
    with pytest.raises(DomainError, match="already come to 0 ₫"):
        order(market, "51")
    db.session.rollback()
    assert count(Order) == 0
    assert stock(market.listing) == Decimal("1000")


@pytest.mark.parametrize(
    ("age", "cap_million"),
    [
        (timedelta(0), 50),
        (timedelta(days=6, hours=23), 50),
        (timedelta(days=7), 500),
        (timedelta(days=400), 500),
    ],
)
def test_the_cap_depends_on_the_age_of_the_account(market, make_user, age, cap_million):
    buyer = make_user(Role.BUYER, locale="en", created_at=utcnow() - age)
    assert LIMITS.cap_for(buyer, utcnow()) == cap_million * MILLION
    order(market, str(cap_million), buyer=buyer)
    with pytest.raises(DomainError, match=f"limit of {cap_million},000,000 ₫"):
        order(market, "1", buyer=buyer)


def test_an_older_account_is_not_told_about_new_accounts(market, make_user):
    buyer = make_user(Role.BUYER, locale="en", created_at=utcnow() - timedelta(days=30))
    with pytest.raises(DomainError) as refused:
        order(market, "501", buyer=buyer)
    assert "limit of 500,000,000 ₫" in refused.value.message
    assert "younger than" not in refused.value.message


@pytest.mark.parametrize(
    ("status", "counts"),
    [
        (OrderStatus.PLACED, True),
        (OrderStatus.ACCEPTED, True),
        (OrderStatus.SHIPPED, False),
        (OrderStatus.DELIVERED, False),
        (OrderStatus.PAID, False),
        (OrderStatus.CANCELLED, False),
        (OrderStatus.REJECTED, False),
    ],
)
def test_only_orders_that_hold_stock_count(market, status, counts):
    lot = make_lot(market.cooperative, "100")
    existing = order_in(status, market, lot, quantity="40")
    assert existing.status == status
    assert orders.open_reserved_value(market.buyer) == (40 * MILLION if counts else 0)
    if counts:
        with pytest.raises(DomainError, match="already come to 40,000,000 ₫"):
            order(market, "11")
    else:
        assert order(market, "50").status == OrderStatus.PLACED


def test_the_cap_is_per_buyer(market, make_user):
    order(market, "50")
    other = make_user(Role.BUYER, locale="en")
    assert order(market, "50", buyer=other).status == OrderStatus.PLACED


def test_placing_without_limits_has_no_cap(market):
    """The demo seed and operators' scripts place without limits; the pages and API never do."""
    placed = order(market, "200", limits=None)
    assert placed.total_vnd == 200 * MILLION
    assert market.listing.status == ListingStatus.ACTIVE


def test_cancelling_makes_room_again(market):
    first = order(market, "50")
    orders.cancel_order(market.buyer, first)
    db.session.commit()
    assert order(market, "50").status == OrderStatus.PLACED
