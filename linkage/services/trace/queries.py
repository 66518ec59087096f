"""The trace of a lot: where its produce came from and where it went (issue 5).

Whatever the chain's length, a trace takes a fixed number of queries: two recursive CTEs find
the lots upstream and downstream (lineage), then set-based selects fetch the chain's lots,
transformations, collections, shipments and certifications. Households are named only in the
managers' trace; everyone else gets them counted, by the rule of the public impact figures
(a count only from 10 households), and gets no single delivery (see `trace.epcis`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from datetime import datetime

from models import Lot

from ..periods import VIETNAM
from ..valuechain.lineage import downstream_lot_ids, upstream_lot_ids
from .steps import (
    load_certificates,
    load_collection_steps,
    load_collection_summaries,
    load_lot_refs,
    load_shipment_steps,
    load_transformations,
)
from .views import CertificationRef, InputStep, LotRef, Trace, TransformationStep


def party_id(secret: str, lot_id: int, household_id: int) -> str:
    """An opaque id of a household in the export of one lot: a keyed hash of both, never the
    household's name, code or database id. The same household gets another id in the export
    of another lot, so exports cannot be joined into a household's delivery history."""
    message = f"lot:{lot_id}:household:{household_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def trace_lot(lot: Lot, *, with_households: bool, party_secret: str | None = None) -> Trace:
    """The lot's chain: collections and processing upstream, processing and shipments downstream.

    `with_households` names households (code, head name) and buyers; without it households are
    only counted. `party_secret` gives each collection an opaque party id, keyed on this lot
    (the managers' EPCIS export).
    """
    upstream_ids = upstream_lot_ids({lot.id})
    downstream_ids = downstream_lot_ids({lot.id})
    steps, inputs = load_transformations(upstream_ids | downstream_ids)
    input_ids = {lot_id for rows in inputs.values() for lot_id, _q in rows}
    lots = load_lot_refs(upstream_ids | downstream_ids | input_ids)
    certificates = load_certificates({ref.cooperative_id for ref in lots.values()})

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
    collections = load_collection_steps(upstream_ids, lots, with_households, parties, certified)
    shipments = load_shipment_steps(downstream_ids, lots, with_households, certified)
    summaries, households = load_collection_summaries(upstream_ids, lots)
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


def _parties(secret: str, lot_id: int) -> Callable[[int], str]:
    """Household id -> its party id in the export of this lot."""
    return lambda household_id: party_id(secret, lot_id, household_id)


def _distinct(certifications: Iterable[CertificationRef]) -> tuple[CertificationRef, ...]:
    seen: dict[int, CertificationRef] = {}
    for cert in certifications:
        seen.setdefault(cert.id, cert)
    return tuple(sorted(seen.values(), key=lambda c: (c.valid_from, c.id)))
