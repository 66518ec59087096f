"""Orders API: placing with idempotency, the lifecycle, shipping from lots, who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from models import (
    IdempotencyKey,
    IncomeAttribution,
    ListingStatus,
    LotAllocation,
    Notice,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Role,
)

from ..factories import ListingFactory, product
from ..factories_orders import (
    SECRET_HEAD_NAME,
    SECRET_HOUSEHOLD_CODE,
    accepted,
    count,
    make_lot,
    make_market,
    order_in,
    place,
    remaining,
    stock,
)

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def english(client):
    """Answers in English, so the tests read the source messages."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def market(make_user):
    return make_market(make_user)


@pytest.fixture
def lot(market):
    return make_lot(market.cooperative, "50", households=2)


def _order_body(listing, quantity="12.5", note=""):
    return {"lines": [{"listing_id": listing.id, "quantity": quantity}], "note": note}


def _act(client, headers, order, action, body=None):
    return client.post(f"/api/v1/orders/{order.id}/{action}", json=body, headers=headers)


def _written():
    return (count(Order), count(OrderLine), count(OrderEvent), count(Notice))


# --- placing ---------------------------------------------------------------------------------


def test_a_buyer_places_an_order(client, market, bearer):
    response = client.post(
        "/api/v1/orders",
        json=_order_body(market.listing, 12.5, "Giao Hà Nội"),
        headers=bearer(market.buyer),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "placed"
    assert body["total_vnd"] == 5_625_000
    assert body["cooperative_id"] == market.cooperative.id
    assert body["note"] == "Giao Hà Nội"
    (line,) = body["lines"]
    assert line["listing_id"] == market.listing.id
    assert line["quantity"] == "12.500"
    assert (line["unit_price_vnd"], line["amount_vnd"]) == (450_000, 5_625_000)
    assert line["allocations"] == []
    assert stock(market.listing) == Decimal("87.500")
    notice = db.session.scalars(db.select(Notice)).one()
    assert (notice.user_id, notice.kind, notice.order_id) == (
        market.manager.id,
        "order_placed",
        body["id"],
    )


@pytest.mark.parametrize("role", ["manager", "official", "admin"])
def test_only_buyers_place_orders(client, market, make_user, bearer, role):
    response = client.post(
        "/api/v1/orders", json=_order_body(market.listing), headers=bearer(make_user(role))
    )
    assert response.status_code == 403
    assert client.post("/api/v1/orders", json=_order_body(market.listing)).status_code == 401
    assert _written() == (0, 0, 0, 0)


def test_insufficient_stock_is_409_with_a_clear_message_and_writes_nothing(
    client, make_user, bearer
):
    market = make_market(make_user, stock="5")
    headers = {**bearer(market.buyer), "Idempotency-Key": "k-1"}
    response = client.post("/api/v1/orders", json=_order_body(market.listing, 6), headers=headers)
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert "Not enough stock" in response.json["detail"]
    assert market.listing.title in response.json["detail"]
    assert "5 kg" in response.json["detail"]
    assert _written() == (0, 0, 0, 0)
    assert count(IdempotencyKey) == 0  # a refused request leaves its key free for a retry
    assert stock(market.listing) == Decimal("5.000")


def test_lines_of_two_cooperatives_are_409(client, market, bearer):
    """A rule on the listings' records, which the document cannot state: not 422."""
    elsewhere = ListingFactory()
    db.session.commit()
    body = {
        "lines": [
            {"listing_id": market.listing.id, "quantity": 1},
            {"listing_id": elsewhere.id, "quantity": 1},
        ]
    }
    response = client.post("/api/v1/orders", json=body, headers=bearer(market.buyer))
    assert response.status_code == 409
    assert "one cooperative" in response.json["detail"]
    assert "lines" in response.json["errors"]
    assert _written() == (0, 0, 0, 0)
    assert stock(market.listing) == Decimal("100.000")


def test_below_the_minimum_order_is_409(client, make_user, bearer):
    """The minimum is the listing's, not the document's: a schema-valid request, 409."""
    market = make_market(make_user, min_order="10")
    response = client.post(
        "/api/v1/orders", json=_order_body(market.listing, "9.5"), headers=bearer(market.buyer)
    )
    assert response.status_code == 409
    assert "minimum order" in response.json["detail"]
    assert "quantity" in response.json["errors"]
    assert _written() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"lines": []},
        {"lines": [{"listing_id": "1", "quantity": 1}]},
        {"lines": [{"listing_id": 1, "quantity": 0}]},
        {"lines": [{"listing_id": 1, "quantity": "-2"}]},
        {"lines": [{"listing_id": 1, "quantity": "1.0001"}]},
        {"lines": [{"listing_id": 1, "quantity": "abc"}]},
        {"lines": [{"listing_id": 1, "quantity": True}]},
        {"lines": [{"listing_id": 1, "quantity": 1}], "note": "x" * 2001},
        {"lines": [{"listing_id": 1, "quantity": 1}], "extra": 1},
    ],
)
def test_invalid_bodies_are_422(client, market, bearer, body):
    for line in body.get("lines", []):
        if line.get("listing_id") == 1:
            line["listing_id"] = market.listing.id
    response = client.post("/api/v1/orders", json=body, headers=bearer(market.buyer))
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["errors"]
    assert _written() == (0, 0, 0, 0)


