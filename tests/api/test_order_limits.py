"""POST /api/v1/orders under the order limits: a rate per buyer (429) and the cap on open
orders (409), both answered as problem+json with the message in the caller's language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask

from linkage.extensions import db
from linkage.services.accounts import issue_token
from models import Order, Role, User, utcnow

from ..conftest import make_app
from ..factories_orders import count, make_market

LIMITED = {"RATELIMIT_ENABLED": True, "ORDER_RATE_LIMIT": "2 per minute;5 per hour"}


@contextmanager
def limited_app(database_url: str, **config: object) -> Iterator[Flask]:
    """An app with the rate limits on (fresh counters); its connections closed at the end."""
    app = make_app(database_url, **{**LIMITED, **config})
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def bearer(app: Flask, user: User) -> dict[str, str]:
    token = issue_token(user, app.config["TOKEN_LIFETIME"]).token
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


@pytest.fixture
def market(make_user):
    return make_market(make_user, stock="1000", unit_price_vnd=1_000_000)


def body(market, kg: int = 1) -> dict:
    return {"lines": [{"listing_id": market.listing.id, "quantity": kg}]}


def test_a_buyer_over_the_rate_gets_429_with_the_limit_and_the_wait(
    app, database_url, market, make_user
):
    headers = bearer(app, market.buyer)
    with limited_app(database_url) as limited, limited.test_client() as client:
        codes = [
            client.post("/api/v1/orders", json=body(market), headers=headers).status_code
            for _ in range(3)
        ]
        refused = client.post("/api/v1/orders", json=body(market), headers=headers)
    assert codes == [201, 201, 429]
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["title"] == "Too Many Requests"
    assert refused.json["detail"].startswith(
        "You are placing orders too fast: at most 2 orders per minute. Please try again in 1 minute"
    )
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    db.session.rollback()  # a snapshot older than the requests
    assert count(Order) == 2


def test_two_buyers_from_one_address_do_not_share_the_count(app, database_url, market, make_user):
    other = make_user(Role.BUYER, locale="en")
    first, second = bearer(app, market.buyer), bearer(app, other)
    with limited_app(database_url) as limited, limited.test_client() as client:
        mine = [client.post("/api/v1/orders", json=body(market), headers=first) for _ in range(3)]
        theirs = [
            client.post("/api/v1/orders", json=body(market), headers=second) for _ in range(2)
        ]
    assert [r.status_code for r in mine] == [201, 201, 429]
    assert [r.status_code for r in theirs] == [201, 201]


def test_the_hourly_limit_counts_too(app, database_url, market):
    headers = bearer(app, market.buyer)
    with limited_app(database_url, ORDER_RATE_LIMIT="50 per minute;3 per hour") as limited:
        client = limited.test_client()
        codes = [
            client.post("/api/v1/orders", json=body(market), headers=headers).status_code
            for _ in range(4)
        ]
        refused = client.post("/api/v1/orders", json=body(market), headers=headers)
    assert codes == [201, 201, 201, 429]
    assert "at most 3 orders per hour. Please try again in 60 minutes." in refused.json["detail"]


def test_reading_orders_is_not_limited(app, database_url, market):
    headers = bearer(app, market.buyer)
    with limited_app(database_url, ORDER_RATE_LIMIT="1 per minute") as limited:
        client = limited.test_client()
        assert client.post("/api/v1/orders", json=body(market), headers=headers).status_code == 201
        reads = {client.get("/api/v1/orders", headers=headers).status_code for _ in range(5)}
    assert reads == {200}


def test_a_new_buyer_above_the_cap_gets_409_saying_the_limit_and_what_is_open(client, app, market):
    headers = bearer(app, market.buyer)
    assert client.post("/api/v1/orders", json=body(market, 45), headers=headers).status_code == 201
    refused = client.post("/api/v1/orders", json=body(market, 6), headers=headers)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    detail = refused.json["detail"]
    assert "your limit of 50,000,000 ₫" in detail
    assert "already come to 45,000,000 ₫" in detail
    assert "younger than 7 days" in detail
    assert refused.json["errors"] == {"lines": [detail]}
    assert count(Order) == 1


def test_the_cap_message_follows_the_callers_language(client, app, market):
    market.buyer.locale = "vi"
    db.session.commit()
    headers = {**bearer(app, market.buyer), "Accept-Language": "vi"}
    assert client.post("/api/v1/orders", json=body(market, 45), headers=headers).status_code == 201
    refused = client.post("/api/v1/orders", json=body(market, 6), headers=headers)
    assert refused.status_code == 409
    assert "50.000.000 ₫" in refused.json["detail"]  # Vietnamese grouping
    assert "45.000.000 ₫" in refused.json["detail"]


def test_an_older_buyer_has_the_higher_cap(client, app, market, make_user):
    older = make_user(Role.BUYER, locale="en", created_at=utcnow() - timedelta(days=8))
    headers = bearer(app, older)
    response = client.post("/api/v1/orders", json=body(market, 400), headers=headers)
    assert response.status_code == 201
    refused = client.post("/api/v1/orders", json=body(market, 101), headers=headers)
    assert refused.status_code == 409
    assert "your limit of 500,000,000 ₫" in refused.json["detail"]
