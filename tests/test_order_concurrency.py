"""Concurrent buyers and shipments never oversell: the last units go to exactly as many
requests as there are units, the others are refused with 409, and nothing fails with 500.

Runs on SQLite (a file database; writing requests take BEGIN IMMEDIATE) and on PostgreSQL
(TEST_DATABASE_URL), with 20 threads released together by a barrier.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from linkage.extensions import db
from linkage.services.accounts import issue_token
from models import ListingStatus, LotAllocation, Order, OrderStatus, Role, User

from .factories_orders import accepted, count, make_lot, make_market, remaining, stock

THREADS = 20
UNITS = 5


def _token(app: Flask, user: User) -> dict[str, str]:
    token = issue_token(user, app.config["TOKEN_LIFETIME"]).token
    return {"Authorization": f"Bearer {token}"}


def _all_at_once(app: Flask, calls: list[Callable[[FlaskClient], Any]]) -> list[Any]:
    """Run each call in its own thread and app context, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def work(index: int, call: Callable[[FlaskClient], Any]) -> None:
        with app.app_context():  # a session of its own (sessions are scoped per app context)
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            barrier.wait(timeout=60)
            try:
                results[index] = call(client)
            except Exception as error:  # reported in the assertions of the test
                results[index] = error

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def test_twenty_buyers_racing_for_the_last_five_units(app, make_user):
    market = make_market(make_user, stock=str(UNITS))
    buyers = [make_user(Role.BUYER, locale="en") for _ in range(THREADS)]
    headers = [_token(app, buyer) for buyer in buyers]
    body = {"lines": [{"listing_id": market.listing.id, "quantity": 1}]}
    db.session.commit()  # everything the threads need is committed before they start

    def order(header: dict[str, str]) -> Callable[[FlaskClient], Any]:
        return lambda client: client.post("/api/v1/orders", json=body, headers=header)

    responses = _all_at_once(app, [order(h) for h in headers])

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == {201: UNITS, 409: THREADS - UNITS}, statuses
    refused = [r for r in responses if r.status_code == 409]
    assert all(r.mimetype == "application/problem+json" for r in refused)
    assert all("Not enough stock" in r.json["detail"] for r in refused)
    db.session.expire_all()
    assert stock(market.listing) == 0
    assert market.listing.status == ListingStatus.SOLD_OUT
    assert count(Order) == UNITS
    winners = {r.json["id"] for r in responses if r.status_code == 201}
    assert len(winners) == UNITS


def test_twenty_shipments_racing_for_a_lot_of_five_units(app, make_user):
    market = make_market(make_user, stock="100")
    lot = make_lot(market.cooperative, str(UNITS))
    orders = [accepted(market, "1") for _ in range(THREADS)]
    headers = [_token(app, market.manager) for _ in range(THREADS)]
    requests = [
        (
            f"/api/v1/orders/{order.id}/ship",
            {"allocations": [{"line_id": order.lines[0].id, "lot_id": lot.id, "quantity": 1}]},
        )
        for order in orders
    ]
    db.session.commit()

    def ship(url: str, body: dict, header: dict[str, str]) -> Callable[[FlaskClient], Any]:
        return lambda client: client.post(url, json=body, headers=header)

    responses = _all_at_once(
        app, [ship(url, body, h) for (url, body), h in zip(requests, headers, strict=True)]
    )

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == {200: UNITS, 409: THREADS - UNITS}, statuses
    assert all(lot.code in r.json["detail"] for r in responses if r.status_code == 409)
    db.session.expire_all()
    assert remaining(lot) == Decimal("0.000")
    states = Counter(order.status for order in orders)
    assert states == {OrderStatus.SHIPPED: UNITS, OrderStatus.ACCEPTED: THREADS - UNITS}
    assert count(LotAllocation) == UNITS
    assert all(order.shipped_at is None for order in orders if order.status != "shipped")


def test_the_same_idempotency_key_sent_twenty_times_at_once_places_one_order(app, make_user):
    market = make_market(make_user, stock="100")
    headers = {**_token(app, market.buyer), "Idempotency-Key": "retry-storm-1"}
    body = {"lines": [{"listing_id": market.listing.id, "quantity": 2}]}
    db.session.commit()

    responses = _all_at_once(
        app,
        [lambda client: client.post("/api/v1/orders", json=body, headers=headers)] * THREADS,
    )

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == {201: THREADS}, statuses
    assert len({r.json["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == THREADS - 1
    db.session.expire_all()
    assert count(Order) == 1
    assert stock(market.listing) == Decimal("98.000")