def test_an_unknown_listing_is_404(client, market, bearer):
    body = {"lines": [{"listing_id": 424242, "quantity": 1}]}
    assert client.post("/api/v1/orders", json=body, headers=bearer(market.buyer)).status_code == 404


# --- idempotency -----------------------------------------------------------------------------


def test_the_same_key_and_body_return_the_same_order_once(client, market, bearer):
    headers = {**bearer(market.buyer), "Idempotency-Key": "order-2026-001"}
    first = client.post("/api/v1/orders", json=_order_body(market.listing, 2), headers=headers)
    again = client.post(
        "/api/v1/orders", json=_order_body(market.listing, "2.000"), headers=headers
    )
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(Order) == 1
    assert stock(market.listing) == Decimal("98.000")


def test_the_same_key_with_another_body_is_422_and_writes_nothing(client, market, bearer):
    headers = {**bearer(market.buyer), "Idempotency-Key": "order-2026-002"}
    first = client.post("/api/v1/orders", json=_order_body(market.listing, 2), headers=headers)
    assert first.status_code == 201
    other = client.post("/api/v1/orders", json=_order_body(market.listing, 3), headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json["errors"]
    assert count(Order) == 1
    assert stock(market.listing) == Decimal("98.000")


def test_without_a_key_each_request_places_an_order(client, market, bearer):
    headers = bearer(market.buyer)
    ids = {
        client.post("/api/v1/orders", json=_order_body(market.listing, 2), headers=headers).json[
            "id"
        ]
        for _ in range(2)
    }
    assert len(ids) == 2
    assert stock(market.listing) == Decimal("96.000")


def test_keys_belong_to_each_buyer(client, market, make_user, bearer):
    other_buyer = make_user(Role.BUYER)
    body = _order_body(market.listing, 2)
    mine = client.post(
        "/api/v1/orders", json=body, headers={**bearer(market.buyer), "Idempotency-Key": "same"}
    )
    theirs = client.post(
        "/api/v1/orders", json=body, headers={**bearer(other_buyer), "Idempotency-Key": "same"}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]
    assert db.session.get(Order, theirs.json["id"]).buyer_id == other_buyer.id
    assert count(Order) == 2


def test_an_overlong_key_is_422(client, market, bearer):
    headers = {**bearer(market.buyer), "Idempotency-Key": "k" * 256}
    response = client.post("/api/v1/orders", json=_order_body(market.listing), headers=headers)
    assert response.status_code == 422
    assert count(Order) == 0


# --- reading ---------------------------------------------------------------------------------


def test_each_side_lists_its_own_orders_with_a_status_filter(client, market, make_user, bearer):
    first = place(market.buyer, market.listing, "1")
    second = accepted(market, "2")
    other = make_market(make_user)
    place(other.buyer, other.listing, "1")
    body = client.get("/api/v1/orders", headers=bearer(market.buyer)).json
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)
    assert [o["id"] for o in body["items"]] == [second.id, first.id]
    manager_view = client.get("/api/v1/orders?status=accepted", headers=bearer(market.manager))
    assert [o["id"] for o in manager_view.json["items"]] == [second.id]
    assert manager_view.json["items"][0]["buyer_organisation"] == (
        market.buyer.buyer_organisation.name
    )
    paged = client.get("/api/v1/orders?per_page=1&page=2", headers=bearer(market.buyer)).json
    assert [o["id"] for o in paged["items"]] == [first.id]
    assert client.get("/api/v1/orders?status=lost", headers=bearer(market.buyer)).status_code == 422
    assert client.get("/api/v1/orders?colour=red", headers=bearer(market.buyer)).status_code == 422
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders", headers=bearer(make_user("official"))).status_code == 403


