"""Factories and helpers for the value chain tests (lots, member households)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import factory

from linkage.extensions import db
from models import Cooperative, Household, Lot, LotOrigin, Membership, Product

from .factories import HouseholdFactory

WHEN = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)  # 09:30 in Vietnam


def product(code: str = "PT-BA-KICH-TUOI") -> Product:
    """A reference product by code."""
    return db.session.scalars(db.select(Product).where(Product.code == code)).one()


class ChainLotFactory(factory.alchemy.SQLAlchemyModelFactory):
    """A collection lot of fresh ba kich holding `quantity_in` (default nothing)."""

    class Meta:
        model = Lot
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    cooperative: Any = None
    product = factory.LazyFunction(product)
    code = factory.Sequence(lambda n: f"TL-2026-{n + 1:04d}")
    origin = LotOrigin.COLLECTION
    quantity_in = Decimal("0")
    quantity_remaining = factory.LazyAttribute(lambda lot: lot.quantity_in)
    note = ""


def member_of(cooperative: Cooperative, **kwargs: Any) -> Household:
    """A household that belongs to the cooperative."""
    household = HouseholdFactory(**kwargs)
    db.session.add(
        Membership(household=household, cooperative=cooperative, joined_on=date(2024, 1, 1))
    )
    db.session.flush()
    return household


def lot_of(
    cooperative: Cooperative, quantity: str = "0", code: str = "PT-BA-KICH-TUOI", **kwargs: Any
) -> Lot:
    """A collection lot of the cooperative holding `quantity`."""
    return ChainLotFactory(
        cooperative=cooperative, product=product(code), quantity_in=Decimal(quantity), **kwargs
    )
