"""Concurrent writers to the same household and month lose nothing in the aggregates.

Each thread sends its request through its own test client (its own session and connection)
and commits as the API does; on PostgreSQL the upserts of one key wait for each other and add
to the committed sum. A deadlock of the aggregates' upsert is retried from a savepoint.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import OperationalError

from linkage.extensions import db
from linkage.services import aggregates
from linkage.services.aggregates import increments
from linkage.services.valuechain import payments

from ..aggregates_helpers import stored
from ..factories_valuechain import lot_of, member_of
from ..test_concurrency import _run_concurrently, _tokens

THREADS = 12
MARCH = 202603


@pytest.mark.postgres
def test_concurrent_payments_and_deliveries_to_one_household_month_add_up(app, make_user):
    manager = make_user("manager")
    coop = manager.cooperatives[0]
    lot = lot_of(coop)
    household = member_of(coop)
    db.session.commit()
    headers = _tokens(app, manager, THREADS)
    requests = []
    for index, header in enumerate(headers):
        if index % 2:
            body = {
                "household_id": household.id,
                "amount_vnd": 100_000 + index,
                "kind": "surplus",
                "paid_at": "2026-03-10T08:00:00+07:00",
            }
            requests.append((f"/api/v1/cooperatives/{coop.id}/payments", body, header))
        else:
            body = {
                "household_id": household.id,
                "quantity": "1.5",
                "unit_price_vnd": 100_000,
                "collected_at": "2026-03-10T08:00:00+07:00",
            }
            requests.append((f"/api/v1/lots/{lot.id}/collections", body, header))

    statuses = _run_concurrently(app, requests)

    assert statuses == [201] * THREADS
    db.session.rollback()  # a fresh snapshot: the threads committed after ours began
    income = stored("income")
    surplus = sum(100_000 + index for index in range(1, THREADS, 2))
    assert income[(household.id, MARCH, coop.id, "surplus")] == (surplus, THREADS // 2)
    assert income[(household.id, MARCH, coop.id, "farmgate")] == (150_000 * 6, THREADS // 2)
    assert stored("products")[(household.id, MARCH, coop.id, lot.product_id)] == (
        150_000 * 6,
        THREADS // 2,
        0,
    )
    assert aggregates.compare().clean


class FakeDeadlock(Exception):
    sqlstate = increments.DEADLOCK


@pytest.mark.postgres
def test_a_deadlocked_upsert_is_retried_from_its_savepoint(app, make_user, monkeypatch):
    manager = make_user("manager")
    coop = manager.cooperatives[0]
    household = member_of(coop)
    db.session.commit()
    real_write = increments._write
    calls = []

    def deadlocking_once(delta, dialect):
        calls.append(dialect)
        real_write(delta, dialect)  # written, then lost with the savepoint
        if len(calls) == 1:
            raise OperationalError("INSERT ...", {}, FakeDeadlock())

    monkeypatch.setattr(increments, "_write", deadlocking_once)
    when = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    payments.record_payment(manager, coop, household.id, 70_000, "other", when)
    db.session.commit()
    assert calls == ["postgresql", "postgresql"]
    assert stored("income") == {(household.id, MARCH, coop.id, "other"): (70_000, 1)}


@pytest.mark.postgres
def test_other_errors_are_not_retried(app, make_user, monkeypatch):
    manager = make_user("manager")
    coop = manager.cooperatives[0]
    household = member_of(coop)
    db.session.commit()
    calls = []

    class Other(Exception):
        sqlstate = "40001"

    def failing(delta, dialect):
        calls.append(dialect)
        raise OperationalError("INSERT ...", {}, Other())

    monkeypatch.setattr(increments, "_write", failing)
    with pytest.raises(OperationalError):
        payments.record_payment(
            manager, coop, household.id, 70_000, "other", datetime(2026, 3, 10, tzinfo=UTC)
        )
    assert calls == ["postgresql"]
    db.session.rollback()
    assert Decimal(len(stored("income"))) == 0
