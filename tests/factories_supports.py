"""A small setting for the support tests: two cooperatives, their managers, households in and
out of an official's commune, and deliveries paid at the farmgate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from linkage.extensions import db
from linkage.services.supports import record_support
from models import (
    Collection,
    CollectionStatus,
    Commune,
    Cooperative,
    Household,
    Lot,
    Payment,
    PaymentKind,
    Support,
    SupportProgramme,
    User,
)

from .aggregates_helpers import written_directly
from .factories import CooperativeFactory, HouseholdFactory, MembershipFactory, UserFactory
from .factories_valuechain import lot_of

VIET_TRI = "07900"  # a ward of Việt Trì, outside the Đạo Trù official's jurisdiction
REASON = "Sổ vay của ngân hàng ghi khác"


@dataclass
class Setting:
    coop: Cooperative
    other_coop: Cooperative
    manager: User
    other_manager: User
    official: User
    outside_official: User
    admin: User
    buyer: User
    household: Household  # in Đạo Trù, member of `coop`
    neighbour: Household  # in Đạo Trù, member of `other_coop`
    townsman: Household  # in Việt Trì, member of `coop`


def setting() -> Setting:
    coop = CooperativeFactory(name="HTX Ba kích Đạo Trù")
    other = CooperativeFactory(name="HTX Chè Tân Sơn")
    household = HouseholdFactory(code="DT-0001", head_name="Triệu Văn Minh")
    neighbour = HouseholdFactory(code="DT-0002", head_name="Lý Thị Hoa")
    townsman = HouseholdFactory(code="VT-0001", commune_code=VIET_TRI, ethnic_group_code="01")
    MembershipFactory(household=household, cooperative=coop)
    MembershipFactory(household=neighbour, cooperative=other)
    MembershipFactory(household=townsman, cooperative=coop)
    result = Setting(
        coop=coop,
        other_coop=other,
        manager=UserFactory(role="manager", cooperatives=[coop]),
        other_manager=UserFactory(role="manager", cooperatives=[other]),
        official=UserFactory(role="official"),  # Đạo Trù
        outside_official=UserFactory(role="official", communes=[commune(VIET_TRI)]),
        admin=UserFactory(role="admin"),
        buyer=UserFactory(role="buyer"),
        household=household,
        neighbour=neighbour,
        townsman=townsman,
    )
    db.session.commit()
    return result


def commune(code: str) -> Commune:
    return db.session.get(Commune, code)


def loan_data(**overrides: Any) -> dict[str, Any]:
    """A policy loan of 50,000,000 ₫ over 60 months for fresh ba kich, as the services take it."""
    data: dict[str, Any] = {
        "programme": SupportProgramme.POLICY_LOAN,
        "amount_vnd": 50_000_000,
        "received_on": date(2026, 3, 10),
        "purpose_product_code": "PT-BA-KICH-TUOI",
        "term_months": 60,
        "note": "NHCSXH - cho vay hộ nghèo",
    }
    data.update(overrides)
    return data


def variety_data(**overrides: Any) -> dict[str, Any]:
    """Seedlings of ba kich worth 2,500,000 ₫."""
    values = {
        "programme": SupportProgramme.CROP_VARIETY,
        "amount_vnd": 2_500_000,
        "term_months": None,
        "note": "Cây giống ba kích",
    }
    return loan_data(**{**values, **overrides})


def give(actor: User, household: Household, **data: Any) -> Support:
    """A support recorded through the service (flushed)."""
    return record_support(actor, household, loan_data(**data))


def paid_delivery(
    coop: Cooperative,
    household: Household,
    paid_at: datetime,
    amount_vnd: int,
    product_code: str = "PT-BA-KICH-TUOI",
    *,
    void: bool = False,
    lot: Lot | None = None,
) -> Payment:
    """A delivery of 1 kg at `amount_vnd` with its farmgate payment at `paid_at`."""
    lot = lot or lot_of(coop, code=product_code)
    collection = Collection(
        lot=lot,
        household=household,
        quantity=Decimal(1),
        unit_price_vnd=amount_vnd,
        amount_vnd=amount_vnd,
        collected_at=paid_at,
        status=CollectionStatus.VOID if void else CollectionStatus.RECORDED,
    )
    payment = Payment(
        cooperative_id=coop.id,
        household=household,
        kind=PaymentKind.FARMGATE,
        amount_vnd=amount_vnd,
        paid_at=paid_at,
        collection=collection,
        voided_at=paid_at if void else None,
    )
    db.session.add_all([collection, payment])
    written_directly()
    return payment


def surplus(coop: Cooperative, household: Household, paid_at: datetime, amount_vnd: int) -> Payment:
    payment = Payment(
        cooperative_id=coop.id,
        household=household,
        kind=PaymentKind.SURPLUS,
        amount_vnd=amount_vnd,
        paid_at=paid_at,
    )
    db.session.add(payment)
    written_directly()
    return payment
