"""The order page never places a second order by mistake: the same form sent twice (same
token) shows the order it placed; a new rendering of the form (back, then submit again)
while an order of the listing placed minutes ago stands asks before placing another."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from linkage.extensions import db
from models import IdempotencyKey, Order, OrderStatus, utcnow

from ..factories_orders import count, make_market, stock

KEY = re.compile(r'name="request_key" type="hidden" value="([0-9a-f]{32})"')


@pytest.fixture
def market(make_user):
    return make_market(make_user)


def _form(client, url: str) -> tuple[str, str]:
    """The order page's HTML and its form token."""
    html = client.get(url).get_data(as_text=True)
    return html, KEY.search(html).group(1)


def test_the_same_form_sent_again_shows_the_order_it_placed(client, login_as, market):
    login_as(user=market.buyer)
    client.get("/language/en")
    url = f"/listings/{market.listing.id}/order"
    _html, key = _form(client, url)
    first = client.post(url, data={"quantity": "2", "request_key": key})
    second = client.post(url, data={"quantity": "2", "request_key": key}, follow_redirects=True)
    order = db.session.scalars(db.select(Order)).one()
    assert first.headers["Location"].endswith(f"/orders/{order.id}")
    assert second.request.path == f"/orders/{order.id}"
    assert "This order was already placed." in second.get_data(as_text=True)
    assert count(Order) == 1 and count(IdempotencyKey) == 1
    assert stock(market.listing) == Decimal("98.000")


def test_back_and_submit_again_asks_before_a_second_order(client, login_as, market):
    login_as(user=market.buyer)
    client.get("/language/en")
    url = f"/listings/{market.listing.id}/order"
    _html, key = _form(client, url)
    client.post(url, data={"quantity": "2", "request_key": key})
    order = db.session.scalars(db.select(Order)).one()

    html, new_key = _form(client, url)  # back: the page is fetched again, with a new token
    assert new_key != key
    assert 'id="earlier-order"' in html and f'href="/orders/{order.id}"' in html
    refused = client.post(url, data={"quantity": "2", "request_key": new_key})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert f"You placed order no. {order.id} for this listing a few minutes ago" in page
    assert 'id="again-error"' in page and 'name="again"' in page
    assert count(Order) == 1 and count(IdempotencyKey) == 1
    assert stock(market.listing) == Decimal("98.000")

    placed = client.post(url, data={"quantity": "2", "request_key": new_key, "again": "y"})
    assert placed.status_code == 302
    assert count(Order) == 2
    assert stock(market.listing) == Decimal("96.000")


@pytest.mark.parametrize(
    ("status", "age"),
    [
        (OrderStatus.CANCELLED, timedelta(minutes=1)),
        (OrderStatus.REJECTED, timedelta(minutes=1)),
        (OrderStatus.PLACED, timedelta(hours=2)),  # long ago: a new order, not a repeat
    ],
)
def test_no_question_after_a_cancelled_or_old_order(client, login_as, market, status, age):
    login_as(user=market.buyer)
    url = f"/listings/{market.listing.id}/order"
    _html, key = _form(client, url)
    client.post(url, data={"quantity": "2", "request_key": key})
    order = db.session.scalars(db.select(Order)).one()
    order.status, order.placed_at = status, utcnow() - age
    db.session.commit()
    html, new_key = _form(client, url)
    assert 'id="earlier-order"' not in html and 'name="again"' not in html
    response = client.post(url, data={"quantity": "2", "request_key": new_key})
    assert response.status_code == 302
    assert count(Order) == 2


def test_another_listing_is_not_a_repeat(client, login_as, make_user, market):
    other = make_market(make_user)
    login_as(user=market.buyer)
    for listing in (market.listing, other.listing):
        url = f"/listings/{listing.id}/order"
        _html, key = _form(client, url)
        assert client.post(url, data={"quantity": "1", "request_key": key}).status_code == 302
    assert count(Order) == 2


def test_the_question_in_vietnamese(client, login_as, market):
    login_as(user=market.buyer)
    client.get("/language/vi")
    url = f"/listings/{market.listing.id}/order"
    _html, key = _form(client, url)
    client.post(url, data={"quantity": "2", "request_key": key})
    _html, new_key = _form(client, url)
    page = client.post(url, data={"quantity": "2", "request_key": new_key}).get_data(as_text=True)
    assert "Bạn vừa đặt đơn hàng số" in page
    assert "Có, đặt thêm một đơn hàng khác cho tin này" in page
