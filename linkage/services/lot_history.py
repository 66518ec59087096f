"""A lot's history: where its quantity came from (deliveries, with their corrections and
voids; the producing step) and where it went (processing, shipments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import (
    AuditAction,
    Collection,
    Lot,
    LotAllocation,
    LotOrigin,
    OrderLine,
    RecordChange,
    Transformation,
    TransformationInput,
    User,
)

from . import audit
from .record_history import changes_of
from .scope import manages


@dataclass(frozen=True)
class LotHistory:
    """Where a lot's quantity came from and where it went."""

    lot: Lot
    collections: list[Collection]
    produced_by: Transformation | None
    consumed_by: list[TransformationInput]
    allocations: list[LotAllocation]

    @property
    def consumed(self) -> Decimal:
        return sum((i.quantity for i in self.consumed_by), Decimal("0"))

    @property
    def shipped(self) -> Decimal:
        return sum((a.quantity for a in self.allocations), Decimal("0"))

    changes: dict[tuple[str, int], list[RecordChange]] = field(default_factory=dict)

    @property
    def collected_vnd(self) -> int:
        return sum(c.amount_vnd for c in self.collections if not c.is_void)

    def history(self, collection: Collection) -> list[RecordChange]:
        """The corrections and voids of one of the lot's deliveries, oldest first."""
        return self.changes.get(("collection", collection.id), [])


def lot_history(actor: User, lot: Lot) -> LotHistory:
    """Collections (with households: managers only), producing and consuming steps, shipments."""
    if not manages(actor, lot.cooperative_id):
        raise NotFound(_("Lot not found."))
    collections = db.session.scalars(
        select(Collection)
        .where(Collection.lot_id == lot.id)
        .options(joinedload(Collection.household))
        .order_by(Collection.collected_at, Collection.id)
    ).all()
    produced_by = db.session.scalars(
        select(Transformation)
        .where(Transformation.output_lot_id == lot.id)
        .options(
            selectinload(Transformation.inputs)
            .joinedload(TransformationInput.lot)
            .joinedload(Lot.product)
        )
    ).first()
    consumed_by = db.session.scalars(
        select(TransformationInput)
        .where(TransformationInput.lot_id == lot.id)
        .options(
            joinedload(TransformationInput.transformation)
            .joinedload(Transformation.output_lot)
            .joinedload(Lot.product)
        )
        .order_by(TransformationInput.id)
    ).all()
    allocations = db.session.scalars(
        select(LotAllocation)
        .where(LotAllocation.lot_id == lot.id)
        .options(joinedload(LotAllocation.order_line).joinedload(OrderLine.order))
        .order_by(LotAllocation.allocated_at, LotAllocation.id)
    ).all()
    return LotHistory(
        lot,
        list(collections),
        produced_by,
        list(consumed_by),
        list(allocations),
        changes=changes_of(("collection", c.id) for c in collections),
    )


def record_history_read(actor: User, lot: Lot) -> None:
    """A history that names households is household-level data: its reads are audited."""
    if lot.origin == LotOrigin.COLLECTION and lot.quantity_in > 0:
        audit.record(actor, AuditAction.READ, "lot", lot.id, new={"view": "history"})
