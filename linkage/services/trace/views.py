"""What a trace holds: the lots, steps and certificates of a lot's chain, as plain values.

Households appear only in the managers' trace (`HouseholdRef`, and `party` in their EPCIS
export); everyone else gets counts, shown by the rule of the public impact figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models import CertificationKind, CooperativeStatus, LotOrigin, Process, Region, Unit

from ..public_impact import shown_count

YIELD_PLACES = Decimal("0.0001")


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
class LotStep:
    """A quantity of one lot of the chain at one moment, with the certificates valid then."""

    id: int
    lot: LotRef
    quantity: Decimal
    certifications: tuple[CertificationRef, ...]


@dataclass(frozen=True)
class CollectionStep(LotStep):
    """A delivery into an upstream lot; `household` only in the managers' trace, `party` only
    in their EPCIS export. Shown to managers only: a single delivery is a household's."""

    collected_at: datetime
    grade: str | None
    household: HouseholdRef | None
    party: str | None  # per-lot keyed hash (EPCIS owning_party), never the name, code or id


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
class ShipmentStep(LotStep):
    """A quantity of a lot of the chain shipped on an order; the buyer only for managers."""

    order_id: int
    order_line_id: int
    shipped_at: datetime
    buyer_name: str | None


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