def test_the_list_takes_a_bounded_number_of_queries(client, market, bearer, lot):
    headers = bearer(market.manager)
    for _ in range(6):
        order = accepted(market, "1")
        client.post(
            f"/api/v1/orders/{order.id}/ship",
            json={"allocations": [{"line_id": order.lines[0].id, "lot_id": lot.id, "quantity": 1}]},
            headers=headers,
        )
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get("/api/v1/orders", headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert len(response.json["items"]) == 6
    assert len(statements) <= 12, "\n".join(s[:90] for s in statements)


def test_an_order_shows_its_history_without_personal_emails(client, market, lot, bearer):
    order = order_in(OrderStatus.PAID, market, lot)
    response = client.get(f"/api/v1/orders/{order.id}", headers=bearer(market.buyer))
    assert response.status_code == 200
    events = response.json["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "placed"),
        ("placed", "accepted"),
        ("accepted", "shipped"),
        ("shipped", "delivered"),
        ("delivered", "paid"),
    ]
    assert [e["actor_role"] for e in events] == ["buyer", "manager", "manager", "buyer", "manager"]
    assert events[-1]["note"] == "UNC-001"
    assert all(e["occurred_at"].endswith("+00:00") for e in events)
    assert market.manager.email not in response.get_data(as_text=True)


def test_strangers_get_404_and_other_roles_403(client, market, make_user, bearer):
    order = place(market.buyer, market.listing)
    url = f"/api/v1/orders/{order.id}"
    assert client.get(url, headers=bearer(market.manager)).status_code == 200
    assert client.get(url, headers=bearer(make_user("admin"))).status_code == 200
    assert client.get(url, headers=bearer(make_user("buyer"))).status_code == 404
    assert client.get(url, headers=bearer(make_user("manager"))).status_code == 404
    assert client.get(url, headers=bearer(make_user("official"))).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/orders/424242", headers=bearer(market.buyer)).status_code == 404


# --- the lifecycle ---------------------------------------------------------------------------

SIDE = {
    "accept": "manager",
    "reject": "manager",
    "pay": "manager",
    "cancel": "buyer",
    "deliver": "buyer",
}
ALLOWED = {
    "accept": {OrderStatus.PLACED},
    "reject": {OrderStatus.PLACED},
    "cancel": {OrderStatus.PLACED, OrderStatus.ACCEPTED},
    "deliver": {OrderStatus.SHIPPED},
    "pay": {OrderStatus.DELIVERED},
}
RESULT = {
    "accept": "accepted",
    "reject": "rejected",
    "cancel": "cancelled",
    "deliver": "delivered",
    "pay": "paid",
}


@pytest.mark.parametrize("start", list(OrderStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(SIDE))
def test_every_transition_answers_as_designed(client, market, lot, bearer, start, action):
    order = order_in(start, market, lot)
    actor = market.manager if SIDE[action] == "manager" else market.buyer
    response = _act(client, bearer(actor), order, action)
    db.session.expire_all()
    if start in ALLOWED[action]:
        assert response.status_code == 200, response.json
        assert response.json["status"] == RESULT[action]
        assert response.json["events"][-1]["to_status"] == RESULT[action]
    else:
        assert response.status_code == 409, response.json
        assert response.mimetype == PROBLEM
        assert "cannot be" in response.json["detail"]
        assert order.status == start


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (OrderStatus.PLACED, "deliver"),
        (OrderStatus.ACCEPTED, "accept"),
        (OrderStatus.SHIPPED, "cancel"),
        (OrderStatus.SHIPPED, "pay"),
        (OrderStatus.ACCEPTED, "pay"),
    ],
)
def test_named_invalid_transitions_are_409(client, market, lot, bearer, start, action):
    order = order_in(start, market, lot)
    actor = market.manager if SIDE[action] == "manager" else market.buyer
    assert _act(client, bearer(actor), order, action).status_code == 409
    db.session.expire_all()
    assert order.status == start


