"""Plausibility of a delivery: the rules at their bounds, and the medians they are held to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.valuechain.plausibility import (
    Concern,
    ConcernKind,
    Rules,
    assess,
    check_collection,
    median_price,
    median_quantity,
)
from models import CollectionStatus, utcnow

from ..factories import CooperativeFactory
from ..factories_listings import make_collection
from ..factories_valuechain import lot_of, member_of

D = Decimal
NOW = utcnow()
KINDS = ConcernKind


def kinds(concerns: list[Concern]) -> list[ConcernKind]:
    return [concern.kind for concern in concerns]


# --- the rules, without a database --------------------------------------------------------------


@pytest.mark.parametrize(
    ("median", "price", "expected"),
    [
        (80_000, 80_000, []),
        (80_000, 240_000, []),  # exactly 3 times the median passes
        (80_000, 240_001, [KINDS.PRICE_HIGH]),
        (90_000, 30_000, []),  # exactly a third of the median passes
        (90_000, 29_999, [KINDS.PRICE_LOW]),
        (80_000, 0, [KINDS.PRICE_LOW]),
    ],
)
def test_the_price_is_held_to_a_third_and_three_times_the_median(median, price, expected):
    assert kinds(assess(D("10"), price, D(median), D("10"))) == expected


def test_a_price_concern_names_the_median_and_the_window():
    (concern,) = assess(D("1"), 300_000, D("80000.5"), D("1"))
    assert (concern.kind, concern.factor, concern.days) == (KINDS.PRICE_HIGH, 3, 90)
    assert concern.reference_vnd == 80_001  # shown rounded half up to the đồng


@pytest.mark.parametrize(
    ("quantity", "median", "expected"),
    [
        ("120", "12", []),  # exactly 10 times the household's median passes
        ("120.001", "12", [KINDS.QUANTITY_HIGH]),
        ("0.5", "0.05", []),
        ("2000", "250", []),  # a big household: over 1,000 is fine with its history
        ("1000", None, []),  # without history, 1,000 passes
        ("1000.001", None, [KINDS.QUANTITY_WITHOUT_HISTORY]),
    ],
)
def test_the_quantity_is_held_to_ten_medians_or_1000_without_history(quantity, median, expected):
    median = None if median is None else D(median)
    assert kinds(assess(D(quantity), 50_000, None, median)) == expected


def test_without_any_price_history_any_price_passes():
    assert assess(D("5"), 10**9, None, D("5")) == []


def test_both_concerns_at_once_and_other_rules():
    concerns = assess(D("5000"), 1_000_000, D("80000"), None)
    assert kinds(concerns) == [KINDS.PRICE_HIGH, KINDS.QUANTITY_WITHOUT_HISTORY]
    rules = Rules(price_factor=2, quantity_factor=3, quantity_without_history=D("50"))
    assert kinds(assess(D("31"), 160_001, D("80000"), D("10"), rules)) == [
        KINDS.PRICE_HIGH,
        KINDS.QUANTITY_HIGH,
    ]


# --- the medians, from the database -------------------------------------------------------------


@pytest.fixture
def setting(app):
    cooperative = CooperativeFactory()
    lot = lot_of(cooperative)
    household = member_of(cooperative)
    db.session.flush()
    return cooperative, lot, household


def _deliver(lot, household, quantity="10", price=80_000, days_ago=1, **kw):
    return make_collection(lot, household, quantity, price, NOW - timedelta(days=days_ago), **kw)


def test_the_median_price_odd_and_even_counts(setting):
    cooperative, lot, household = setting
    since = NOW - timedelta(days=90)
    for price in (90_000, 10_000, 20_000):
        _deliver(lot, household, price=price)
    assert median_price(cooperative.id, lot.product_id, since) == D(20_000)
    _deliver(lot, household, price=1_000_000)
    assert median_price(cooperative.id, lot.product_id, since) == D(55_000)  # (20,000+90,000)/2


def test_the_median_price_counts_the_last_90_days_of_this_product_here(setting):
    cooperative, lot, household = setting
    _deliver(lot, household, price=80_000, days_ago=89)
    _deliver(lot, household, price=5_000, days_ago=91)  # too old
    other_product = lot_of(cooperative, code="PT-BA-KICH-KHO")
    _deliver(other_product, household, price=5_000)
    elsewhere = CooperativeFactory()
    _deliver(lot_of(elsewhere), member_of(elsewhere), price=5_000)
    since = NOW - timedelta(days=90)
    assert median_price(cooperative.id, lot.product_id, since) == D(80_000)
    assert kinds(check_collection(lot, household.id, D("10"), 240_000, now=NOW)) == []
    assert kinds(check_collection(lot, household.id, D("10"), 240_001, now=NOW)) == [
        KINDS.PRICE_HIGH
    ]
    assert kinds(check_collection(lot, household.id, D("10"), 26_666, now=NOW)) == [KINDS.PRICE_LOW]


def test_void_collections_count_nowhere(setting):
    cooperative, lot, household = setting
    _deliver(lot, household, quantity="10", price=80_000)
    for _ in range(3):
        _deliver(lot, household, quantity="900", price=5_000, status=CollectionStatus.VOID)
    _deliver(lot, household, quantity="12", price=80_000, status=CollectionStatus.CORRECTED)
    since = NOW - timedelta(days=90)
    assert median_price(cooperative.id, lot.product_id, since) == D(80_000)
    assert median_quantity(cooperative.id, lot.product_id, household.id) == D("11")
    assert kinds(check_collection(lot, household.id, D("110"), 80_000, now=NOW)) == []
    assert kinds(check_collection(lot, household.id, D("110.001"), 80_000, now=NOW)) == [
        KINDS.QUANTITY_HIGH
    ]


def test_the_household_median_is_its_own_deliveries_of_this_product_here(setting):
    cooperative, lot, household = setting
    neighbour = member_of(cooperative)
    _deliver(lot, neighbour, quantity="2000")
    _deliver(lot_of(cooperative, code="PT-BA-KICH-KHO"), household, quantity="3000")
    elsewhere = CooperativeFactory()
    _deliver(lot_of(elsewhere), household, quantity="4000")
    assert median_quantity(cooperative.id, lot.product_id, household.id) is None
    # no history of its own here: the 1,000 bound applies
    assert kinds(check_collection(lot, household.id, D("1000"), 80_000, now=NOW)) == []
    assert kinds(check_collection(lot, household.id, D("1200"), 80_000, now=NOW)) == [
        KINDS.QUANTITY_WITHOUT_HISTORY
    ]
    _deliver(lot, household, quantity="150", days_ago=400)  # any age counts for quantities
    assert kinds(check_collection(lot, household.id, D("1200"), 80_000, now=NOW)) == []


def test_a_check_takes_four_small_queries_whatever_the_history(setting):
    _cooperative, lot, household = setting
    for n in range(40):
        _deliver(lot, household, quantity=str(n + 1), price=70_000 + n)
    db.session.flush()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        concerns = check_collection(lot, household.id, D("20"), 80_000, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert concerns == []
    assert len(statements) == 4, statements
    assert sum("LIMIT" in s for s in statements) == 2
