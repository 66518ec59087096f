"""A lot's trace as a GS1 EPCIS 2.0 document (JSON-LD), DESIGN section 7.

Pure: a Trace and the site's root URL in, a JSON-ready dict out. Every identifier is a full
URI under the site's root (the lot's is its public trace page, the same URL its QR label
opens); a household appears only as an opaque owning party (a keyed hash), never by name or
database id. Quantities are JSON numbers: a quantity has at most 3 decimal places and 14
digits, which a double holds exactly enough to print back the same decimal.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from .periods import VIETNAM
from .trace import (
    CertificationRef,
    CollectionStep,
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


def _collection_event(ids: Identifiers, trace: Trace, step: CollectionStep) -> dict[str, Any]:
    if step.party is None:
        raise ValueError("the trace was made without a party secret")
    return {
        **_common(
            ids,
            "ObjectEvent",
            ids.event("collection", step.id),
            step.collected_at,
            step.certifications,
        ),
        "action": "ADD",
        "bizStep": "receiving",
        "quantityList": [_quantity(ids, step.lot, step.quantity)],
        "readPoint": {"id": ids.cooperative(trace.cooperative_id)},
        "bizLocation": {"id": ids.commune(trace.commune_code)},
        "sourceList": [{"type": "owning_party", "source": ids.party(step.party)}],
    }


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


def epcis_document(trace: Trace, root: str, created_at: datetime) -> dict[str, Any]:
    """The EPCISDocument of the lot's chain: collections, processing and shipments in time order."""
    ids = Identifiers(root)
    # at the same moment, deliveries come before processing, and processing before shipping
    timed: list[tuple[datetime, int, int, dict[str, Any]]] = []
    for collection in trace.collections:
        event = _collection_event(ids, trace, collection)
        timed.append((collection.collected_at, 0, collection.id, event))
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
