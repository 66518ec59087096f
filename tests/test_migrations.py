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


def test_the_aggregates_migration_fills_them_from_existing_records_on_sqlite(tmp_path):
    _check_aggregates_migration(f"sqlite:///{tmp_path / 'aggregates.sqlite3'}")


@pytest.mark.postgres
def test_the_aggregates_migration_fills_them_from_existing_records_on_postgres():
    base = os.environ.get("TEST_DATABASE_URL")
    assert base, "TEST_DATABASE_URL is required for this test"
    url, drop = _create_postgres_database(base)
    try:
        _check_aggregates_migration(url)
    finally:
        drop()


def _check_aggregates_migration(url: str) -> None:
    """Records written through the services, the aggregates dropped (downgrade to 0005) and
    made again by the migration's SQL: the same rows, equal to the recomputation."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from linkage.seed.reference import seed_reference
    from linkage.services import aggregates, valuechain
    from linkage.services.orders import pay_order
    from linkage.services.valuechain import payments
    from models import Role

    from .aggregates_helpers import TABLES, stored
    from .factories import LotFactory, UserFactory, bind_factories
    from .factories_orders import delivered, make_market
    from .factories_valuechain import member_of

    app = make_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        seed_reference()
        db.session.commit()
        bind_factories(db.session)

        def make_user(role: Role, **kwargs):
            user = UserFactory(role=Role(role), **kwargs)
            db.session.commit()
            return user

        market = make_market(make_user)
        coop = market.cooperative
        lot = LotFactory(cooperative=coop, product=market.listing.product, quantity_in=0)
        lot.quantity_remaining = Decimal(0)
        when = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # April in Vietnam
        for quantity in ("30", "20"):
            household = member_of(coop)
            valuechain.record_collection(
                market.manager, lot, household.id, Decimal(quantity), 80_000, when
            )
            payments.record_payment(market.manager, coop, household.id, 90_000, "other", when)
        db.session.commit()
        pay_order(market.manager, delivered(market, lot, "10"))
        db.session.commit()
        before = {name: stored(name) for name in TABLES}
        assert all(before.values()), before
        db.session.remove()

        downgrade(directory=MIGRATIONS, revision="0006")
        assert not set(inspect(db.engine).get_table_names()) & {"household_month_income"}
        upgrade(directory=MIGRATIONS)

        assert {name: stored(name) for name in TABLES} == before
        assert aggregates.compare().clean
        db.session.remove()
        db.engine.dispose()
