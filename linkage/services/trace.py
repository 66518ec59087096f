"""The trace of a lot: where its produce came from and where it went (issue 5).

Whatever the chain's length, a trace takes a fixed number of queries: two recursive CTEs find
the lots upstream and downstream (lineage), then set-based selects fetch the chain's lots,
transformations, collections, shipments and certifications. Households are named only in the
managers' trace; everyone else gets them counted, by the rule of the public impact figures
(a count only from 10 households), and gets no single delivery (see `linkage.services.epcis`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Row, distinct, func, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import (
    AuditAction,
    BuyerOrganisation,
    Certification,
    CertificationKind,
    Collection,
    Cooperative,
    CooperativeStatus,
    Household,
    Lot,
    LotAllocation,
    LotOrigin,
    Order,
    OrderLine,
    Process,
    Product,
    Region,
    Transformation,
    TransformationInput,
    Unit,
    User,
)
from models.types import MAX_ID

from . import audit
from .counted import counted
from .lineage import downstream_lot_ids, upstream_lot_ids
from .periods import VIETNAM
from .public_impact import shown_count
from .scope import manages

YIELD_PLACES = Decimal("0.0001")


# --- what a trace holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class LotRef:
    id: int
    code: str
    cooperative_id: int
    product_code: str
    product_name_vi: str
    product_name_en: str
    unit: Unit
    unit_code: str
    origin: LotOrigin
    quantity_in: Decimal
    quantity_remaining: Decimal


@dataclass(frozen=True)
class CertificationRef:
    id: int
    cooperative_id: int
    kind: CertificationKind
    number: str
    issuer: str | None
    product_code: str | None
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class HouseholdRef:
    code: str
    head_name: str


@dataclass(frozen=True)
class CollectionStep:
    """A delivery into an upstream lot; `household` only in the managers' trace, `party` only
    in their EPCIS export. Shown to managers only: a single delivery is a household's."""

    id: int
    lot: LotRef
    collected_at: datetime
    quantity: Decimal
    grade: str | None
    household: HouseholdRef | None
    party: str | None  # per-lot keyed hash (EPCIS owning_party), never the name, code or id
    certifications: tuple[CertificationRef, ...]


@dataclass(frozen=True)
class LotCollections:
    """What was collected into one lot: counted households, quantity, first and last day."""

    lot: LotRef
    collections: int
    households: int
    quantity: Decimal
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class InputStep:
    lot: LotRef
    quantity: Decimal


@dataclass(frozen=True)
class TransformationStep:
    id: int
    process: Process
    occurred_at: datetime
    inputs: tuple[InputStep, ...]
    output: LotRef
    output_quantity: Decimal
    certifications: tuple[CertificationRef, ...]

    @property
    def input_quantity(self) -> Decimal:
        return sum((i.quantity for i in self.inputs), Decimal("0"))

    @property
    def yield_ratio(self) -> Decimal | None:
        """Output per unit of input (0.3000 when 10 kg of fresh root dry to 3 kg)."""
        taken = self.input_quantity
        return (self.output_quantity / taken).quantize(YIELD_PLACES) if taken else None


@dataclass(frozen=True)
class ShipmentStep:
    """A quantity of a lot of the chain shipped on an order; the buyer only for managers."""

    id: int
    lot: LotRef
    order_id: int
    order_line_id: int
    shipped_at: datetime
    quantity: Decimal
    buyer_name: str | None
    certifications: tuple[CertificationRef, ...]


@dataclass(frozen=True)
class Trace:
    lot: LotRef
    cooperative_id: int
    cooperative_name: str
    cooperative_status: CooperativeStatus
    commune_code: str
    commune_name: str
    region: Region
    with_households: bool
    upstream: tuple[TransformationStep, ...]  # back to the collections, oldest first
    collections: tuple[CollectionStep, ...]
    collected: tuple[LotCollections, ...]
    households: int  # distinct households upstream
    downstream: tuple[TransformationStep, ...]
    shipments: tuple[ShipmentStep, ...]
    certifications: tuple[CertificationRef, ...]  # valid at the time of some event

    @property
    def first_collected_at(self) -> datetime | None:
        return min((c.first_at for c in self.collected), default=None)

    @property
    def last_collected_at(self) -> datetime | None:
        return max((c.last_at for c in self.collected), default=None)

    @property
    def collected_quantity(self) -> Decimal:
        return sum((c.quantity for c in self.collected), Decimal("0"))

    def shown(self, households: int) -> int | None:
        """A household count as this trace may show it: None when it must be suppressed
        (DESIGN 4.4, the rule of the public impact figures)."""
        if self.with_households or households == 0:
            return households
        return shown_count(households)

    def shown_deliveries(self, summary: LotCollections) -> int | None:
        """A lot's number of deliveries, shown only with its household count: one delivery
        would tell that one household delivered."""
        return summary.collections if self.shown(summary.households) is not None else None


