"""Migration 0005 on an existing database, and the append-only audit table on PostgreSQL:
whatever the role, UPDATE, DELETE and TRUNCATE of audit_entries are refused."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from linkage.extensions import db

from .conftest import _create_postgres_database, make_app

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
INSERT = (
    "INSERT INTO audit_entries (occurred_at, action, entity_type, entity_id) "
    "VALUES (CURRENT_TIMESTAMP, :action, 'household', '7')"
)


@contextmanager
def _migrated_from_0003(url: str) -> Iterator[Flask]:
    """An app whose database was at 0003 with an audit entry, then upgraded to the head."""
    app = make_app(url)
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS, revision="0003")
            db.session.execute(text(INSERT), {"action": "update"})
            db.session.commit()
            upgrade(directory=MIGRATIONS)
            yield app
        finally:
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()


def _check_upgrade_keeps_entries_and_takes_new_actions() -> None:
    db.session.execute(text(INSERT), {"action": "login_failed"})
    db.session.commit()
    actions = db.session.scalars(text("SELECT action FROM audit_entries ORDER BY id")).all()
    assert actions == ["update", "login_failed"]
    with pytest.raises(DBAPIError):
        db.session.execute(text(INSERT), {"action": "not-an-action"})
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM user_sessions")) == 0


@pytest.fixture
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'upgrade.sqlite3'}"


def test_upgrade_from_0003_on_sqlite(sqlite_url):
    with _migrated_from_0003(sqlite_url):
        _check_upgrade_keeps_entries_and_takes_new_actions()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    assert base, "TEST_DATABASE_URL is required for this test"
    url, drop = _create_postgres_database(base)
    try:
        yield url
    finally:
        drop()


@pytest.mark.postgres
def test_upgrade_from_0003_on_postgres(postgres_url):
    with _migrated_from_0003(postgres_url):
        _check_upgrade_keeps_entries_and_takes_new_actions()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET reason = 'tidied up'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
    ],
)
def test_the_audit_table_refuses_changes_on_postgres(postgres_url, statement):
    with _migrated_from_0003(postgres_url):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
            db.session.commit()
        db.session.rollback()
        db.session.execute(text(INSERT), {"action": "logout"})  # appending goes on
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM audit_entries")) == 2
        assert db.session.scalar(text("SELECT reason FROM audit_entries LIMIT 1")) is None