def test_accepting_twice_is_409(client, market, bearer):
    order = place(market.buyer, market.listing)
    headers = bearer(market.manager)
    assert _act(client, headers, order, "accept").status_code == 200
    assert _act(client, headers, order, "accept").status_code == 409


@pytest.mark.parametrize(
    ("side", "action"),
    [
        ("buyer", "accept"),
        ("buyer", "reject"),
        ("buyer", "ship"),
        ("buyer", "pay"),
        ("manager", "cancel"),
        ("manager", "deliver"),
        ("official", "accept"),
        ("official", "cancel"),
    ],
)
def test_each_side_is_refused_the_others_actions_by_role(
    client, market, make_user, bearer, side, action
):
    order = place(market.buyer, market.listing)
    actor = {"buyer": market.buyer, "manager": market.manager}.get(side) or make_user(side)
    assert _act(client, bearer(actor), order, action, {}).status_code == 403
    assert client.post(f"/api/v1/orders/{order.id}/{action}").status_code == 401
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


def test_strangers_acting_on_an_order_get_404(client, market, make_user, bearer):
    order = place(market.buyer, market.listing)
    other_manager, other_buyer = make_user("manager"), make_user("buyer")
    for action in ("accept", "reject"):
        assert _act(client, bearer(other_manager), order, action).status_code == 404
    assert _act(client, bearer(other_buyer), order, "cancel").status_code == 404
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_reject_and_cancel_give_the_stock_back(client, make_user, bearer, action):
    market = make_market(make_user, stock="10")
    order = place(market.buyer, market.listing, "10")
    assert market.listing.status == ListingStatus.SOLD_OUT
    actor = market.manager if action == "reject" else market.buyer
    response = _act(client, bearer(actor), order, action, {"reason": "Hết vốn"})
    assert response.status_code == 200
    assert response.json["events"][-1]["note"] == "Hết vốn"
    assert stock(market.listing) == Decimal("10.000")
    assert market.listing.status == ListingStatus.ACTIVE


def test_a_reason_longer_than_allowed_is_422(client, market, bearer):
    order = place(market.buyer, market.listing)
    response = _act(client, bearer(market.manager), order, "reject", {"reason": "x" * 1001})
    assert response.status_code == 422
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


def test_each_change_tells_the_other_side(client, market, lot, bearer):
    order = order_in(OrderStatus.SHIPPED, market, lot)
    assert _act(client, bearer(market.buyer), order, "deliver").status_code == 200
    assert _act(client, bearer(market.manager), order, "pay", {}).status_code == 200
    kinds = db.session.execute(
        db.select(Notice.user_id, Notice.kind)
        .order_by(Notice.id)
        .where(Notice.order_id == order.id)
    ).all()
    assert [tuple(k) for k in kinds][-2:] == [
        (market.manager.id, "order_delivered"),
        (market.buyer.id, "order_paid"),
    ]


# --- shipping --------------------------------------------------------------------------------


def _ship(client, headers, order, *rows):
    allocations = [
        {"line_id": order.lines[0].id, "lot_id": lot_id, "quantity": quantity}
        for lot_id, quantity in rows
    ]
    return client.post(
        f"/api/v1/orders/{order.id}/ship", json={"allocations": allocations}, headers=headers
    )


def test_partial_shipments_from_two_lots(client, market, lot, bearer):
    second = make_lot(market.cooperative, "3")
    order = accepted(market, "10")
    response = _ship(client, bearer(market.manager), order, (lot.id, "7"), (second.id, 3))
    assert response.status_code == 200, response.json
    assert response.json["status"] == "shipped"
    allocations = response.json["lines"][0]["allocations"]
    assert sorted((a["lot"]["code"], a["quantity"]) for a in allocations) == sorted(
        [(lot.code, "7.000"), (second.code, "3.000")]
    )
    assert {a["trace_url"] for a in allocations} == {f"/trace/{lot.code}", f"/trace/{second.code}"}
    assert remaining(lot) == Decimal("43.000")
    assert remaining(second) == 0


