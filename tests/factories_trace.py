"""Builders of value chains for the trace, EPCIS and mass balance tests.

Rows are made directly with the models (the recording services are tested elsewhere):
collections, two levels of processing and partial shipments on orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from linkage.extensions import db
from models import (
    Certification,
    CertificationKind,
    Collection,
    Cooperative,
    Household,
    Lot,
    LotAllocation,
    LotOrigin,
    Order,
    OrderLine,
    OrderStatus,
    Process,
    Transformation,
    TransformationInput,
    User,
)

from .factories import (
    CooperativeFactory,
    HouseholdFactory,
    ListingFactory,
    LotFactory,
    UserFactory,
    product,
)

D = Decimal
JAN = datetime(2026, 1, 12, 2, 30, tzinfo=UTC)
FEB = datetime(2026, 2, 3, 1, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 9, 4, 15, tzinfo=UTC)
APR = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


def lot(cooperative: Cooperative, product_code: str, quantity_in: str, remaining: str, **kw) -> Lot:
    """A lot of a product holding `remaining` of what came in."""
    return LotFactory(
        cooperative=cooperative,
        product=product(product_code),
        quantity_in=D(quantity_in),
        quantity_remaining=D(remaining),
        **kw,
    )


def collect(
    target: Lot, household: Household, quantity: str, at: datetime, grade=None
) -> Collection:
    collection = Collection(
        lot_id=target.id,
        household_id=household.id,
        quantity=D(quantity),
        unit_price_vnd=100_000,
        amount_vnd=int(D(quantity) * 100_000),
        collected_at=at,
        grade=grade,
    )
    db.session.add(collection)
    return collection


def transform(
    inputs: list[tuple[Lot, str]], output: Lot, quantity: str, at: datetime, process=Process.DRYING
) -> Transformation:
    transformation = Transformation(
        cooperative_id=output.cooperative_id,
        process=process,
        occurred_at=at,
        output_lot=output,
        output_quantity=D(quantity),
    )
    for source, taken in inputs:
        transformation.inputs.append(TransformationInput(lot=source, quantity=D(taken)))
    db.session.add(transformation)
    db.session.flush()
    return transformation


def ship(shipped: list[tuple[Lot, str]], buyer: User, at: datetime) -> Order:
    """A shipped order of one line covered by the given lots."""
    listing = ListingFactory(cooperative=shipped[0][0].cooperative, product=shipped[0][0].product)
    quantity = sum(D(q) for _lot, q in shipped)
    order = Order(
        buyer_id=buyer.id,
        cooperative_id=listing.cooperative_id,
        status=OrderStatus.SHIPPED,
        total_vnd=int(quantity * 450_000),
        shipped_at=at,
    )
    order.lines.append(
        OrderLine(
            listing=listing,
            quantity=quantity,
            unit_price_vnd=450_000,
            amount_vnd=int(quantity * 450_000),
        )
    )
    db.session.add(order)
    db.session.flush()
    for source, taken in shipped:
        db.session.add(
            LotAllocation(
                order_line_id=order.lines[0].id,
                lot_id=source.id,
                quantity=D(taken),
                allocated_at=at,
            )
        )
    db.session.flush()
    return order


@dataclass
class Chain:
    """Two fresh lots -> dried (drying) -> packed (packing), with partial shipments.

    fresh_a: households a 30 kg + b 10 kg (January); fresh_b: household c 20 kg.
    dried: 40 + 20 kg fresh -> 18 kg (February); 4 kg shipped on order_dried (April), 12 kg packed.
    packed: 12 kg -> 12 kg (March); 5 kg shipped on order_packed (April); 7 kg left.
    """

    cooperative: Cooperative
    households: list[Household]
    fresh_a: Lot
    fresh_b: Lot
    dried: Lot
    packed: Lot
    drying: Transformation
    packing: Transformation
    order_dried: Order
    order_packed: Order
    buyer: User
    gacp: Certification
    expired: Certification


def build_chain(cooperative: Cooperative | None = None) -> Chain:
    cooperative = cooperative or CooperativeFactory()
    gacp = Certification(
        cooperative=cooperative,
        kind=CertificationKind.GACP_WHO,
        number="GACP-YDCT-2025/017",
        issuer="Cục Quản lý Y, Dược cổ truyền",
        valid_from=date(2025, 6, 1),
        valid_to=date(2028, 5, 31),
    )
    expired = Certification(
        cooperative=cooperative,
        kind=CertificationKind.VIETGAP,
        number="VG-2021-88",
        valid_from=date(2021, 1, 1),
        valid_to=date(2026, 1, 31),
    )
    db.session.add_all([gacp, expired])
    households = [
        HouseholdFactory(head_name=name)
        for name in ("Triệu Thị Mai", "Bàn Văn Sơn", "Đặng Thị Hoa")
    ]
    fresh_a = lot(cooperative, "PT-BA-KICH-TUOI", "40", "0")
    fresh_b = lot(cooperative, "PT-BA-KICH-TUOI", "20", "0")
    collect(fresh_a, households[0], "30", JAN, grade="Loại 1")
    collect(fresh_a, households[1], "10", JAN.replace(day=14))
    collect(fresh_b, households[2], "20", JAN.replace(day=20))
    dried = lot(cooperative, "PT-BA-KICH-KHO", "18", "2", origin=LotOrigin.TRANSFORMATION)
    drying = transform([(fresh_a, "40"), (fresh_b, "20")], dried, "18", FEB)
    packed = lot(cooperative, "PT-BA-KICH-KHO", "12", "7", origin=LotOrigin.TRANSFORMATION)
    packing = transform([(dried, "12")], packed, "12", MAR, process=Process.PACKING)
    buyer = UserFactory(role="buyer")
    order_dried = ship([(dried, "4")], buyer, APR)
    order_packed = ship([(packed, "5")], buyer, APR.replace(day=5))
    db.session.flush()
    return Chain(
        cooperative,
        households,
        fresh_a,
        fresh_b,
        dried,
        packed,
        drying,
        packing,
        order_dried,
        order_packed,
        buyer,
        gacp,
        expired,
    )
