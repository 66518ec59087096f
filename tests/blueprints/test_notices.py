"""Notices: managers hear of new orders, buyers of changes; a count in the header."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services import orders
from models import Notice, OrderStatus, Role

from ..factories_orders import accepted, make_lot, make_market, order_in, place


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the source messages."""
    client.get("/language/en")


@pytest.fixture
def market(make_user):
    return make_market(make_user)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _badge(page: str) -> str | None:
    """The unread count shown next to "Notices" in the header, or None."""
    item = page.split('href="/notices">Notices', 1)[1].split("</a>", 1)[0]
    return item.split('<span class="badge">')[1].split("</span>")[0] if "badge" in item else None


def test_a_manager_reads_new_orders_linking_to_the_cooperatives_page(client, login_as, market):
    order = place(market.buyer, market.listing)
    login_as(user=market.manager)
    page = _text(client.get("/notices"))
    organisation = market.buyer.buyer_organisation.name
    assert f"New order no. {order.id} from {organisation}." in page
    assert f'href="/manage/{market.cooperative.id}/orders/{order.id}"' in page
    assert _badge(page) == "1"


def test_a_buyer_reads_each_change_linking_to_their_order_page(client, login_as, market):
    lot = make_lot(market.cooperative)
    order = order_in(OrderStatus.PAID, market, lot)
    rejected = order_in(OrderStatus.REJECTED, market, lot)
    login_as(user=market.buyer)
    page = _text(client.get("/notices"))
    name = market.cooperative.name
    for sentence in (
        f"{name} accepted your order no. {order.id}.",
        f"{name} shipped your order no. {order.id}.",
        f"{name} recorded your payment for order no. {order.id}.",
        f"{name} rejected your order no. {rejected.id}.",
    ):
        assert sentence in page
    assert f'href="/orders/{order.id}"' in page
    assert "New order" not in page  # the buyer's own steps are not announced to them
    assert _badge(page) == "4"


def test_managers_hear_of_cancellations_and_deliveries(client, login_as, market):
    lot = make_lot(market.cooperative)
    cancelled = order_in(OrderStatus.CANCELLED, market, lot)
    delivered = order_in(OrderStatus.DELIVERED, market, lot)
    login_as(user=market.manager)
    page = _text(client.get("/notices"))
    organisation = market.buyer.buyer_organisation.name
    assert f"{organisation} cancelled order no. {cancelled.id}." in page
    assert f"{organisation} confirmed the delivery of order no. {delivered.id}." in page


def test_notices_are_newest_first_and_paginated(client, login_as, market):
    first = place(market.buyer, market.listing, "1")
    for _ in range(20):
        place(market.buyer, market.listing, "1")
    last = place(market.buyer, market.listing, "1")
    login_as(user=market.manager)
    page = _text(client.get("/notices"))
    assert page.index(f"no. {last.id} ") < page.index(f"no. {last.id - 1} ")
    assert f"no. {first.id} " not in page
    assert "Page 1 of 2" in page
    assert f"no. {first.id} " in _text(client.get("/notices?page=2"))


def test_marking_all_read_clears_the_count(client, login_as, market):
    place(market.buyer, market.listing)
    place(market.buyer, market.listing)
    login_as(user=market.manager)
    assert _badge(_text(client.get("/"))) == "2"
    response = client.post("/notices/read")
    assert response.status_code == 302
    page = _text(client.get("/notices"))
    assert _badge(page) is None
    assert "Mark all as read" not in page
    unread = db.session.scalar(db.select(db.func.count()).where(Notice.read_at.is_(None)))
    assert unread == 0


def test_each_user_sees_only_their_notices(client, login_as, market, make_user):
    other = make_market(make_user)
    theirs = place(other.buyer, other.listing)
    mine = accepted(market)
    login_as(user=market.buyer)
    page = _text(client.get("/notices"))
    assert f"your order no. {mine.id}." in page
    assert f"no. {theirs.id}." not in page
    client.post("/notices/read")
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(
                Notice.user_id == other.manager.id, Notice.read_at.is_(None)
            )
        )
        == 1
    )


def test_the_header_count_costs_one_query(client, login_as, market):
    place(market.buyer, market.listing)
    login_as(user=market.manager)
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "notices" in s]) == 1


def test_anonymous_visitors_see_no_count_and_a_registration_link(client):
    page = _text(client.get("/"))
    assert 'href="/notices"' not in page
    assert 'href="/register"' in page


def test_the_empty_state_says_what_will_come(client, login_as):
    login_as(Role.OFFICIAL)
    page = _text(client.get("/notices"))
    assert "No notices yet" in page
    login_as(Role.BUYER)
    assert "Browse the catalog" in _text(client.get("/notices"))


@pytest.mark.parametrize(("method", "url"), [("GET", "/notices"), ("POST", "/notices/read")])
def test_notices_need_a_login(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_sentence_for_every_kind_the_order_service_writes(app, market):
    """Every notice kind has its own sentence (none falls back to the generic one)."""
    from linkage.services.orders.notices import sentence

    with app.test_request_context():
        order = place(market.buyer, market.listing)
        generic = sentence(Notice(kind="unknown", order=order))
        for action in ("placed", *orders.TRANSITIONS):
            target = orders.TRANSITIONS[action][1] if action != "placed" else OrderStatus.PLACED
            text = sentence(Notice(kind=f"order_{target.value}", order=order))
            assert text != generic, target


def test_the_list_takes_a_bounded_number_of_queries(client, login_as, make_user):
    market = make_market(make_user)
    for _ in range(3):
        market.buyer = make_user(Role.BUYER)  # notices about orders of several buyers
        for _ in range(5):
            place(market.buyer, market.listing, "1")
    login_as(user=market.manager)
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = _text(client.get("/notices"))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert page.count("New order no.") == 15
    assert len(statements) <= 12, "\n".join(s[:80] for s in statements)