@pytest.mark.parametrize("rows", [[("lot", "9")], [("lot", "10"), ("lot", "1")]])
def test_allocations_must_cover_each_line_exactly(client, market, lot, bearer, rows):
    order = accepted(market, "10")
    response = _ship(client, bearer(market.manager), order, *[(lot.id, q) for _, q in rows])
    assert response.status_code == 409
    assert "exactly" in response.json["detail"]
    assert remaining(lot) == Decimal("50.000")
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED


def test_empty_or_malformed_allocations_are_422(client, market, lot, bearer):
    order = accepted(market, "10")
    headers = bearer(market.manager)
    url = f"/api/v1/orders/{order.id}/ship"
    assert client.post(url, json={"allocations": []}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=headers).status_code == 422
    bad = {"allocations": [{"line_id": order.lines[0].id, "lot_id": lot.id, "quantity": -1}]}
    assert client.post(url, json=bad, headers=headers).status_code == 422
    assert remaining(lot) == Decimal("50.000")


def test_a_lot_of_another_product_is_409(client, market, bearer):
    tea = make_lot(market.cooperative, "50", product=product("PT-CHE-BUP-TUOI"))
    order = accepted(market, "10")
    response = _ship(client, bearer(market.manager), order, (tea.id, 10))
    assert response.status_code == 409
    assert tea.code in response.json["detail"]
    assert remaining(tea) == Decimal("50.000")


def test_a_lot_of_another_cooperative_is_404(client, market, make_user, bearer):
    foreign = make_lot(make_user("manager").cooperatives[0], "50")
    order = accepted(market, "10")
    assert _ship(client, bearer(market.manager), order, (foreign.id, 10)).status_code == 404
    assert remaining(foreign) == Decimal("50.000")


def test_more_than_a_lot_holds_is_409_and_writes_nothing(client, market, bearer):
    small = make_lot(market.cooperative, "4")
    order = accepted(market, "10")
    before = _written()
    response = _ship(client, bearer(market.manager), order, (small.id, 10))
    assert response.status_code == 409
    assert small.code in response.json["detail"]
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED
    assert remaining(small) == Decimal("4.000")
    assert count(LotAllocation) == 0
    assert _written() == before


# --- payment ---------------------------------------------------------------------------------


def test_payment_records_the_date_and_reference(client, market, lot, bearer):
    order = order_in(OrderStatus.DELIVERED, market, lot)
    headers = bearer(market.manager)
    naive = _act(client, headers, order, "pay", {"paid_at": "2026-01-10T09:00:00"})
    assert naive.status_code == 422
    future = _act(client, headers, order, "pay", {"paid_at": "2999-01-01T00:00:00+07:00"})
    assert future.status_code == 409
    assert "future" in future.json["detail"]
    paid_at = order.delivered_at.isoformat()
    response = _act(client, headers, order, "pay", {"paid_at": paid_at, "reference": "UNC-7"})
    assert response.status_code == 200
    assert response.json["status"] == "paid"
    db.session.expire_all()
    assert order.paid_at == order.delivered_at
    assert order.payment_reference == "UNC-7"
    attributed = db.session.scalars(db.select(IncomeAttribution.amount_vnd)).all()
    assert len(attributed) == 2  # the two households whose collections filled the lot
    assert sum(attributed) == order.total_vnd


# --- personal data ---------------------------------------------------------------------------


def test_no_household_data_in_order_answers(client, market, lot, bearer):
    order = order_in(OrderStatus.PAID, market, lot)
    for user in (market.buyer, market.manager):
        headers = bearer(user)
        for url in ("/api/v1/orders", f"/api/v1/orders/{order.id}"):
            text = client.get(url, headers=headers).get_data(as_text=True)
            assert SECRET_HEAD_NAME not in text
            assert SECRET_HOUSEHOLD_CODE not in text
            assert "household" not in text.lower()
