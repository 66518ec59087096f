"""factory_boy factories; bound to the app's session by the `app` fixture."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from werkzeug.security import generate_password_hash

from linkage.text import word_index
from models import (
    BuyerKind,
    BuyerOrganisation,
    Cooperative,
    CooperativeStatus,
    Household,
    Listing,
    ListingStatus,
    Lot,
    LotOrigin,
    Membership,
    OfficialStatus,
    Product,
    Role,
    User,
    utcnow,
)

PASSWORD = "demo-pass-2025"
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

DAO_TRU = "08914"  # Đạo Trù, a mountain commune of former Vĩnh Phúc


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = None
        sqlalchemy_session_persistence = "flush"


def bind_factories(session: Any) -> None:
    for factory_class in (
        UserFactory,
        BuyerOrganisationFactory,
        CooperativeFactory,
        HouseholdFactory,
        MembershipFactory,
        ListingFactory,
        LotFactory,
    ):
        factory_class._meta.sqlalchemy_session = session


class BuyerOrganisationFactory(_Base):
    class Meta:
        model = BuyerOrganisation

    name = factory.Sequence(lambda n: f"Công ty Dược liệu {n}")
    kind = BuyerKind.PHARMACEUTICAL


class CooperativeFactory(_Base):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"HTX Dược liệu số {n}")
    registration_no = factory.Sequence(lambda n: f"2500{n:05d}")
    commune_code = DAO_TRU
    description = "Hợp tác xã trồng ba kích dưới tán rừng."
    status = CooperativeStatus.APPROVED


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    password_hash = _PASSWORD_HASH
    name = factory.Sequence(lambda n: f"Người dùng {n}")
    role = Role.BUYER

    @factory.post_generation
    def links(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Managers get a cooperative, officials a commune, buyers an organisation."""
        if self.role == Role.MANAGER and not self.cooperatives:
            self.cooperatives.append(CooperativeFactory())
        elif self.role == Role.OFFICIAL and not self.communes and not self.province_wide:
            from linkage.extensions import db
            from models import Commune

            self.communes.append(db.session.get(Commune, DAO_TRU))
        elif self.role == Role.BUYER and self.buyer_organisation is None:
            self.buyer_organisation = BuyerOrganisationFactory()


class HouseholdFactory(_Base):
    class Meta:
        model = Household

    code = factory.Sequence(lambda n: f"HH-{n:06d}")
    head_name = factory.Sequence(lambda n: f"Triệu Văn {n}")
    commune_code = DAO_TRU
    members = 4
    ethnic_group_code = "09"  # Dao
    official_status = OfficialStatus.POOR
    official_status_on = date(2025, 12, 15)
    deprivations = 3
    baseline_income_vnd = 1_200_000
    consent_at = factory.LazyFunction(utcnow)


class MembershipFactory(_Base):
    class Meta:
        model = Membership

    household = factory.SubFactory(HouseholdFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    joined_on = date(2024, 1, 1)


def product(code: str = "PT-BA-KICH-KHO") -> Product:
    """A reference product by code (reference data is seeded once per run)."""
    from linkage.extensions import db

    return db.session.scalars(db.select(Product).where(Product.code == code)).one()


class ListingFactory(_Base):
    """An active listing of dried ba kich (Morinda root) at 450,000 VND/kg, 100 kg in stock."""

    class Meta:
        model = Listing

    cooperative = factory.SubFactory(CooperativeFactory)
    product = factory.LazyFunction(product)
    title = factory.Sequence(lambda n: f"Ba kích khô rút lõi loại {n}")
    description = "Ba kích tím Đạo Trù, 3 năm tuổi, sấy khô."
    unit_price_vnd = 450_000
    quantity_available = Decimal("100.000")
    min_order_quantity = Decimal("1.000")
    status = ListingStatus.ACTIVE
    search_text = factory.LazyAttribute(
        lambda o: word_index(o.title, o.product.name_vi, o.product.name_en)
    )


class LotFactory(_Base):
    """A collection lot of dried ba kich holding 50 kg."""

    class Meta:
        model = Lot

    cooperative = factory.SubFactory(CooperativeFactory)
    product = factory.LazyFunction(product)
    code = factory.Sequence(lambda n: f"DT-2026-{n:04d}")
    origin = LotOrigin.COLLECTION
    quantity_in = Decimal("50.000")
    quantity_remaining = Decimal("50.000")
