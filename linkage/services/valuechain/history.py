"""What happened to the records of the value chain, for pages and the API: a lot's history
(where its quantity came from and where it went) and the corrections and voids kept for
collections and payments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from models import (
    AuditAction,
    Collection,
    Household,
    Lot,
    LotAllocation,
    LotOrigin,
    OrderLine,
    RecordChange,
    Transformation,
    TransformationInput,
    User,
)

from .. import audit
from ..errors import NotFound
from ..scope import manages


def changes_of(records: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[RecordChange]]:
    """The corrections and voids of the given (record type, id) pairs, oldest first (1 query)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for record_type, record_id in records:
        by_type[record_type].add(record_id)
    found: dict[tuple[str, int], list[RecordChange]] = defaultdict(list)
    if not by_type:
        return {}
    for change in db.session.scalars(
        select(RecordChange)
        .options(joinedload(RecordChange.changed_by))
        .where(
            or_(
                *(
                    and_(RecordChange.record_type == kind, RecordChange.record_id.in_(ids))
                    for kind, ids in by_type.items()
                )
            )
        )
        .order_by(RecordChange.changed_at, RecordChange.id)
    ):
        found[(change.record_type, change.record_id)].append(change)
    _load_households(change for changes in found.values() for change in changes)
    return dict(found)


def _load_households(changes: Iterable[RecordChange]) -> None:
    """The households a correction moved a delivery between, in one query, so that showing
    the history reads them from the session instead of one query per row."""
    ids = {
        int(values["household_id"])
        for change in changes
        for values in (change.old_values, change.new_values)
        if values.get("household_id") is not None
    }
    if ids:
        db.session.scalars(select(Household).where(Household.id.in_(ids))).all()


def history(record_type: str, record_id: int) -> list[RecordChange]:
    """One record's corrections and voids, oldest first."""
    return changes_of([(record_type, record_id)]).get((record_type, record_id), [])


@dataclass(frozen=True)
class WithHistory:
    """A collection or payment with its corrections and voids, for the API's answers."""

    record: Any
    history: list[RecordChange]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)


def with_history(record_type: str, record: Any) -> WithHistory:
    """The record and its history (one query)."""
    return WithHistory(record, history(record_type, record.id))


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
    collections = _of_lot(
        Collection,
        Collection.lot_id == lot.id,
        joinedload(Collection.household),
        order=(Collection.collected_at, Collection.id),
    )
    produced_by = _of_lot(
        Transformation,
        Transformation.output_lot_id == lot.id,
        selectinload(Transformation.inputs)
        .joinedload(TransformationInput.lot)
        .joinedload(Lot.product),
    )
    consumed_by = _of_lot(
        TransformationInput,
        TransformationInput.lot_id == lot.id,
        joinedload(TransformationInput.transformation)
        .joinedload(Transformation.output_lot)
        .joinedload(Lot.product),
        order=(TransformationInput.id,),
    )
    allocations = _of_lot(
        LotAllocation,
        LotAllocation.lot_id == lot.id,
        joinedload(LotAllocation.order_line).joinedload(OrderLine.order),
        order=(LotAllocation.allocated_at, LotAllocation.id),
    )
    return LotHistory(
        lot,
        collections,
        produced_by[0] if produced_by else None,  # a lot is made by one step at most
        consumed_by,
        allocations,
        changes=changes_of(("collection", c.id) for c in collections),
    )


def _of_lot(
    model: type[Any], condition: ColumnElement[bool], option: Any, order: tuple[Any, ...] = ()
) -> list[Any]:
    """The rows of `model` that concern one lot, with what the page shows of them loaded."""
    return list(
        db.session.scalars(select(model).where(condition).options(option).order_by(*order)).all()
    )


def record_history_read(actor: User, lot: Lot) -> None:
    """A history that names households is household-level data: its reads are audited."""
    if lot.origin == LotOrigin.COLLECTION and lot.quantity_in > 0:
        audit.record(actor, AuditAction.READ, "lot", lot.id, new={"view": "history"})
