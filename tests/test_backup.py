"""`flask --app linkage backup PATH` and `restore PATH`: a round trip gives back every table,
row for row (its row count and a checksum of its rows), on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from linkage.extensions import db
from linkage.seed.reference import seed_reference
from models import Cooperative

from .conftest import make_app
from .factories import ListingFactory, LotFactory, MembershipFactory, UserFactory


def fingerprints() -> dict[str, tuple[int, str]]:
    """Per table: the number of rows and a SHA-256 of the rows in primary-key order."""
    found = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(select(table).order_by(*order)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        found[table.name] = (len(rows), digest)
    db.session.rollback()
    return found


def make_records() -> None:
    manager = UserFactory(role="manager")
    cooperative = manager.cooperatives[0]
    for _ in range(3):
        MembershipFactory(cooperative=cooperative)
    ListingFactory(cooperative=cooperative)
    LotFactory(cooperative=cooperative)
    db.session.commit()


def change_records() -> None:
    """Changes of every kind that a restore must undo: an update, an insert, a delete."""
    for cooperative in db.session.scalars(select(Cooperative)):
        cooperative.name = "Đã đổi tên"
    UserFactory(role="buyer")
    db.session.commit()


def round_trip(app: Flask, backup: Path) -> None:
    runner = app.test_cli_runner()
    make_records()
    before = fingerprints()
    assert sum(count for count, _ in before.values()) > 200  # reference data and records

    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert backup.stat().st_size > 0
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # personal data: the owner only

    change_records()
    assert fingerprints() != before
    db.session.remove()

    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert fingerprints() == before


@pytest.fixture
def sqlite_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A live SQLite database of its own, whatever database the suite runs on."""
    own = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with own.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
        yield own
        db.session.remove()
        db.engine.dispose()


def test_sqlite_round_trip(sqlite_app, tmp_path):
    round_trip(sqlite_app, tmp_path / "linkage-backup.sqlite3")


@pytest.mark.postgres
def test_postgres_round_trip(app, tmp_path):
    assert db.engine.dialect.name == "postgresql"
    round_trip(app, tmp_path / "linkage-backup.dump")


def test_a_restore_asks_first(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    make_records()
    before = fingerprints()
    db.session.remove()
    answer = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert answer.exit_code == 1
    assert "Replace every record" in answer.output
    assert fingerprints() == before


def test_a_file_that_is_no_backup_is_refused(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    before = fingerprints()
    db.session.remove()
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database\n" * 100)
    answer = runner.invoke(args=["restore", str(garbage), "--yes"])
    assert answer.exit_code == 1
    assert "not an SQLite database" in answer.output
    assert fingerprints() == before


def test_a_failed_backup_keeps_the_previous_one(sqlite_app, tmp_path, monkeypatch):
    runner = sqlite_app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    good = backup.read_bytes()
    sqlite_app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    failed = runner.invoke(args=["backup", str(backup)])
    assert failed.exit_code != 0
    assert backup.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