Certifier = Callable[[LotRef, datetime], tuple[CertificationRef, ...]]


# --- finding the lot for each audience ----------------------------------------------------------


def _find_lot(condition: ColumnElement[bool]) -> Lot | None:
    return db.session.scalars(
        select(Lot)
        .where(condition)
        .options(
            joinedload(Lot.product), joinedload(Lot.cooperative).joinedload(Cooperative.commune)
        )
    ).first()


def _not_found() -> NotFound:
    return NotFound(_("Lot not found."))


def get_public_lot(code: str) -> Lot:
    """A lot by code if its cooperative is approved (public trace page); else 404."""
    lot = _find_lot(Lot.code == code.strip()) if code.strip() else None
    if lot is None or lot.cooperative.status != CooperativeStatus.APPROVED:
        raise _not_found()
    return lot


def get_exportable_lot(actor: User | None, lot_id: int) -> tuple[Lot, bool]:
    """A lot of an approved cooperative by id (EPCIS export), and whether the actor manages
    it (its managers and admins get the export with per-lot household pseudonyms); else 404."""
    lot = _find_lot(Lot.id == lot_id) if 0 < lot_id <= MAX_ID else None
    if lot is None or lot.cooperative.status != CooperativeStatus.APPROVED:
        raise _not_found()
    managing = bool(actor and actor.is_authenticated and manages(actor, lot.cooperative_id))
    return lot, managing


def get_traceable_lot(actor: User | None, lot_id: int) -> tuple[Lot, bool]:
    """The lot, and whether the actor sees its households (its managers and admins do).

    Anyone traces an approved cooperative's lot; the lot of a cooperative that is not approved
    only its managers and admins; others get 404.
    """
    lot = _find_lot(Lot.id == lot_id) if 0 < lot_id <= MAX_ID else None
    if lot is None:
        raise _not_found()
    managing = bool(actor and actor.is_authenticated and manages(actor, lot.cooperative_id))
    if not managing and lot.cooperative.status != CooperativeStatus.APPROVED:
        raise _not_found()
    return lot, managing


def get_managed_lot(actor: User, cooperative_id: int, lot_id: int) -> Lot:
    """A lot of this cooperative, for its managers and admins; else 404."""
    lot = _find_lot(Lot.id == lot_id) if 0 < lot_id <= MAX_ID else None
    if lot is None or lot.cooperative_id != cooperative_id or not manages(actor, cooperative_id):
        raise _not_found()
    return lot


def get_managed_export(actor: User, cooperative_id: int, lot_id: int) -> Lot:
    """A lot of this cooperative for its managers' EPCIS export: exported, like the public
    one, only once the cooperative is approved; else 404."""
    lot = get_managed_lot(actor, cooperative_id, lot_id)
    if lot.cooperative.status != CooperativeStatus.APPROVED:
        raise _not_found()
    return lot


def record_trace_read(actor: User, lot: Lot) -> None:
    """A trace that names households is household-level data: its reads are audited."""
    audit.record(actor, AuditAction.READ, "lot", lot.id, new={"view": "trace"})


def record_epcis_export(actor: User, lot: Lot) -> None:
    """The managers' EPCIS export tells deliveries household by household: audited."""
    audit.record(actor, AuditAction.EXPORT, "lot", lot.id, new={"view": "epcis"})


def party_id(secret: str, lot_id: int, household_id: int) -> str:
    """An opaque id of a household in the export of one lot: a keyed hash of both, never the
    household's name, code or database id. The same household gets another id in the export
    of another lot, so exports cannot be joined into a household's delivery history."""
    message = f"lot:{lot_id}:household:{household_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


