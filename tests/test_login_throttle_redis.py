"""With `RATELIMIT_STORAGE_URI` pointing at Redis, login failures are counted there, so every
worker sees them. These tests run when Redis answers on 127.0.0.1:6379 (or TEST_REDIS_URL);
with LINKAGE_REQUIRE_REDIS=1 (`make ci`) its absence is a failure, not a skip."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from linkage.extensions import db, limiter

from .conftest import PASSWORD, REDIS_URL, make_app

WRONG = "wrong-password-1"


@pytest.fixture
def worker(app, database_url, redis_client) -> Iterator[Callable[[], Flask]]:
    """Builds apps that count in the same Redis, as gunicorn workers would; the keys of the
    test (its own prefix) are removed at the end."""
    prefix = f"linkage-test-{uuid.uuid4().hex[:12]}/"
    built: list[Flask] = []

    def build() -> Flask:
        worker_app = make_app(
            database_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_KEY_PREFIX=prefix,
        )
        built.append(worker_app)
        return worker_app

    yield build
    for key in redis_client.scan_iter(match=f"*{prefix}*"):
        redis_client.delete(key)
    for worker_app in built:
        with worker_app.app_context():
            db.engine.dispose()


def _login(app: Flask, email: str, password: str = WRONG) -> int:
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code


def test_failures_are_counted_in_redis(worker, redis_client, make_user):
    app = worker()
    user = make_user("buyer")
    assert _login(app, user.email) == 422
    assert type(limiter.storage).__name__ == "RedisStorage"
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    keys = {key.decode() for key in redis_client.scan_iter(match=f"*{prefix}*")}
    assert any("login/account/" in key and key.endswith("/failures") for key in keys)
    assert any("login/address" in key for key in keys)
    assert all(user.email not in key for key in keys)  # accounts by a digest, not by email


def test_workers_share_the_account_lock(worker, make_user):
    """Three failures on one worker and two on another lock the account on both. (Building
    the second app gives the shared limiter a new storage: counts kept in memory would be
    lost there; kept in Redis, they add up.)"""
    user = make_user("manager")
    first = worker()
    for _ in range(3):
        assert _login(first, user.email) == 422
    second = worker()
    for _ in range(2):
        assert _login(second, user.email) == 422
    assert _login(second, user.email, PASSWORD) == 429
    assert _login(first, user.email, PASSWORD) == 429


def test_workers_share_the_address_limit_of_form_and_api(worker, make_user):
    first = worker()
    first.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = first.test_client()
    for n in range(2):
        client.post("/login", data={"email": f"a{n}@example.vn", "password": WRONG})
    second = worker()
    second.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    api = second.test_client()
    assert (
        api.post("/api/v1/tokens", json={"email": "b@example.vn", "password": WRONG}).status_code
        == 401
    )
    user = make_user("buyer")
    refused = api.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
