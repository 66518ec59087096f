"""Placed orders not accepted in time: cancelled once, stock back, buyer and managers told."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from linkage.extensions import db
from linkage.services import orders
from linkage.services.errors import DomainError
from linkage.services.orders import notices
from models import (
    AuditEntry,
    ListingStatus,
    Notice,
    Order,
    OrderEvent,
    OrderStatus,
    Role,
    utcnow,
)

from ..factories import ListingFactory
from ..factories_orders import count, make_market, stock

Line = orders.LineRequest
WEEK = timedelta(days=7)


pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def market(make_user):
    return make_market(make_user, stock="100")


def placed(market, kg: str, days_ago: float, listing=None) -> Order:
    order = orders.place_order(
        market.buyer,
        [Line((listing or market.listing).id, Decimal(kg))],
        at=utcnow() - timedelta(days=days_ago),
    )
    db.session.commit()
    return order


def notices_of(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Notice.kind).where(Notice.user_id == user_id)))


def test_only_placed_orders_older_than_the_limit_expire(market):
    stale = placed(market, "10", days_ago=8)
    fresh = placed(market, "7", days_ago=6)
    taken = placed(market, "5", days_ago=9)
    orders.accept_order(market.manager, taken)
    db.session.commit()
    assert stock(market.listing) == Decimal("78")

    expired = orders.expire_placed_orders(WEEK)
    db.session.commit()

    assert expired.order_ids == [stale.id]
    assert db.session.get(Order, stale.id).status == OrderStatus.CANCELLED
    assert db.session.get(Order, stale.id).closed_at is not None
    assert db.session.get(Order, fresh.id).status == OrderStatus.PLACED
    assert db.session.get(Order, taken.id).status == OrderStatus.ACCEPTED
    assert stock(market.listing) == Decimal("88")  # exactly the 10 kg reserved by the stale one


def test_expiry_returns_each_line_to_its_listing_and_puts_sold_out_listings_back_on_sale(market):
    second = ListingFactory(cooperative=market.cooperative, quantity_available=Decimal("4"))
    db.session.commit()
    order = orders.place_order(
        market.buyer,
        [Line(market.listing.id, Decimal("2.5")), Line(second.id, Decimal("4"))],
        at=utcnow() - timedelta(days=10),
    )
    db.session.commit()
    assert second.status == ListingStatus.SOLD_OUT

    orders.expire_placed_orders(WEEK)
    db.session.commit()

    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert stock(market.listing) == Decimal("100")
    assert stock(second) == Decimal("4")
    assert second.status == ListingStatus.ACTIVE


def test_expiry_tells_the_buyer_and_the_managers_records_history_and_audit(market, make_user):
    other_manager = make_user(Role.MANAGER, locale="en", cooperatives=[market.cooperative])
    order = placed(market, "10", days_ago=8)
    before = {user.id: notices_of(user.id) for user in (market.buyer, market.manager)}

    orders.expire_placed_orders(WEEK)
    db.session.commit()

    assert notices_of(market.buyer.id) == [*before[market.buyer.id], "order_expired"]
    assert notices_of(market.manager.id) == [
        *before[market.manager.id],
        "order_expired_unaccepted",
    ]
    assert notices_of(other_manager.id) == ["order_placed", "order_expired_unaccepted"]
    to_buyer, to_manager = (
        db.session.scalars(
            select(Notice).where(Notice.user_id == user.id, Notice.kind.like("order_expired%"))
        ).one()
        for user in (market.buyer, market.manager)
    )
    assert notices.sentence(to_buyer) == (
        f"Your order no. {order.id} was cancelled: {market.cooperative.name} did not accept it "
        "in time."
    )
    assert f"Order no. {order.id} from " in notices.sentence(to_manager)
    assert "its stock is back on sale" in notices.sentence(to_manager)

    event = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc())
    ).first()
    assert (event.from_status, event.to_status, event.actor_id) == (
        OrderStatus.PLACED,
        OrderStatus.CANCELLED,
        None,
    )
    assert event.note == "Not accepted within 7 days: cancelled automatically."
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "order", AuditEntry.entity_id == str(order.id)
        )
    ).one()
    assert entry.actor_id is None
    assert entry.old_values == {"status": "placed"}
    assert entry.new_values == {"status": "cancelled"}
    assert entry.reason == event.note


def test_running_the_expiry_twice_changes_nothing_the_second_time(market):
    placed(market, "10", days_ago=8)
    assert orders.expire_placed_orders(WEEK).order_ids != []
    db.session.commit()
    snapshot = (
        stock(market.listing),
        count(Notice),
        count(OrderEvent),
        count(AuditEntry),
        list(db.session.scalars(select(Order.status))),
    )

    assert orders.expire_placed_orders(WEEK).order_ids == []
    db.session.commit()

    assert (
        stock(market.listing),
        count(Notice),
        count(OrderEvent),
        count(AuditEntry),
        list(db.session.scalars(select(Order.status))),
    ) == snapshot


def test_an_expired_order_can_no_longer_be_accepted(market):
    order = placed(market, "10", days_ago=8)
    orders.expire_placed_orders(WEEK)
    db.session.commit()
    with pytest.raises(DomainError, match="This order is cancelled and cannot be accepted"):
        orders.accept_order(market.manager, db.session.get(Order, order.id))
    db.session.rollback()
    assert stock(market.listing) == Decimal("100")


def test_the_limit_is_given_by_the_caller(market):
    order = placed(market, "10", days_ago=3)
    assert orders.expire_placed_orders(timedelta(days=4)).order_ids == []
    assert orders.expire_placed_orders(timedelta(days=2)).order_ids == [order.id]


def test_the_command_expires_with_the_configured_limit_and_can_run_again(app, market):
    stale = placed(market, "10", days_ago=8)
    placed(market, "5", days_ago=2)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["orders", "expire"])
    assert first.exit_code == 0, first.output
    assert f"Cancelled 1 placed orders not accepted within 7 days ({stale.id})." in first.output
    db.session.expire_all()
    assert stock(market.listing) == Decimal("95")

    again = runner.invoke(args=["orders", "expire"])
    assert again.exit_code == 0, again.output
    assert "Cancelled 0 placed orders not accepted within 7 days." in again.output

    sooner = runner.invoke(args=["orders", "expire", "--days", "1"])
    assert "Cancelled 1 placed orders not accepted within 1 days" in sooner.output
    db.session.expire_all()
    assert stock(market.listing) == Decimal("100")
