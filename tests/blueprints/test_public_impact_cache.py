"""The public impact page's province figures are computed at most once per 5 minutes per
period, kept in the process (or in Redis, shared by the workers), and named in each visitor's
language; the cache is never a point of failure."""

from __future__ import annotations

import time
import uuid

import pytest

import blueprints.public.routes as routes
from linkage.extensions import cache, db
from linkage.services.impact import public_impact

from ..conftest import REDIS_URL, make_app
from ..factories_impact import make_province


@pytest.fixture
def province(app) -> list:
    return make_province()


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The periods whose figures were computed (the service, counted)."""
    periods: list[str] = []

    def counting(period):
        periods.append(str(period))
        return public_impact(period)

    monkeypatch.setattr(routes, "public_impact", counting)
    return periods


def test_the_figures_are_computed_once_for_every_visitor(client, province, computed):
    first = client.get("/impact")
    second = client.get("/impact")
    client.get("/language/en")
    in_english = client.get("/impact")
    assert first.status_code == second.status_code == in_english.status_code == 200
    assert len(computed) == 1
    assert first.get_data(as_text=True) == second.get_data(as_text=True)
    # kept once, named in each visitor's language
    assert "Miền núi" in first.get_data(as_text=True)
    assert "Mountain" in in_english.get_data(as_text=True)
    assert "Miền núi" not in in_english.get_data(as_text=True)


def test_each_period_is_kept_apart(client, province, computed):
    client.get("/impact")
    client.get("/impact?period_start=2025-01&period_end=2025-12")
    client.get("/impact?period_start=2025-01&period_end=2025-12")
    assert len(computed) == 2
    assert len(set(computed)) == 2


def test_kept_figures_expire(app, client, province, computed):
    app.config["PUBLIC_IMPACT_CACHE_SECONDS"] = 1
    client.get("/impact")
    time.sleep(1.2)
    client.get("/impact")
    assert len(computed) == 2


def test_a_refusal_is_not_kept(client, province, computed):
    # no poverty standard is in force in early 2020: the page says so (422) and shows the default
    refused = client.get("/impact?period_start=2020-01&period_end=2020-03")
    again = client.get("/impact?period_start=2020-01&period_end=2020-03")
    assert refused.status_code == again.status_code == 422
    assert computed.count("2020-01..2020-03") == 2  # asked again: computed again
    assert cache.get("public-impact:2020-01..2020-03") is None


def test_workers_share_the_figures_in_redis(database_url, province, computed, redis_client):
    """Two apps on the same Redis (two gunicorn workers): the second computes nothing."""
    prefix = f"linkage-test-{uuid.uuid4().hex[:12]}:"
    workers = [
        make_app(
            database_url,
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=REDIS_URL,
            CACHE_KEY_PREFIX=prefix,
        )
        for _ in range(2)
    ]
    try:
        pages = [worker.test_client().get("/impact") for worker in workers]
        assert [page.status_code for page in pages] == [200, 200]
        assert len(computed) == 1
        assert any(redis_client.scan_iter(match=f"{prefix}public-impact:*"))
    finally:
        for key in redis_client.scan_iter(match=f"{prefix}*"):
            redis_client.delete(key)
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()


def test_an_unreachable_redis_only_costs_the_computation(database_url, province, computed, caplog):
    worker = make_app(
        database_url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0"
    )
    try:
        pages = [worker.test_client().get("/impact") for _ in range(2)]
        assert [page.status_code for page in pages] == [200, 200]
        assert len(computed) == 2
        assert "cache unreachable" in caplog.text
    finally:
        with worker.app_context():
            db.engine.dispose()
