"""The pieces of a trace, each loaded for the whole chain in one set-based query: the
transformations and their inputs, the lots, the certificates, the collections (with
households only for managers), the shipments and the per-lot collection summaries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, distinct, func, select

from linkage.extensions import db
from models import (
    BuyerOrganisation,
    Certification,
    Collection,
    Household,
    Lot,
    LotAllocation,
    Order,
    OrderLine,
    Product,
    Transformation,
    TransformationInput,
    User,
)

from ..counted import counted
from .views import (
    CertificationRef,
    Certifier,
    CollectionStep,
    HouseholdRef,
    LotCollections,
    LotRef,
    ShipmentStep,
)


def load_transformations(
    lot_ids: set[int],
) -> tuple[list[Row[Any]], dict[int, list[tuple[int, Decimal]]]]:
    """The transformations that made lots of the chain, and their inputs (two queries)."""
    steps = db.session.execute(
        select(
            Transformation.id,
            Transformation.process,
            Transformation.occurred_at,
            Transformation.output_lot_id,
            Transformation.output_quantity,
        )
        .where(Transformation.output_lot_id.in_(lot_ids))
        .order_by(Transformation.occurred_at, Transformation.id)
    ).all()
    inputs: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = db.session.execute(
        select(
            TransformationInput.transformation_id,
            TransformationInput.lot_id,
            TransformationInput.quantity,
        )
        .join(Transformation, Transformation.id == TransformationInput.transformation_id)
        .where(Transformation.output_lot_id.in_(lot_ids))
        .order_by(TransformationInput.id)
    ).all()
    for transformation_id, lot_id, quantity in rows:
        inputs[transformation_id].append((lot_id, quantity))
    return list(steps), inputs


def load_lot_refs(lot_ids: set[int]) -> dict[int, LotRef]:
    rows = db.session.execute(
        select(Lot, Product).join(Product, Product.id == Lot.product_id).where(Lot.id.in_(lot_ids))
    ).all()
    return {
        lot.id: LotRef(
            id=lot.id,
            code=lot.code,
            cooperative_id=lot.cooperative_id,
            product_code=product.code,
            product_name_vi=product.name_vi,
            product_name_en=product.name_en,
            unit=product.unit,
            unit_code=product.unit_code,
            origin=lot.origin,
            quantity_in=lot.quantity_in,
            quantity_remaining=lot.quantity_remaining,
        )
        for lot, product in rows
    }


def load_certificates(cooperative_ids: set[int]) -> list[CertificationRef]:
    rows = db.session.execute(
        select(Certification, Product.code)
        .outerjoin(Product, Product.id == Certification.product_id)
        .where(Certification.cooperative_id.in_(cooperative_ids))
        .order_by(Certification.valid_from, Certification.id)
    ).all()
    return [
        CertificationRef(
            id=cert.id,
            cooperative_id=cert.cooperative_id,
            kind=cert.kind,
            number=cert.number,
            issuer=cert.issuer,
            product_code=product_code,
            valid_from=cert.valid_from,
            valid_to=cert.valid_to,
        )
        for cert, product_code in rows
    ]


def load_collection_steps(
    lot_ids: set[int],
    lots: dict[int, LotRef],
    with_households: bool,
    parties: Callable[[int], str] | None,
    certified: Certifier,
) -> list[CollectionStep]:
    statement = select(
        Collection.id,
        Collection.lot_id,
        Collection.collected_at,
        Collection.quantity,
        Collection.grade,
        Collection.household_id,
    ).where(Collection.lot_id.in_(lot_ids), *counted(Collection))
    if with_households:
        statement = statement.add_columns(Household.code, Household.head_name).join(
            Household, Household.id == Collection.household_id
        )
    rows = db.session.execute(statement.order_by(Collection.collected_at, Collection.id)).all()
    return [
        CollectionStep(
            **_at_lot(row, lots, certified, row.collected_at),
            collected_at=row.collected_at,
            grade=row.grade,
            household=HouseholdRef(row.code, row.head_name) if with_households else None,
            party=parties(row.household_id) if parties else None,
        )
        for row in rows
    ]


def load_shipment_steps(
    lot_ids: set[int], lots: dict[int, LotRef], with_buyers: bool, certified: Certifier
) -> list[ShipmentStep]:
    shipped_at = func.coalesce(Order.shipped_at, LotAllocation.allocated_at)
    rows = db.session.execute(
        select(
            LotAllocation.id,
            LotAllocation.lot_id,
            LotAllocation.order_line_id,
            LotAllocation.quantity,
            LotAllocation.allocated_at,
            Order.shipped_at,
            OrderLine.order_id,
            BuyerOrganisation.name,
        )
        .join(OrderLine, OrderLine.id == LotAllocation.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(User, User.id == Order.buyer_id)
        .outerjoin(BuyerOrganisation, BuyerOrganisation.id == User.buyer_organisation_id)
        .where(LotAllocation.lot_id.in_(lot_ids))
        .order_by(shipped_at, LotAllocation.id)
    ).all()
    return [
        ShipmentStep(
            **_at_lot(row, lots, certified, row.shipped_at or row.allocated_at),
            order_id=row.order_id,
            order_line_id=row.order_line_id,
            shipped_at=row.shipped_at or row.allocated_at,
            buyer_name=row.name if with_buyers else None,
        )
        for row in rows
    ]


def _at_lot(
    row: Row[Any], lots: dict[int, LotRef], certified: Certifier, moment: datetime
) -> dict[str, Any]:
    """The fields of a `LotStep` from a row with id, lot_id and quantity."""
    lot = lots[row.lot_id]
    return {
        "id": row.id,
        "lot": lot,
        "quantity": row.quantity,
        "certifications": certified(lot, moment),
    }


def load_collection_summaries(
    lot_ids: set[int], lots: dict[int, LotRef]
) -> tuple[list[LotCollections], int]:
    """Per collected lot: deliveries, distinct households, quantity, dates; and all households."""
    rows = db.session.execute(
        select(
            Collection.lot_id,
            func.count(Collection.id),
            func.count(distinct(Collection.household_id)),
            func.sum(Collection.quantity),
            func.min(Collection.collected_at),
            func.max(Collection.collected_at),
        )
        .where(Collection.lot_id.in_(lot_ids), *counted(Collection))
        .group_by(Collection.lot_id)
    ).all()
    households = db.session.scalar(
        select(func.count(distinct(Collection.household_id))).where(
            Collection.lot_id.in_(lot_ids), *counted(Collection)
        )
    )
    summaries = [
        LotCollections(lots[lot_id], count, distinct_households, quantity, first_at, last_at)
        for lot_id, count, distinct_households, quantity, first_at, last_at in rows
    ]
    summaries.sort(key=lambda s: (s.first_at, s.lot.code))
    return summaries, households or 0
