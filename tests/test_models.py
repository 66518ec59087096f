"""The database itself refuses impossible values; quantities are exact; times are UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, StatementError

from linkage.extensions import db
from models import Household, Listing, Lot, Product

from .factories import CooperativeFactory, HouseholdFactory


def _product() -> Product:
    return db.session.scalars(db.select(Product).where(Product.code == "PT-BA-KICH-KHO")).one()


def _lot(quantity: str) -> Lot:
    cooperative = CooperativeFactory()
    lot = Lot(
        code=f"LOT-{cooperative.id}",
        cooperative=cooperative,
        product=_product(),
        quantity_in=Decimal(quantity),
        quantity_remaining=Decimal(quantity),
    )
    db.session.add(lot)
    db.session.commit()
    return lot


@pytest.mark.parametrize(
    ("field", "value"),
    [("members", 0), ("deprivations", 13), ("deprivations", -1), ("baseline_income_vnd", -5)],
)
def test_household_checks(app, field, value):
    with pytest.raises(IntegrityError):
        HouseholdFactory(**{field: value})
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Household.id))) == 0


def test_enum_columns_refuse_unknown_values(app):
    household = HouseholdFactory()
    db.session.commit()
    with pytest.raises((IntegrityError, StatementError, LookupError)):
        db.session.execute(
            update(Household).where(Household.id == household.id).values(official_status="rich")
        )
        db.session.flush()
    db.session.rollback()


def test_lot_quantity_never_goes_negative_in_the_database(app):
    lot = _lot("1.000")
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Lot)
            .where(Lot.id == lot.id)
            .values(quantity_remaining=Lot.quantity_remaining - 2)
        )
    db.session.rollback()


def test_listing_stock_and_price_checks(app):
    cooperative = CooperativeFactory()
    listing = Listing(
        cooperative=cooperative,
        product=_product(),
        title="Ba kích khô",
        unit_price_vnd=-1,
        quantity_available=Decimal("1"),
    )
    db.session.add(listing)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_quantities_are_exact_decimals(app):
    """0.1 + 0.2 taken from 0.3 leaves exactly zero (a float would leave 5.5e-17)."""
    lot = _lot("0.300")
    for taken in ("0.1", "0.2"):
        result = db.session.execute(
            update(Lot)
            .where(Lot.id == lot.id, Lot.quantity_remaining >= Decimal(taken))
            .values(quantity_remaining=Lot.quantity_remaining - Decimal(taken))
        )
        assert result.rowcount == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).quantity_remaining == Decimal("0.000")
    refused = db.session.execute(
        update(Lot)
        .where(Lot.id == lot.id, Lot.quantity_remaining >= Decimal("0.001"))
        .values(quantity_remaining=Lot.quantity_remaining - Decimal("0.001"))
    )
    assert refused.rowcount == 0
    db.session.rollback()


def test_quantity_sums_are_exact(app):
    lot_a = _lot("12.345")
    lot_b = Lot(
        code="LOT-B",
        cooperative_id=lot_a.cooperative_id,
        product_id=lot_a.product_id,
        quantity_in=Decimal("0.655"),
        quantity_remaining=Decimal("0.655"),
    )
    db.session.add(lot_b)
    db.session.commit()
    total = db.session.scalar(db.select(db.func.sum(Lot.quantity_remaining)))
    assert total == Decimal("13.000")


def test_times_are_stored_in_utc_and_come_back_aware(app):
    vietnam = timezone(timedelta(hours=7))
    household = HouseholdFactory(consent_at=datetime(2026, 1, 1, 6, 30, tzinfo=vietnam))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Household, household.id).consent_at
    assert stored.tzinfo is not None
    assert stored == datetime(2025, 12, 31, 23, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(app):
    with pytest.raises(StatementError):
        HouseholdFactory(consent_at=datetime(2026, 1, 1, 6, 30))  # noqa: DTZ001
    db.session.rollback()
