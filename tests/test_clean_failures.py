"""Clean failures: deep JSON, an unsafe `next`, the database or Redis gone, health probes, and a
schema-valid price range that finds nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from linkage.extensions import db, limiter
from linkage.json_depth import MAX_DEPTH, nesting_depth
from linkage.security import PUBLIC, allow

from .conftest import PASSWORD, make_app
from .factories import ListingFactory

PROBLEM = "application/problem+json"
UNREACHABLE_DATABASE = "postgresql+psycopg://linkage@127.0.0.1:1/linkage"  # nothing listens
UNREACHABLE_REDIS = "redis://127.0.0.1:1"


@pytest.fixture
def own_app(app: Flask) -> Iterator[Any]:
    """Apps of the test's own, disposed of afterwards; the shared limiter is put back."""
    made: list[Flask] = []

    def make(url: str, **overrides: Any) -> Flask:
        made.append(make_app(url, **overrides))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
    # one limiter object serves every app of the process: leave it as the shared app wants it
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    limiter.limit_manager.set_default_limits([])
    limiter._storage_dead = False


# --- JSON nested too deeply -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[[[{{{{"}', 1),  # brackets inside strings do not count
        (b'["\\"[[[", [["\\\\"]]]', 3),  # nor do escaped quotes end a string
        (b"[" * 100_000, 100_000),
        (b"", 0),
    ],
)
def test_nesting_depth(body, depth):
    assert nesting_depth(body) == depth


def test_nesting_depth_stops_counting_early():
    assert nesting_depth(b"[" * 100_000, stop_above=MAX_DEPTH) == MAX_DEPTH + 1


def test_a_deeply_nested_body_is_400_before_parsing(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert "32" in response.json["detail"]


def test_a_deep_body_sent_to_a_page_gets_the_400_page(client):
    response = client.post("/login", data="[" * 50_000, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_nesting_up_to_the_limit_reaches_the_schema(client):
    nested: Any = "a@b.vn"
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    response = client.post("/api/v1/tokens", json={"email": nested, "password": "x"})
    assert response.status_code == 422  # the schema refuses a list, not the depth check
    assert "email" in response.json["errors"]
    too_deep = client.post("/api/v1/tokens", json={"email": [nested], "password": "x"})
    assert too_deep.status_code == 400


# --- the language switch's `next` -------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/%0d%0aSet-Cookie:%20x=1", "/catalog%0a", "/%00", "/%5Cevil.example", "//evil.example"],
)
def test_an_unsafe_next_redirects_home(client, target):
    response = client.get(f"/language/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_a_safe_next_is_followed(client):
    response = client.get("/language/en?next=/catalog%3Fq%3Dba%2Bkich")
    assert response.headers["Location"] == "/catalog?q=ba+kich"


# --- the database gone ------------------------------------------------------------------------


@pytest.fixture
def no_database(own_app) -> Flask:
    return own_app(UNREACHABLE_DATABASE)


def test_pages_answer_503_with_retry_after_when_the_database_is_gone(no_database, caplog):
    client = no_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"  # a logged-in user cannot even be loaded
    with caplog.at_level(logging.ERROR, logger="linkage.errors"):
        response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    assert "503" in response.get_data(as_text=True)
    assert any("Database unavailable" in r.getMessage() for r in caplog.records)


def test_connecting_to_postgresql_gives_up_after_a_few_seconds(no_database):
    options = no_database.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["hide_parameters"] is True


def test_the_api_answers_a_503_problem_when_the_database_is_gone(no_database):
    response = no_database.test_client().get("/api/v1/communes")
    assert response.status_code == 503
    assert response.mimetype == PROBLEM
    assert response.headers["Retry-After"] == "30"
    assert response.json["status"] == 503


@pytest.fixture
def failing_statement(own_app, database_url) -> Flask:
    """An app whose route runs a statement that fails with its values bound."""
    failing = own_app(database_url)

    @allow(PUBLIC)
    def lookup():
        db.session.execute(
            text("SELECT amount FROM no_such_table WHERE household = :household"),
            {"household": "SECRET-HOUSEHOLD-42"},
        )
        return "unreachable"

    failing.add_url_rule("/lookup", "lookup", lookup)
    return failing


def test_a_failed_statement_is_logged_without_its_values(failing_statement, caplog):
    with caplog.at_level(logging.DEBUG):
        response = failing_statement.test_client().get("/lookup")
    # a missing table: an operational error on SQLite (503), a programming error on PostgreSQL
    assert response.status_code in (500, 503)
    logged = "\n".join(
        r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records
    )
    assert "no_such_table" in logged
    assert "SECRET-HOUSEHOLD-42" not in logged
    assert "SECRET-HOUSEHOLD-42" not in response.get_data(as_text=True)


# --- Redis gone -------------------------------------------------------------------------------


@pytest.fixture
def no_redis(own_app, database_url) -> Flask:
    return own_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS)


def test_login_works_and_is_still_limited_in_memory_when_redis_is_gone(no_redis, make_user, caplog):
    user = make_user("buyer")
    client = no_redis.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # Flask-Limiter's route limits and the login throttle both say they count in memory
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("in-memory" in m or "in memory" in m for m in messages), messages
    # the login throttles (per account and per address) are counted in memory meanwhile
    statuses = [
        client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
        for _ in range(10)
    ]
    assert statuses[-1] == 429
    assert 500 not in statuses


# --- health probes ----------------------------------------------------------------------------


def test_healthz_answers_without_a_session(client, login_as):
    login_as("buyer")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_when_all_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "database": "ok",
        "rate_limit_storage": "disabled",  # the test configuration counts nothing
        "status": "ok",
    }


def test_readyz_answers_503_without_the_database(no_database, caplog):
    with caplog.at_level(logging.WARNING):
        response = no_database.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
    assert response.headers["Retry-After"]
    assert no_database.test_client().get("/healthz").status_code == 200


def test_readyz_answers_503_without_redis(no_redis, caplog):
    with caplog.at_level(logging.WARNING):
        response = no_redis.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "database": "ok",
        "rate_limit_storage": "unavailable",
        "status": "unavailable",
    }


def test_probes_are_never_rate_limited(own_app, database_url):
    limited = own_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = limited.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/api/v1/communes").status_code for _ in range(3)][-1] == 429


# --- a schema-valid request that finds nothing ------------------------------------------------


def test_an_empty_price_range_is_an_empty_page(client):
    ListingFactory()
    db.session.commit()
    response = client.get("/api/v1/listings?min_price=999999999999999&max_price=0&page=2")
    assert response.status_code == 200
    assert response.json == {"items": [], "page": 2, "per_page": 20, "total": 0}
    assert client.get("/api/v1/listings").json["total"] == 1


def test_the_catalog_page_still_explains_an_empty_price_range(client):
    client.get("/language/en")
    response = client.get("/catalog?min_price=500000&max_price=100000")
    assert response.status_code == 422
    assert "The minimum price must not be above the maximum" in response.get_data(as_text=True)
