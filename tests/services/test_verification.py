"""Derived records recomputed from the records: `records verify` finds and rebuilds drift."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from linkage.extensions import db
from linkage.services.valuechain import corrections
from linkage.services.valuechain.verification import verify
from models import IncomeAttribution, Lot, Payment

from .test_corrections import REASON, attributed, delivered  # noqa: F401 (fixture)


def test_recorded_and_corrected_records_verify_clean(delivered):  # noqa: F811
    assert verify().clean
    corrections.correct_collection(
        delivered.manager, delivered.from_b, REASON, quantity=Decimal("30")
    )
    corrections.void_collection(delivered.manager, delivered.from_b, REASON)
    db.session.commit()
    assert verify().clean


def test_drift_is_found_and_rebuilt(delivered, runner):  # noqa: F811
    expected = attributed(delivered.order)
    db.session.execute(
        update(IncomeAttribution)
        .where(IncomeAttribution.household_id == delivered.a.id)
        .values(amount_vnd=IncomeAttribution.amount_vnd + 1)
    )
    db.session.execute(
        update(Payment).where(Payment.collection_id == delivered.from_b.id).values(amount_vnd=1)
    )
    db.session.execute(
        update(Lot).where(Lot.id == delivered.lot.id).values(quantity_in=Decimal("99"))
    )
    db.session.commit()

    result = runner.invoke(args=["records", "verify"])
    assert result.exit_code == 1
    assert f"Paid orders whose attributions differ: 1 ({delivered.order.id})" in result.output
    assert f"Deliveries whose farmgate payment differs: 1 ({delivered.from_b.id})" in result.output
    assert "differs from their deliveries: 1" in result.output

    result = runner.invoke(args=["records", "verify", "--rebuild"])
    assert result.exit_code == 1  # lots are reported, not rebuilt
    assert "Lot quantities are not rebuilt" in result.output
    db.session.expire_all()
    assert attributed(delivered.order) == expected
    payment = db.session.scalars(
        select(Payment).where(Payment.collection_id == delivered.from_b.id)
    ).one()
    assert payment.amount_vnd == delivered.from_b.amount_vnd
    found = verify()
    assert (found.orders, found.payments, len(found.lots)) == ([], [], 1)
