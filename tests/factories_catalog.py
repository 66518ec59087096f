"""Builders for catalog tests: certifications, member households with distinctive names
collected into lots, and shipments against a listing (raw rows: no order service needed)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from linkage.extensions import db
from linkage.services.periods import current_day
from linkage.text import word_index
from models import (
    Certification,
    CertificationKind,
    Collection,
    Cooperative,
    Listing,
    Lot,
    LotAllocation,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    utcnow,
)

from .factories import (
    HouseholdFactory,
    ListingFactory,
    LotFactory,
    MembershipFactory,
    UserFactory,
    product,
)

# What must never reach a catalog page or answer (DESIGN 4.4).
SECRET_NAMES = ("Lý Thị Bí Ẩn", "Hoàng Văn Kín Đáo")
SECRET_CODES = ("HH-KIN-4242", "HH-KIN-5353")
ETHNIC_GROUP = ("18", "Sán Dìu")  # code, name


def listing(title: str, code: str = "PT-BA-KICH-KHO", **kwargs: object) -> Listing:
    """A listing of a reference product whose search text follows its title."""
    item = product(code)
    return ListingFactory(
        title=title,
        product=item,
        search_text=word_index(title, item.name_vi, item.name_en),
        **kwargs,
    )


def certification(
    cooperative: Cooperative,
    kind: CertificationKind = CertificationKind.VIETGAP,
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
    number: str = "VG-2025-001",
    listings: tuple[Listing, ...] = (),
) -> Certification:
    """A certificate of the cooperative (valid around today by default), on `listings`."""
    today = current_day()
    cert = Certification(
        cooperative=cooperative,
        kind=kind,
        number=number,
        valid_from=valid_from or today - timedelta(days=365),
        valid_to=valid_to or today + timedelta(days=365),
    )
    db.session.add(cert)
    for item in listings:
        item.certifications.append(cert)
    db.session.flush()
    return cert


def secret_lot(cooperative: Cooperative, code: str, quantity: str = "40") -> Lot:
    """A lot filled by two member households with distinctive, sensitive data."""
    lot = LotFactory(
        cooperative=cooperative,
        code=code,
        quantity_in=Decimal(quantity),
        quantity_remaining=Decimal(quantity),
    )
    for name, household_code in zip(SECRET_NAMES, SECRET_CODES, strict=True):
        household = HouseholdFactory(
            head_name=name,
            code=f"{household_code}-{code}",
            ethnic_group_code=ETHNIC_GROUP[0],
            official_status=OfficialStatus.NEAR_POOR,
            members=3,
        )
        MembershipFactory(household=household, cooperative=cooperative)
        share = Decimal(quantity) / 2
        db.session.add(
            Collection(
                lot=lot,
                household=household,
                quantity=share,
                unit_price_vnd=300_000,
                amount_vnd=int(share * 300_000),
                collected_at=utcnow() - timedelta(days=20),
            )
        )
    db.session.flush()
    return lot


def ship(item: Listing, lot: Lot, quantity: str = "10") -> Order:
    """A shipped order of `quantity` of the listing, allocated to `lot`."""
    amount = Decimal(quantity)
    order = Order(
        buyer=UserFactory(role=Role.BUYER),
        cooperative=item.cooperative,
        status=OrderStatus.SHIPPED,
        total_vnd=int(amount * item.unit_price_vnd),
        shipped_at=utcnow(),
    )
    line = OrderLine(
        order=order,
        listing=item,
        quantity=amount,
        unit_price_vnd=item.unit_price_vnd,
        amount_vnd=int(amount * item.unit_price_vnd),
    )
    db.session.add_all([order, line, LotAllocation(order_line=line, lot=lot, quantity=amount)])
    lot.quantity_remaining -= amount
    db.session.flush()
    return order
