"""Orders of one buyer placed at once cannot together pass the cap on open orders: the buyer's
row is locked while the cap is checked and the stock reserved, so each order counts the ones
before it.

Through the API on SQLite (writing requests begin IMMEDIATE) and PostgreSQL (FOR UPDATE);
the service alone, outside any request, on PostgreSQL, where the row lock is all there is.
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from flask import Flask

from linkage.extensions import db
from linkage.services import orders
from linkage.services.errors import Conflict
from models import Order, OrderStatus

from .factories_orders import count, make_market, stock
from .test_order_concurrency import _all_at_once, _token

MILLION = 1_000_000
THREADS = 10


def test_ten_orders_of_one_new_buyer_at_once_stop_at_the_cap(app, make_user):
    """20,000,000 each against a cap of 50,000,000: exactly two pass."""
    market = make_market(make_user, stock="1000", unit_price_vnd=MILLION)
    header = _token(app, market.buyer)
    body = {"lines": [{"listing_id": market.listing.id, "quantity": 20}]}
    db.session.commit()

    responses = _all_at_once(
        app,
        [lambda client: client.post("/api/v1/orders", json=body, headers=header)] * THREADS,
    )

    statuses = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == {201: 2, 409: THREADS - 2}, statuses
    refused = [r for r in responses if r.status_code == 409]
    assert all("already come to 40,000,000 ₫" in r.json["detail"] for r in refused)
    db.session.rollback()
    assert count(Order) == 2
    assert orders.open_reserved_value(market.buyer) == 40 * MILLION
    assert stock(market.listing) == Decimal("960")


@pytest.mark.postgres
def test_two_threads_placing_for_one_buyer_exactly_one_passes_the_cap(app: Flask, make_user):
    """The service alone (no request, so no BEGIN IMMEDIATE): the row lock decides."""
    market = make_market(make_user, stock="1000", unit_price_vnd=MILLION)
    buyer_id, listing_id = market.buyer.id, market.listing.id
    limits = orders.OrderLimits.from_config(app.config)
    db.session.commit()
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def work(index: int) -> None:
        with app.test_request_context(method="GET"), app.app_context():
            buyer = db.session.get(type(market.buyer), buyer_id)
            barrier.wait(timeout=30)
            try:
                placed = orders.place_order(
                    buyer, [orders.LineRequest(listing_id, Decimal(30))], limits=limits
                )
                db.session.commit()
                results[index] = placed.status
            except Conflict as error:
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(type, results), key=str) == sorted([OrderStatus, Conflict], key=str), results
    refusal = next(r for r in results if isinstance(r, Conflict))
    assert "30.000.000 ₫" in refusal.message  # the default language: Vietnamese
    db.session.rollback()
    assert count(Order) == 1
    assert stock(market.listing) == Decimal("970")
