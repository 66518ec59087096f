"""Fixtures: one app per test process on a database made once per run, emptied after each
test.

SQLite (a file per run) by default; PostgreSQL when TEST_DATABASE_URL is set (a database
per run, dropped at the end). Reference data is seeded once per run and kept; every other
table is emptied after each test.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from linkage import create_app
from linkage.extensions import cache, db, limiter
from models import Role, User

from .factories import UserFactory, bind_factories

if TYPE_CHECKING:
    from linkage.seed.demo import DemoSummary

REFERENCE_TABLES = {"communes", "ethnic_groups", "products", "poverty_standards"}
PASSWORD = "demo-pass-2025"

REQUIRE_POSTGRES = os.environ.get("LINKAGE_REQUIRE_POSTGRES") == "1"
REQUIRE_BROWSER = os.environ.get("LINKAGE_REQUIRE_BROWSER") == "1"
REQUIRE_REDIS = os.environ.get("LINKAGE_REQUIRE_REDIS") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _create_postgres_database(base_url: str) -> tuple[str, Callable[[], None]]:
    """A new database for this run (per xdist worker); returns its URL and a dropper."""
    url = make_url(base_url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"linkage_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url, drop = _create_postgres_database(base)
        try:
            yield url
        finally:
            drop()
        return
    with tempfile.TemporaryDirectory(prefix="linkage-test-") as folder:
        yield f"sqlite:///{Path(folder) / 'test.sqlite3'}"


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return create_app(config)


@contextmanager
def demo_seeded(
    database_url: str, today: date | None = None
) -> Iterator[tuple[Flask, DemoSummary]]:
    """An app whose database holds the demo province, and the demo's summary, in an
    application context; emptied on leaving. The demo is seeded as of `today`, by default the
    day its CSV dates were written for (`REFERENCE_DAY`), so its figures are fixed. scrypt takes
    about 0.1 s per demo user, so the demo's users get a cheap hash."""
    from werkzeug.security import generate_password_hash

    from linkage.seed.demo import REFERENCE_DAY, seed_demo
    from linkage.services import accounts

    app = make_app(database_url)
    with app.app_context():
        try:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(
                    accounts,
                    "generate_password_hash",
                    lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
                )
                summary = seed_demo(today or REFERENCE_DAY)
                db.session.commit()
            yield app, summary
        finally:
            db.session.rollback()
            empty_tables()
            db.session.remove()
            db.engine.dispose()


@contextmanager
def demo_database(database_url: str) -> Iterator[Flask]:
    """An app whose database holds the demo province (see `demo_seeded`)."""
    with demo_seeded(database_url) as (app, _summary):
        yield app


@pytest.fixture(scope="session")
def _schema(database_url: str) -> None:
    """Tables and reference data, once per run."""
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
        from linkage.seed.reference import seed_reference

        seed_reference()
        db.session.commit()
        db.engine.dispose()


def empty_tables() -> None:
    """DELETE in dependency order: much faster than TRUNCATE on PostgreSQL for small tables."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def _shared_app(database_url: str, _schema: None) -> Iterator[Flask]:
    """One app per test process: building the app (routes, API description) takes a third of
    a second, which adds up over a thousand tests. Tests that need other settings build their
    own with make_app()."""
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_shared_app: Flask) -> Iterator[Flask]:
    """The app in a fresh application context, its settings restored and its database
    emptied (but for the reference data) after the test."""
    app = _shared_app
    settings = app.config.copy()
    # the limiter is one object for every app: an app built by a test may have switched it on
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    with app.app_context():
        cache.clear()  # figures kept for every visitor belong to the test that computed them
        bind_factories(db.session)
        try:
            yield app
        finally:
            db.session.rollback()
            empty_tables()
            db.session.remove()
            app.config.clear()
            app.config.update(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """A user of a role with the links it needs (a cooperative, communes, a buyer org)."""

    def make(role: Role | str, **kwargs: Any) -> User:
        user = UserFactory(role=Role(role), **kwargs)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Log the test client in (session cookie) as a new user of `role`, or as `user`."""

    def login(role: Role | str | None = None, *, user: User | None = None, **kwargs: Any) -> User:
        if user is None:
            assert role is not None
            user = make_user(role, **kwargs)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return login


@pytest.fixture
def bearer(client: FlaskClient) -> Callable[[User], dict[str, str]]:
    """Authorization headers with a fresh API token for `user`."""

    def headers(user: User) -> dict[str, str]:
        response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return headers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests skip on SQLite unless CI requires PostgreSQL."""
    on_postgres = bool(os.environ.get("TEST_DATABASE_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if REQUIRE_POSTGRES:
                continue  # the test fails on its own: CI must not skip it
            item.add_marker(pytest.mark.skip(reason="needs TEST_DATABASE_URL (PostgreSQL)"))


@pytest.fixture(scope="session")
def redis_client() -> Iterator[Any]:
    """A client of the Redis server the Redis tests count in (127.0.0.1:6379 or
    TEST_REDIS_URL); skipped when it does not answer, a failure with LINKAGE_REQUIRE_REDIS=1."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if REQUIRE_REDIS:
            pytest.fail(f"Redis is required (LINKAGE_REQUIRE_REDIS=1) but {REDIS_URL}: {error}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    yield client
    client.close()
