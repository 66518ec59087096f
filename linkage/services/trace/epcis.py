"""A lot's trace as a GS1 EPCIS 2.0 document (JSON-LD), DESIGN section 7.

Pure: a Trace and the site's root URL in, a JSON-ready dict out. Every identifier is a full
URI under the site's root (the lot's is its public trace page, the same URL its QR label
opens). Quantities are JSON numbers: a quantity has at most 3 decimal places and 14 digits,
which a double holds exactly enough to print back the same decimal.

Two documents, one per audience (DESIGN 4.4: the public sees lots and provenance, never a
household):

- `public_document` (anyone): each collected lot of the chain is ONE receiving ObjectEvent,
  whatever the number of deliveries into it: the lot's whole collected quantity, at the time
  of its last delivery (by then all of it had been received), with the first delivery's time
  as `linkage:firstCollectedAt`, and the cooperative as its owning (source) party. A single
  delivery, even without a party, is one household's (a date and a quantity): with a few
  households, per-delivery or per-day events would tell each one's deliveries, and a party id
  shared by lots would join them into its history. The per-lot event keeps what tracing
  needs (origin, product, collection period, quantity, certifications) and says no more than
  the public trace page. As on that page and in the public impact figures, the number of
  households (`linkage:households`) and of deliveries (`linkage:deliveries`) is given only
  from 10 households. Processing and shipments are the same in both documents: they concern
  lots, orders and the cooperative, never a household.
- `manager_document` (the cooperative's managers and admins): each delivery is an event whose
  owning party is the household's pseudonym in this lot's export (a keyed hash of the
  exported lot and the household, see `trace.party_id`), never its name, code or database id:
  it tells deliveries of the same household apart within the export, and differs in the
  export of another lot.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from ..periods import VIETNAM
from .views import (
    CertificationRef,
    CollectionStep,
    LotCollections,
    LotRef,
    ShipmentStep,
    Trace,
    TransformationStep,
)

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MEDIA_TYPE = "application/ld+json"
OFFSET = "+07:00"  # events are told in Vietnam time (UTC+7), as the cooperatives live them


class Identifiers:
    """The URIs of the platform's objects, under the site's root (e.g. https://host/)."""

    def __init__(self, root: str) -> None:
        self.root = root if root.endswith("/") else root + "/"

    def _id(self, kind: str, key: object) -> str:
        return f"{self.root}id/{kind}/{quote(str(key), safe='')}"

    def lot(self, lot: LotRef) -> str:
        return f"{self.root}trace/{quote(lot.code, safe='')}"

    def cooperative(self, cooperative_id: int) -> str:
        return self._id("cooperative", cooperative_id)

    def commune(self, commune_code: str) -> str:
        return self._id("commune", commune_code)

    def party(self, party: str) -> str:
        return self._id("party", party)

    def order(self, order_id: int) -> str:
        return self._id("order", order_id)

    def event(self, kind: str, key: int) -> str:
        return self._id("event", f"{kind}-{key}")

    def transformation(self, transformation_id: int) -> str:
        return self._id("transformation", transformation_id)

    def certification(self, cert: CertificationRef) -> str:
        return f"{self.root}id/certification/{cert.kind.value}/{quote(cert.number, safe='')}"

    def vocabulary(self) -> str:
        return f"{self.root}ns/epcis#"


def _time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat(timespec="milliseconds")


def _number(quantity: Decimal) -> int | float:
    return int(quantity) if quantity == quantity.to_integral_value() else float(quantity)


def _quantity(ids: Identifiers, lot: LotRef, quantity: Decimal) -> dict[str, Any]:
    return {"epcClass": ids.lot(lot), "quantity": _number(quantity), "uom": lot.unit_code}


def _common(
    ids: Identifiers,
    event_type: str,
    event_id: str,
    moment: datetime,
    certifications: tuple[CertificationRef, ...],
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": event_type,
        "eventID": event_id,
        "eventTime": _time(moment),
        "eventTimeZoneOffset": OFFSET,
    }
    if certifications:
        event["certificationInfo"] = [ids.certification(cert) for cert in certifications]
    return event


def _receiving(
    ids: Identifiers,
    trace: Trace,
    event_id: str,
    moment: datetime,
    certifications: tuple[CertificationRef, ...],
    received: tuple[LotRef, Decimal],
    source: str,
) -> dict[str, Any]:
    """A receiving event: `received` (a lot and a quantity) came in from the `source` party."""
    lot, quantity = received
    return {
        **_common(ids, "ObjectEvent", event_id, moment, certifications),
        "action": "ADD",
        "bizStep": "receiving",
        "quantityList": [_quantity(ids, lot, quantity)],
        "readPoint": {"id": ids.cooperative(trace.cooperative_id)},
        "bizLocation": {"id": ids.commune(trace.commune_code)},
        "sourceList": [{"type": "owning_party", "source": source}],
    }


def _lot_collection_event(
    ids: Identifiers,
    trace: Trace,
    summary: LotCollections,
    certifications: tuple[CertificationRef, ...],
) -> dict[str, Any]:
    """All the deliveries into one lot as one event, with the cooperative as its source."""
    event = {
        **_receiving(
            ids,
            trace,
            ids.event("collected", summary.lot.id),
            summary.last_at,
            certifications,
            (summary.lot, summary.quantity),
            ids.cooperative(trace.cooperative_id),
        ),
        "linkage:firstCollectedAt": _time(summary.first_at),
    }
    households = trace.shown(summary.households)
    deliveries = trace.shown_deliveries(summary)
    if households is not None and deliveries is not None:
        event["linkage:households"] = households
        event["linkage:deliveries"] = deliveries
    return event


def _lot_certifications(trace: Trace) -> dict[int, tuple[CertificationRef, ...]]:
    """Per collected lot, the certifications valid at one of its deliveries."""
    found: dict[int, dict[int, CertificationRef]] = {}
    for step in trace.collections:
        certifications = found.setdefault(step.lot.id, {})
        for cert in step.certifications:
            certifications.setdefault(cert.id, cert)
    return {
        lot_id: tuple(sorted(certs.values(), key=lambda c: (c.valid_from, c.id)))
        for lot_id, certs in found.items()
    }


def _collection_event(ids: Identifiers, trace: Trace, step: CollectionStep) -> dict[str, Any]:
    """One delivery, from the household's pseudonym in this lot's export."""
    if step.party is None:
        raise ValueError("the trace was made without a party secret")
    return _receiving(
        ids,
        trace,
        ids.event("collection", step.id),
        step.collected_at,
        step.certifications,
        (step.lot, step.quantity),
        ids.party(step.party),
    )


def _transformation_event(
    ids: Identifiers, trace: Trace, step: TransformationStep
) -> dict[str, Any]:
    return {
        **_common(
            ids,
            "TransformationEvent",
            ids.event("transformation", step.id),
            step.occurred_at,
            step.certifications,
        ),
        "transformationID": ids.transformation(step.id),
        # CBV: a step that makes a new class-level instance (a new lot); the process itself
        # (drying, slicing, ...) is told in the platform's own vocabulary
        "bizStep": "creating_class_instance",
        "inputQuantityList": [_quantity(ids, i.lot, i.quantity) for i in step.inputs],
        "outputQuantityList": [_quantity(ids, step.output, step.output_quantity)],
        "readPoint": {"id": ids.cooperative(trace.cooperative_id)},
        "bizLocation": {"id": ids.commune(trace.commune_code)},
        "linkage:process": step.process.value,
    }


def _shipment_event(ids: Identifiers, trace: Trace, step: ShipmentStep) -> dict[str, Any]:
    return {
        **_common(
            ids, "ObjectEvent", ids.event("shipment", step.id), step.shipped_at, step.certifications
        ),
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [_quantity(ids, step.lot, step.quantity)],
        "readPoint": {"id": ids.cooperative(trace.cooperative_id)},
        "bizTransactionList": [{"type": "po", "bizTransaction": ids.order(step.order_id)}],
    }


Timed = tuple[datetime, int, int, dict[str, Any]]


def public_document(trace: Trace, root: str, created_at: datetime) -> dict[str, Any]:
    """The EPCISDocument of the lot's chain for anyone: one receiving event per collected lot
    (no single delivery, no household), processing and shipments."""
    ids = Identifiers(root)
    certifications = _lot_certifications(trace)
    received: list[Timed] = [
        (
            summary.last_at,
            0,
            summary.lot.id,
            _lot_collection_event(ids, trace, summary, certifications.get(summary.lot.id, ())),
        )
        for summary in trace.collected
    ]
    return _document(ids, trace, created_at, received)


def manager_document(trace: Trace, root: str, created_at: datetime) -> dict[str, Any]:
    """The EPCISDocument of the lot's chain for its managers: each delivery with the
    household's pseudonym in this lot's export (the trace must be made with a party secret)."""
    ids = Identifiers(root)
    received: list[Timed] = [
        (step.collected_at, 0, step.id, _collection_event(ids, trace, step))
        for step in trace.collections
    ]
    return _document(ids, trace, created_at, received)


def _document(
    ids: Identifiers, trace: Trace, created_at: datetime, received: list[Timed]
) -> dict[str, Any]:
    """Collections, processing and shipments in time order."""
    # at the same moment, deliveries come before processing, and processing before shipping
    timed = list(received)
    for step in (*trace.upstream, *trace.downstream):
        timed.append((step.occurred_at, 1, step.id, _transformation_event(ids, trace, step)))
    for shipment in trace.shipments:
        timed.append((shipment.shipped_at, 2, shipment.id, _shipment_event(ids, trace, shipment)))
    timed.sort(key=lambda item: item[:3])
    return {
        "@context": [GS1_CONTEXT, {"linkage": ids.vocabulary()}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(created_at),
        "epcisBody": {"eventList": [item[3] for item in timed]},
    }
