"""Corrections and voids of deliveries and payments: lot, payment and attributions follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services import valuechain
from linkage.services.errors import DomainError
from linkage.services.orders import pay_order
from linkage.services.valuechain import corrections, payments
from linkage.services.valuechain.history import history
from models import (
    AuditEntry,
    ChangeAction,
    Collection,
    CollectionStatus,
    Household,
    IncomeAttribution,
    Lot,
    Order,
    Payment,
    PaymentKind,
    RecordChange,
    User,
)

from ..factories import LotFactory
from ..factories_orders import delivered as delivered_order
from ..factories_orders import make_market
from ..factories_valuechain import member_of

D = Decimal
WHEN = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
REASON = "Gõ nhầm số cân"


@dataclass
class Delivered:
    manager: User
    lot: Lot
    a: Household
    b: Household
    from_a: Collection
    from_b: Collection
    order: Order


@pytest.fixture
def delivered(make_user) -> Delivered:
    """A lot of 100 kg (60 from household a, 40 from b at 80,000 ₫/kg), 50 kg shipped on an
    order that is paid, so its income is attributed 30:20 to a and b."""
    market = make_market(make_user)
    coop = market.cooperative
    lot = LotFactory(
        cooperative=coop,
        product=market.listing.product,
        quantity_in=D("0"),
        quantity_remaining=D("0"),
    )
    a = member_of(coop, head_name="Dương Thị Liên")
    b = member_of(coop, head_name="Triệu Văn Sơn")
    from_a = valuechain.record_collection(market.manager, lot, a.id, D("60"), 80_000, WHEN)
    from_b = valuechain.record_collection(market.manager, lot, b.id, D("40"), 80_000, WHEN)
    db.session.commit()
    order = delivered_order(market, lot, "50")
    pay_order(market.manager, order)
    db.session.commit()
    return Delivered(market.manager, lot, a, b, from_a, from_b, order)


def attributed(order: Order) -> dict[int, int]:
    """Attributed income of the order by household."""
    rows = db.session.execute(
        select(IncomeAttribution.household_id, func.sum(IncomeAttribution.amount_vnd))
        .where(IncomeAttribution.order_id == order.id)
        .group_by(IncomeAttribution.household_id)
    ).all()
    return {household_id: int(amount) for household_id, amount in rows}


def farmgate(collection: Collection) -> Payment:
    return db.session.scalars(select(Payment).where(Payment.collection_id == collection.id)).one()


def lot_quantities(lot: Lot) -> tuple[Decimal, Decimal]:
    db.session.expire(lot)
    return lot.quantity_in, lot.quantity_remaining


def test_the_fixture_attributes_by_quantity(delivered):
    line = delivered.order.lines[0].amount_vnd
    assert attributed(delivered.order) == {
        delivered.a.id: line * 60 // 100,
        delivered.b.id: line * 40 // 100,
    }
    assert lot_quantities(delivered.lot) == (D("100"), D("50"))


def test_a_quantity_correction_moves_lot_payment_and_attributions(delivered):
    corrections.correct_collection(delivered.manager, delivered.from_b, REASON, quantity=D("30"))
    db.session.commit()

    assert lot_quantities(delivered.lot) == (D("90"), D("40"))
    assert delivered.from_b.quantity == D("30")
    assert delivered.from_b.amount_vnd == 2_400_000
    assert delivered.from_b.status == CollectionStatus.CORRECTED
    assert farmgate(delivered.from_b).amount_vnd == 2_400_000
    line = delivered.order.lines[0].amount_vnd
    shares = attributed(delivered.order)
    assert sum(shares.values()) == line  # to the đồng
    assert shares[delivered.a.id] == round(line * 60 / 90)
    [change] = history("collection", delivered.from_b.id)
    assert change.action == ChangeAction.CORRECT
    assert change.reason == REASON
    assert change.changed_by_id == delivered.manager.id
    assert change.old_values == {"amount_vnd": 3_200_000, "quantity": "40.000"}
    assert change.new_values == {"amount_vnd": 2_400_000, "quantity": "30.000"}
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "collection",
            AuditEntry.entity_id == str(delivered.from_b.id),
            AuditEntry.reason == REASON,
        )
    ).one()
    assert entry.new_values["action"] == "correct"


def test_a_household_correction_moves_the_payment_and_the_attributions(delivered):
    line = delivered.order.lines[0].amount_vnd
    corrections.correct_collection(
        delivered.manager, delivered.from_b, REASON, household_id=delivered.a.id
    )
    db.session.commit()
    assert farmgate(delivered.from_b).household_id == delivered.a.id
    assert attributed(delivered.order) == {delivered.a.id: line}
    assert lot_quantities(delivered.lot) == (D("100"), D("50"))


def test_a_date_correction_moves_the_payment_date(delivered):
    later = datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
    corrections.correct_collection(delivered.manager, delivered.from_a, REASON, collected_at=later)
    db.session.commit()
    assert farmgate(delivered.from_a).paid_at == later
    assert delivered.from_a.collected_at == later


def test_a_price_correction_keeps_the_payment_date(delivered):
    corrections.correct_collection(
        delivered.manager, delivered.from_a, REASON, unit_price_vnd=85_000
    )
    db.session.commit()
    payment = farmgate(delivered.from_a)
    assert payment.amount_vnd == 60 * 85_000
    assert payment.paid_at == WHEN


def test_a_correction_the_lot_cannot_absorb_is_refused_and_changes_nothing(delivered):
    before = attributed(delivered.order)
    with pytest.raises(DomainError) as refused:
        corrections.correct_collection(delivered.manager, delivered.from_a, REASON, quantity=D("5"))
    db.session.rollback()
    assert refused.value.status == 409
    assert "chỉ còn 50 kg" in refused.value.message  # what it holds, in the page language
    assert "sơ chế hoặc xuất đi" in refused.value.message
    db.session.expire_all()
    assert delivered.from_a.quantity == D("60")
    assert delivered.from_a.status == CollectionStatus.RECORDED
    assert lot_quantities(delivered.lot) == (D("100"), D("50"))
    assert farmgate(delivered.from_a).amount_vnd == 4_800_000
    assert attributed(delivered.order) == before
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


def test_the_refusal_writes_nothing_even_if_the_caller_commits(delivered):
    with pytest.raises(DomainError):
        corrections.correct_collection(delivered.manager, delivered.from_a, REASON, quantity=D("5"))
    db.session.commit()
    assert lot_quantities(delivered.lot) == (D("100"), D("50"))
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


def test_voiding_a_delivery_takes_it_out_of_everything(delivered):
    line = delivered.order.lines[0].amount_vnd
    corrections.void_collection(delivered.manager, delivered.from_b, REASON)
    db.session.commit()
    assert delivered.from_b.status == CollectionStatus.VOID
    assert lot_quantities(delivered.lot) == (D("60"), D("10"))
    assert farmgate(delivered.from_b).is_void
    assert attributed(delivered.order) == {delivered.a.id: line}
    [change] = history("collection", delivered.from_b.id)
    assert change.action == ChangeAction.VOID
    assert change.old_values["quantity"] == "40.000"
    # kept, not deleted
    assert db.session.get(Collection, delivered.from_b.id) is not None
    # the lot's history still lists it, but its value is out of the total
    lot_history = valuechain.lot_history(delivered.manager, delivered.lot)
    assert delivered.from_b in lot_history.collections
    assert lot_history.collected_vnd == 4_800_000
    assert lot_history.history(delivered.from_b) == [change]


def test_a_void_delivery_cannot_be_corrected_or_voided_again(delivered):
    corrections.void_collection(delivered.manager, delivered.from_b, REASON)
    db.session.commit()
    for attempt in (
        lambda: corrections.void_collection(delivered.manager, delivered.from_b, REASON),
        lambda: corrections.correct_collection(
            delivered.manager, delivered.from_b, REASON, quantity=D("1")
        ),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.status == 409


def test_voiding_what_was_shipped_is_refused(delivered):
    with pytest.raises(DomainError) as refused:
        corrections.void_collection(delivered.manager, delivered.from_a, REASON)
    assert refused.value.status == 409
    db.session.rollback()
    assert lot_quantities(delivered.lot) == (D("100"), D("50"))


@pytest.mark.parametrize("reason", ["", "   ", "abc", "x\x00yyyyy", "a" * 1001, None])
def test_a_reason_is_required(delivered, reason):
    with pytest.raises(DomainError) as refused:
        corrections.void_collection(delivered.manager, delivered.from_b, reason)
    assert refused.value.status == 422
    assert refused.value.field == "reason"


def test_a_correction_must_change_something(delivered):
    # the record already holds these values: a conflict with its state (409), not a bad value
    with pytest.raises(DomainError) as refused:
        corrections.correct_collection(
            delivered.manager, delivered.from_b, REASON, quantity=D("40")
        )
    assert refused.value.status == 409
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


def test_a_correction_to_a_household_of_another_cooperative_is_refused(delivered, make_user):
    other = make_user("manager").cooperatives[0]
    stranger = member_of(other)
    with pytest.raises(DomainError) as refused:
        corrections.correct_collection(
            delivered.manager, delivered.from_b, REASON, household_id=stranger.id
        )
    assert refused.value.status == 404


def test_a_manager_of_another_cooperative_cannot_see_or_change(delivered, make_user):
    other = make_user("manager")
    with pytest.raises(DomainError) as refused:
        corrections.get_collection_for(other, delivered.from_b.id)
    assert refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        corrections.void_collection(other, delivered.from_b, REASON)
    assert refused.value.status == 404


def test_voiding_a_surplus_payment_takes_it_out_of_the_totals(delivered):
    coop = db.session.get(Lot, delivered.lot.id).cooperative
    payment = payments.record_payment(
        delivered.manager, coop, delivered.a.id, 500_000, PaymentKind.SURPLUS, WHEN
    )
    db.session.commit()
    period = payments.parse_period("2026-03", "2026-03")
    assert payments.payment_totals(coop, period).by_kind[PaymentKind.SURPLUS] == 500_000
    corrections.void_payment(delivered.manager, payment, REASON)
    db.session.commit()
    assert payment.is_void
    assert payments.payment_totals(coop, period).by_kind[PaymentKind.SURPLUS] == 0
    assert [c.action for c in history("payment", payment.id)] == [ChangeAction.VOID]


def test_a_farmgate_payment_is_voided_through_its_delivery(delivered):
    with pytest.raises(DomainError) as refused:
        corrections.void_payment(delivered.manager, farmgate(delivered.from_a), REASON)
    assert refused.value.status == 409


def test_a_void_delivery_leaves_the_trace_and_the_epcis_documents(delivered):
    from linkage.services import trace
    from linkage.services.trace import epcis

    corrections.void_collection(delivered.manager, delivered.from_b, REASON)
    db.session.commit()
    lot = db.session.get(Lot, delivered.lot.id)
    chain = trace.trace_lot(lot, with_households=True, party_secret="secret")
    assert [c.quantity for c in chain.collections] == [D("60")]
    document = epcis.manager_document(chain, "https://linkage.example/", WHEN)
    quantities = [
        q["quantity"]
        for e in document["epcisBody"]["eventList"]
        if e.get("bizStep") == "receiving"
        for q in e.get("quantityList", [])
    ]
    assert quantities == [60]
