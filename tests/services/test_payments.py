"""Payments to households, totals by kind and Vietnam-time month, household statements."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from linkage.extensions import db
from linkage.services import statements, valuechain
from linkage.services.errors import DomainError
from linkage.services.periods import Month, Period, current_month
from linkage.services.valuechain import payments
from models import AuditAction, AuditEntry, Membership, Payment, PaymentKind

from ..factories_valuechain import lot_of, member_of

JAN_31_EVENING = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)  # 1 February, 03:00 in Vietnam
Q1 = Period(Month(2026, 1), Month(2026, 3))


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def coop(manager):
    return manager.cooperatives[0]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def at(day: int, month: int = 1, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# --- recording ----------------------------------------------------------------------------------


def test_record_surplus_payment_is_audited(manager, coop):
    household = member_of(coop)
    payment = payments.record_payment(
        manager, coop, household.id, 2_500_000, "surplus", at(20, 10), " Chia lãi 2025 "
    )
    db.session.commit()

    assert (payment.kind, payment.amount_vnd, payment.note) == (
        PaymentKind.SURPLUS,
        2_500_000,
        "Chia lãi 2025",
    )
    assert payment.collection_id is None
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.CREATE,
        "payment",
        str(payment.id),
    )
    assert entry.new_values["kind"] == "surplus"
    assert entry.new_values["amount_vnd"] == 2_500_000


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "farmgate"}, 422, "kind"),
        ({"kind": "gift"}, 422, "kind"),
        ({"amount_vnd": 0}, 422, "amount_vnd"),
        ({"amount_vnd": -5}, 422, "amount_vnd"),
        ({"paid_at": datetime(2026, 1, 5)}, 422, "paid_at"),  # noqa: DTZ001 (naive on purpose)
        ({"paid_at": datetime(2099, 1, 5, tzinfo=UTC)}, 409, "paid_at"),  # in the future
        ({"note": "x" * 1001}, 422, "note"),
        ({"household_id": "outsider"}, 404, "household_id"),
        ({"household_id": 10**12}, 404, "household_id"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(
    manager, coop, make_user, change, status, field
):
    household = member_of(coop)
    outsider = member_of(make_user("manager").cooperatives[0])
    values = {
        "household_id": household.id,
        "amount_vnd": 100_000,
        "kind": "other",
        "paid_at": at(5),
        "note": "",
        **change,
    }
    if values["household_id"] == "outsider":
        values["household_id"] = outsider.id
    with pytest.raises(DomainError) as error:
        payments.record_payment(manager, coop, **values)
    assert (error.value.status, error.value.field) == (status, field)
    assert (count(Payment), count(AuditEntry)) == (0, 0)


def test_payments_of_another_cooperative_are_404(manager, make_user):
    other = make_user("manager").cooperatives[0]
    household = member_of(other)
    with pytest.raises(DomainError) as error:
        payments.record_payment(manager, other, household.id, 1000, "other", at(5))
    assert error.value.status == 404
    with pytest.raises(DomainError):
        payments.payments_query(manager, other)


# --- lists and totals ---------------------------------------------------------------------------


def _collect(manager, coop, household, quantity: str, price: int, when: datetime):
    lot = lot_of(coop)
    return valuechain.record_collection(manager, lot, household.id, Decimal(quantity), price, when)


def test_totals_by_kind_and_vietnam_month(manager, coop, make_user):
    first, second = member_of(coop), member_of(coop)
    _collect(manager, coop, first, "10", 100_000, at(10))  # January: 1,000,000
    _collect(manager, coop, second, "2", 50_000, JAN_31_EVENING)  # February in Vietnam: 100,000
    payments.record_payment(manager, coop, first.id, 300_000, "surplus", at(15, 3))
    payments.record_payment(manager, coop, second.id, 40_000, "other", at(1, 3, hour=1))
    payments.record_payment(manager, coop, first.id, 9_999, "other", at(1, 4))  # after Q1
    payments.record_payment(
        manager, coop, first.id, 7_777, "other", datetime(2025, 12, 31, 16, 59, tzinfo=UTC)
    )
    other = make_user("manager").cooperatives[0]
    payments.record_payment(make_user("admin"), other, member_of(other).id, 5, "other", at(5))
    db.session.commit()
    assert coop.id  # loaded before counting

    statements_seen = []
    listener = lambda *args: statements_seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        totals = payments.payment_totals(coop, Q1)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert [s for s in statements_seen if s != "BEGIN"] == [statements_seen[-1]]
    assert "GROUP BY" in statements_seen[-1]
    assert [str(m.month) for m in totals.months] == ["2026-01", "2026-02", "2026-03"]
    assert [m.by_kind[PaymentKind.FARMGATE] for m in totals.months] == [1_000_000, 100_000, 0]
    assert [m.by_kind[PaymentKind.SURPLUS] for m in totals.months] == [0, 0, 300_000]
    assert [m.by_kind[PaymentKind.OTHER] for m in totals.months] == [0, 0, 40_000]
    assert [m.total_vnd for m in totals.months] == [1_000_000, 100_000, 340_000]
    assert totals.by_kind == {
        PaymentKind.FARMGATE: 1_100_000,
        PaymentKind.SURPLUS: 300_000,
        PaymentKind.OTHER: 40_000,
    }
    assert totals.total_vnd == 1_440_000
    january = payments.payment_totals(coop, Period(Month(2026, 1), Month(2026, 1)))
    assert january.total_vnd == 1_000_000


def test_payments_query_filters_by_period_kind_and_household(manager, coop):
    first, second = member_of(coop), member_of(coop)
    collection = _collect(manager, coop, first, "1", 1000, JAN_31_EVENING)
    surplus = payments.record_payment(manager, coop, second.id, 5000, "surplus", at(3, 2))
    payments.record_payment(manager, coop, second.id, 6000, "other", at(3, 1))

    def ids(**kwargs):
        return [p.id for p in db.session.scalars(payments.payments_query(manager, coop, **kwargs))]

    february = Period(Month(2026, 2), Month(2026, 2))
    farmgate = db.session.scalars(
        select(Payment.id).where(Payment.collection_id == collection.id)
    ).one()
    assert ids(period=february) == [surplus.id, farmgate]
    assert ids(period=february, kind=PaymentKind.FARMGATE) == [farmgate]
    assert ids(household_id=second.id, kind=PaymentKind.OTHER) != []
    assert len(ids()) == 3


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-01", "2026-03", "2026-01..2026-03"),
        ("2026-02", None, "2026-02..2026-02"),
        (None, "2026-05", "2026-05..2026-05"),
    ],
)
def test_parse_period(start, end, expected):
    assert str(payments.parse_period(start, end)) == expected


def test_parse_period_defaults_to_this_month():
    this = current_month()
    assert payments.parse_period(None, "") == Period(this, this)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-13", None, "period_start"),
        ("january", None, "period_start"),
        ("2026-01", "2026-1", "period_end"),
        ("2026-03", "2026-01", "period_end"),
        ("2000-01", "2015-01", "period_end"),
        ("1999-12", "2000-01", "period_start"),
    ],
)
def test_parse_period_refuses_bad_months(start, end, field):
    with pytest.raises(DomainError) as error:
        payments.parse_period(start, end)
    assert (error.value.status, error.value.field) == (422, field)


# --- statements ---------------------------------------------------------------------------------


def test_household_statement_lists_deliveries_and_payments_of_the_period(manager, coop, make_user):
    household, neighbour = member_of(coop), member_of(coop)
    _collect(manager, coop, household, "12.5", 120_000, at(10))
    _collect(manager, coop, household, "1.235", 10_001, JAN_31_EVENING)
    _collect(manager, coop, household, "3", 100_000, datetime(2025, 12, 31, 16, 0, tzinfo=UTC))
    _collect(manager, coop, neighbour, "50", 100_000, at(11))
    payments.record_payment(manager, coop, household.id, 800_000, "surplus", at(20, 3))
    payments.record_payment(manager, coop, household.id, 50_000, "other", at(2, 4))
    other = make_user("manager").cooperatives[0]
    db.session.add(Membership(household=household, cooperative=other, joined_on=at(1).date()))
    payments.record_payment(make_user("admin"), other, household.id, 999, "other", at(5))
    db.session.commit()
    audits_before = count(AuditEntry)
    assert coop.id and household.id and manager.cooperatives  # loaded before counting

    statements_seen = []
    listener = lambda *args: statements_seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        statement = statements.household_statement(manager, coop, household, Q1)
        rows = [
            (d.collected_at, d.lot.product.code, d.quantity, d.amount_vnd)
            for d in statement.deliveries
        ]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    # household, deliveries, farmgate total, other payments, their corrections and voids
    assert len(statements_seen) <= 5, "\n".join(statements_seen)
    assert rows == [
        (at(10), "PT-BA-KICH-TUOI", Decimal("12.5"), 1_500_000),
        (JAN_31_EVENING, "PT-BA-KICH-TUOI", Decimal("1.235"), 12_351),
    ]
    assert statement.farmgate_total_vnd == 1_512_351
    assert [(p.kind, p.amount_vnd) for p in statement.other_payments] == [
        (PaymentKind.SURPLUS, 800_000)
    ]
    assert statement.other_total_vnd == 800_000
    assert statement.grand_total_vnd == 2_312_351
    [(total)] = statement.by_product
    assert (total.quantity, total.amount_vnd) == (Decimal("13.735"), 1_512_351)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert count(AuditEntry) == audits_before + 1
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.READ,
        "household",
        str(household.id),
    )
    assert entry.new_values["period"] == "2026-01..2026-03"


def test_statement_of_a_household_outside_the_cooperative_is_404(manager, coop, make_user):
    outsider = member_of(make_user("manager").cooperatives[0])
    with pytest.raises(DomainError) as error:
        statements.household_statement(manager, coop, outsider, Q1)
    assert error.value.status == 404
    other = make_user("manager").cooperatives[0]
    with pytest.raises(DomainError):
        statements.household_statement(manager, other, member_of(other), Q1)