# --- the trace ----------------------------------------------------------------------------------


def trace_lot(lot: Lot, *, with_households: bool, party_secret: str | None = None) -> Trace:
    """The lot's chain: collections and processing upstream, processing and shipments downstream.

    `with_households` names households (code, head name) and buyers; without it households are
    only counted. `party_secret` gives each collection an opaque party id, keyed on this lot
    (the managers' EPCIS export).
    """
    upstream_ids = upstream_lot_ids({lot.id})
    downstream_ids = downstream_lot_ids({lot.id})
    steps, inputs = _transformations(upstream_ids | downstream_ids)
    input_ids = {lot_id for rows in inputs.values() for lot_id, _q in rows}
    lots = _lot_refs(upstream_ids | downstream_ids | input_ids)
    certificates = _certificates({ref.cooperative_id for ref in lots.values()})

    def certified(ref: LotRef, moment: datetime) -> tuple[CertificationRef, ...]:
        day = moment.astimezone(VIETNAM).date()
        return tuple(
            cert
            for cert in certificates
            if cert.cooperative_id == ref.cooperative_id
            and cert.valid_from <= day <= cert.valid_to
            and cert.product_code in (None, ref.product_code)
        )

    transformations = [
        TransformationStep(
            id=step.id,
            process=step.process,
            occurred_at=step.occurred_at,
            inputs=tuple(InputStep(lots[lot_id], q) for lot_id, q in inputs[step.id]),
            output=lots[step.output_lot_id],
            output_quantity=step.output_quantity,
            certifications=certified(lots[step.output_lot_id], step.occurred_at),
        )
        for step in steps
    ]
    parties = _parties(party_secret, lot.id) if party_secret else None
    collections = _collections(upstream_ids, lots, with_households, parties, certified)
    shipments = _shipments(downstream_ids, lots, with_households, certified)
    summaries, households = _collection_summaries(upstream_ids, lots)
    cooperative = lot.cooperative
    return Trace(
        lot=lots[lot.id],
        cooperative_id=cooperative.id,
        cooperative_name=cooperative.name,
        cooperative_status=cooperative.status,
        commune_code=cooperative.commune.code,
        commune_name=cooperative.commune.name,
        region=cooperative.commune.region,
        with_households=with_households,
        upstream=tuple(t for t in transformations if t.output.id in upstream_ids),
        collections=tuple(collections),
        collected=tuple(summaries),
        households=households,
        downstream=tuple(t for t in transformations if t.output.id not in upstream_ids),
        shipments=tuple(shipments),
        certifications=_distinct(
            cert
            for event in (*transformations, *collections, *shipments)
            for cert in event.certifications
        ),
    )


def _transformations(
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


def _lot_refs(lot_ids: set[int]) -> dict[int, LotRef]:
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


def _certificates(cooperative_ids: set[int]) -> list[CertificationRef]:
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


def _parties(secret: str, lot_id: int) -> Callable[[int], str]:
    """Household id -> its party id in the export of this lot."""
    return lambda household_id: party_id(secret, lot_id, household_id)


def _collections(
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
            id=row.id,
            lot=lots[row.lot_id],
            collected_at=row.collected_at,
            quantity=row.quantity,
            grade=row.grade,
            household=HouseholdRef(row.code, row.head_name) if with_households else None,
            party=parties(row.household_id) if parties else None,
            certifications=certified(lots[row.lot_id], row.collected_at),
        )
        for row in rows
    ]


def _shipments(
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
            id=row.id,
            lot=lots[row.lot_id],
            order_id=row.order_id,
            order_line_id=row.order_line_id,
            shipped_at=row.shipped_at or row.allocated_at,
            quantity=row.quantity,
            buyer_name=row.name if with_buyers else None,
            certifications=certified(lots[row.lot_id], row.shipped_at or row.allocated_at),
        )
        for row in rows
    ]


def _collection_summaries(
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


def _distinct(certifications: Iterable[CertificationRef]) -> tuple[CertificationRef, ...]:
    seen: dict[int, CertificationRef] = {}
    for cert in certifications:
        seen.setdefault(cert.id, cert)
    return tuple(sorted(seen.values(), key=lambda c: (c.valid_from, c.id)))
