"""`flask db upgrade` on an empty database gives exactly the models' schema."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from linkage.extensions import db
from models.dialects import include_object_for

from .conftest import _create_postgres_database, make_app

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _check_upgrade_matches_models(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": include_object_for(connection.dialect.name),
                },
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"the migrations and the models differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_upgrade_on_empty_sqlite_gives_models_schema():
    with tempfile.TemporaryDirectory() as folder:
        _check_upgrade_matches_models(f"sqlite:///{Path(folder) / 'migrate.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_on_empty_postgres_gives_models_schema():
    base = os.environ.get("TEST_DATABASE_URL")
    assert base, "TEST_DATABASE_URL is required for this test"
    url, drop = _create_postgres_database(base)
    try:
        _check_upgrade_matches_models(url)
    finally:
        drop()
