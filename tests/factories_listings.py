"""Factories for listings and certifications, and small builders for value-chain rows.

They use the app's scoped session directly, so they need no binding by the `app` fixture.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import factory

from linkage.extensions import db
from linkage.text import word_index
from models import (
    Certification,
    CertificationKind,
    Collection,
    Cooperative,
    Household,
    Listing,
    ListingStatus,
    Lot,
    Payment,
    PaymentKind,
    Product,
)

from .aggregates_helpers import written_directly
from .factories import CooperativeFactory


def product(code: str = "PT-BA-KICH-KHO") -> Product:
    """A seeded reference product by its code."""
    return db.session.scalars(db.select(Product).where(Product.code == code)).one()


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class CertificationFactory(_Base):
    class Meta:
        model = Certification

    cooperative = factory.SubFactory(CooperativeFactory)
    kind = CertificationKind.GACP_WHO
    number = factory.Sequence(lambda n: f"GACP-YDCT-2025-{n:03d}")
    issuer = "Cục Quản lý Y, Dược cổ truyền - Bộ Y tế"
    valid_from = date(2025, 1, 1)
    valid_to = date(2028, 1, 1)


class ListingFactory(_Base):
    class Meta:
        model = Listing

    cooperative = factory.SubFactory(CooperativeFactory)
    product = factory.LazyFunction(product)
    title = factory.Sequence(lambda n: f"Ba kích khô loại {n}")
    description = "Củ ba kích rút lõi, sấy khô."
    unit_price_vnd = 520_000
    quantity_available = Decimal("100")
    min_order_quantity = Decimal("5")
    status = ListingStatus.ACTIVE
    search_text = factory.LazyAttribute(
        lambda o: word_index(o.title, o.product.name_vi, o.product.name_en)
    )


def make_lot(
    cooperative: Cooperative, code: str, remaining: str, product_code: str = "PT-BA-KICH-TUOI"
) -> Lot:
    """A lot holding `remaining` of a product."""
    lot = Lot(
        code=code,
        cooperative_id=cooperative.id,
        product_id=product(product_code).id,
        quantity_in=Decimal(remaining),
        quantity_remaining=Decimal(remaining),
    )
    db.session.add(lot)
    db.session.flush()
    return lot


def make_collection(
    lot: Lot, household: Household, quantity: str, unit_price_vnd: int, at: datetime, **kw: Any
) -> Collection:
    """A collection into `lot` with its farmgate payment (amount = quantity x price)."""
    amount = int(Decimal(quantity) * unit_price_vnd)
    collection = Collection(
        lot_id=lot.id,
        household_id=household.id,
        quantity=Decimal(quantity),
        unit_price_vnd=unit_price_vnd,
        amount_vnd=amount,
        collected_at=at,
        **kw,
    )
    db.session.add(collection)
    db.session.flush()
    db.session.add(
        Payment(
            cooperative_id=lot.cooperative_id,
            household_id=household.id,
            kind=PaymentKind.FARMGATE,
            amount_vnd=amount,
            paid_at=at,
            collection_id=collection.id,
        )
    )
    written_directly()
    return collection


def make_payment(
    cooperative: Cooperative, household: Household, kind: PaymentKind, amount: int, at: datetime
) -> Payment:
    payment = Payment(
        cooperative_id=cooperative.id,
        household_id=household.id,
        kind=kind,
        amount_vnd=amount,
        paid_at=at,
    )
    db.session.add(payment)
    written_directly()
    return payment
