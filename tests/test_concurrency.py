"""Concurrent writers on one lot: nothing is taken twice, nothing added is lost.

Each thread sends its request through its own test client, so it runs in its own application
context with its own session and connection, and commits as the API does. On SQLite the
request takes the write lock at BEGIN (BEGIN IMMEDIATE for writing requests); on PostgreSQL
the conditional UPDATE waits for the row and re-checks `quantity_remaining >= :q`. The same
test runs on both when the suite runs with TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.accounts import issue_token
from models import Collection, Lot, Payment, Transformation, TransformationInput

from .factories_valuechain import lot_of, member_of

THREADS = 10
WHEN_CONCURRENT = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


def _run_concurrently(app, requests: list[tuple[str, dict, dict]]) -> list[int]:
    """POST each (url, body, headers) from its own thread, all released at once."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)
    errors: list[BaseException] = []

    def send(index: int, url: str, body: dict, headers: dict) -> None:
        try:
            client = app.test_client()
            barrier.wait(timeout=30)
            statuses[index] = client.post(url, json=body, headers=headers).status_code
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=send, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def _tokens(app, user, n: int) -> list[dict[str, str]]:
    headers = [
        {"Authorization": f"Bearer {issue_token(user, app.config['TOKEN_LIFETIME']).token}"}
        for _ in range(n)
    ]
    db.session.commit()
    return headers


def test_ten_processors_share_five_kilograms_exactly(app, make_user):
    manager = make_user("manager")
    coop = manager.cooperatives[0]
    lot = lot_of(coop, "5")
    db.session.commit()
    body = {
        "process": "sorting",
        "occurred_at": "2026-03-10T08:00:00+07:00",
        "inputs": [{"lot_id": lot.id, "quantity": "1.000"}],
        "output": {"product_code": "PT-BA-KICH-TUOI", "quantity": "0.980"},
    }
    url = f"/api/v1/cooperatives/{coop.id}/transformations"

    statuses = _run_concurrently(app, [(url, body, h) for h in _tokens(app, manager, THREADS)])

    assert Counter(statuses) == {201: 5, 409: 5}, statuses
    db.session.rollback()  # a fresh snapshot: the threads committed after ours began
    assert db.session.get(Lot, lot.id).quantity_remaining == Decimal("0")
    assert db.session.scalar(select(func.count()).select_from(Transformation)) == 5
    taken = db.session.scalar(
        select(func.sum(TransformationInput.quantity)).where(TransformationInput.lot_id == lot.id)
    )
    assert Decimal(taken) == Decimal("5")
    codes = db.session.scalars(select(Lot.code).where(Lot.id != lot.id)).all()
    assert len(codes) == len(set(codes)) == 5


def test_concurrent_deliveries_into_one_lot_add_up_exactly(app, make_user):
    manager = make_user("manager")
    coop = manager.cooperatives[0]
    lot = lot_of(coop)
    households = [member_of(coop) for _ in range(THREADS)]
    db.session.commit()
    url = f"/api/v1/lots/{lot.id}/collections"
    requests = [
        (
            url,
            {
                "household_id": household.id,
                "quantity": "1.250",
                "unit_price_vnd": 100_001,
                "collected_at": "2026-03-10T08:00:00+07:00",
            },
            headers,
        )
        for household, headers in zip(households, _tokens(app, manager, THREADS), strict=True)
    ]

    statuses = _run_concurrently(app, requests)

    assert statuses == [201] * THREADS
    db.session.rollback()  # a fresh snapshot: the threads committed after ours began
    lot = db.session.get(Lot, lot.id)
    assert lot.quantity_in == lot.quantity_remaining == Decimal("12.5")
    assert db.session.scalar(select(func.count()).select_from(Collection)) == THREADS
    paid = db.session.scalar(select(func.sum(Payment.amount_vnd)))
    assert paid == THREADS * 125_001  # 1.25 x 100,001 = 125,001.25 -> 125,001


def test_concurrent_voids_and_corrections_of_one_delivery_take_turns(app, make_user):
    """Ten managers void or correct the same delivery at once: exactly one void wins, each
    correction starts from the state the previous writer left, the lot is taken from once."""
    from linkage.services import valuechain
    from models import CollectionStatus, RecordChange

    manager = make_user("manager")
    coop = manager.cooperatives[0]
    lot = lot_of(coop, "0")
    household = member_of(coop)
    delivery = valuechain.record_collection(
        manager, lot, household.id, Decimal("40"), 80_000, WHEN_CONCURRENT
    )
    db.session.commit()
    headers = _tokens(app, manager, THREADS)
    voids = [
        (f"/api/v1/collections/{delivery.id}/void", {"reason": "Ghi trùng hai lần"}, h)
        for h in headers[:5]
    ]
    fixes = [
        (
            f"/api/v1/collections/{delivery.id}/correction",
            {"reason": "Cân lại lần nữa", "quantity": str(30 + n)},
            h,
        )
        for n, h in enumerate(headers[5:])
    ]

    statuses = _run_concurrently(app, voids + fixes)

    assert Counter(statuses[:5])[200] == 1, statuses  # one void, then "already void" (409)
    assert set(statuses[:5]) <= {200, 409}, statuses
    assert set(statuses[5:]) <= {200, 409}, statuses
    db.session.rollback()
    collection = db.session.get(Collection, delivery.id)
    assert collection.status == CollectionStatus.VOID
    assert db.session.get(Lot, lot.id).quantity_in == Decimal("0")
    assert db.session.get(Lot, lot.id).quantity_remaining == Decimal("0")
    assert (
        db.session.scalars(
            select(Payment.voided_at).where(Payment.collection_id == delivery.id)
        ).one()
        is not None
    )
    changes = db.session.scalar(select(func.count()).select_from(RecordChange))
    assert changes == statuses.count(200)
