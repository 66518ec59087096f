"""Schemas of lot traces, EPCIS documents and the mass balance (answers only)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, pre_dump

from linkage.services.trace import Trace

from .base import Schema
from .common import PaginationArgs, QuantityField, page_of

RATIO = {"metadata": {"type": "string", "format": "decimal", "example": "0.3000"}}


def _ratio(**kwargs: Any) -> fields.Decimal:
    """A yield (output per unit of input) as a decimal string with 4 places."""
    return fields.Decimal(places=4, as_string=True, allow_none=True, **RATIO, **kwargs)


class LotRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    product_code = fields.String()
    product_name_vi = fields.String()
    product_name_en = fields.String()
    unit = fields.String(metadata={"example": "kg"})
    origin = fields.String(metadata={"enum": ["collection", "transformation"]})
    quantity_in = QuantityField()
    quantity_remaining = QuantityField()


class CertificationRefSchema(Schema):
    kind = fields.String(metadata={"example": "gacp_who"})
    number = fields.String()
    issuer = fields.String(allow_none=True)
    product_code = fields.String(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date()


class HouseholdRefSchema(Schema):
    code = fields.String()
    head_name = fields.String()


class CollectionStepSchema(Schema):
    id = fields.Integer()
    lot_id = fields.Function(lambda c: c.lot.id, metadata={"type": "integer"})
    lot_code = fields.Function(lambda c: c.lot.code, metadata={"type": "string"})
    collected_at = fields.DateTime()
    quantity = QuantityField()
    grade = fields.String(allow_none=True)
    household = fields.Nested(
        HouseholdRefSchema,
        allow_none=True,
        metadata={"description": "Only for the cooperative's managers and admins; else null."},
    )


class LotCollectionsSchema(Schema):
    lot = fields.Nested(LotRefSchema)
    collections = fields.Integer(
        allow_none=True,
        metadata={"description": "Deliveries; null when its households are not counted."},
    )
    households = fields.Integer(
        allow_none=True, metadata={"description": "Null when fewer than 10 (not for managers)."}
    )
    quantity = QuantityField()
    first_at = fields.DateTime()
    last_at = fields.DateTime()


class InputStepSchema(Schema):
    lot = fields.Nested(LotRefSchema)
    quantity = QuantityField()


class TransformationStepSchema(Schema):
    id = fields.Integer()
    process = fields.String(metadata={"enum": ["drying", "slicing", "sorting", "packing"]})
    occurred_at = fields.DateTime()
    inputs = fields.List(fields.Nested(InputStepSchema))
    input_quantity = QuantityField()
    output = fields.Nested(LotRefSchema)
    output_quantity = QuantityField()
    yield_ratio = _ratio()
    certifications = fields.List(fields.Nested(CertificationRefSchema))


class ShipmentStepSchema(Schema):
    id = fields.Integer()
    lot = fields.Nested(LotRefSchema)
    order_id = fields.Integer()
    shipped_at = fields.DateTime()
    quantity = QuantityField()
    buyer_name = fields.String(
        allow_none=True, metadata={"description": "Only for the cooperative's managers; else null."}
    )


class TracePlaceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    commune_code = fields.String()
    commune_name = fields.String()
    region = fields.String(metadata={"enum": ["urban", "midland", "mountain"]})


class TraceSchema(Schema):
    """A lot's chain: upstream to the collections, downstream to the shipments."""

    lot = fields.Nested(LotRefSchema)
    cooperative = fields.Nested(TracePlaceSchema)
    households_named = fields.Boolean()
    households = fields.Integer(
        allow_none=True,
        metadata={"description": "Distinct households upstream; null when fewer than 10."},
    )
    collected_quantity = QuantityField()
    first_collected_at = fields.DateTime(allow_none=True)
    last_collected_at = fields.DateTime(allow_none=True)
    collected = fields.List(fields.Nested(LotCollectionsSchema))
    collections = fields.List(
        fields.Nested(CollectionStepSchema),
        metadata={
            "description": "Each delivery: for the cooperative's managers and admins only, "
            "empty for everyone else (a single delivery is one household's)."
        },
    )
    upstream = fields.List(fields.Nested(TransformationStepSchema))
    downstream = fields.List(fields.Nested(TransformationStepSchema))
    shipments = fields.List(fields.Nested(ShipmentStepSchema))
    certifications = fields.List(fields.Nested(CertificationRefSchema))

    @pre_dump
    def _as_shown(self, trace: Trace, **_kwargs: Any) -> dict[str, Any]:
        """Counts of households (and of deliveries) suppressed below 10 households, and no
        single delivery, unless the caller may name the households."""
        return {
            "lot": trace.lot,
            "cooperative": {
                "id": trace.cooperative_id,
                "name": trace.cooperative_name,
                "commune_code": trace.commune_code,
                "commune_name": trace.commune_name,
                "region": trace.region.value,
            },
            "households_named": trace.with_households,
            "households": trace.shown(trace.households),
            "collected_quantity": trace.collected_quantity,
            "first_collected_at": trace.first_collected_at,
            "last_collected_at": trace.last_collected_at,
            "collected": [
                {
                    "lot": s.lot,
                    "collections": trace.shown_deliveries(s),
                    "households": trace.shown(s.households),
                    "quantity": s.quantity,
                    "first_at": s.first_at,
                    "last_at": s.last_at,
                }
                for s in trace.collected
            ],
            "collections": trace.collections if trace.with_households else (),
            "upstream": trace.upstream,
            "downstream": trace.downstream,
            "shipments": trace.shipments,
            "certifications": trace.certifications,
        }


class EpcisDocumentSchema(Schema):
    """A GS1 EPCIS 2.0 EPCISDocument (JSON-LD); see DESIGN section 7."""

    context = fields.Raw(data_key="@context")
    type = fields.String(metadata={"example": "EPCISDocument"})
    schemaVersion = fields.String(metadata={"example": "2.0"})
    creationDate = fields.String(metadata={"format": "date-time"})
    epcisBody = fields.Dict()


class MassBalanceArgs(PaginationArgs):
    flagged = fields.Boolean(load_default=False, metadata={"description": "Only lots with a flag."})


class FlowsSchema(Schema):
    """What came into lots and went out of them, as the mass balance counts it."""

    collected = QuantityField()
    produced = QuantityField()
    consumed = QuantityField()
    shipped = QuantityField()
    remaining = QuantityField()


class LotBalanceSchema(FlowsSchema):
    lot_id = fields.Integer()
    code = fields.String()
    product_code = fields.String()
    unit = fields.String()
    expected_remaining = fields.Decimal(
        places=3, as_string=True, metadata={"type": "string", "format": "decimal"}
    )
    flags = fields.List(
        fields.String(metadata={"enum": ["overdrawn", "remaining_mismatch", "in_mismatch"]})
    )


class TotalsSchema(FlowsSchema):
    unit = fields.String(metadata={"enum": ["kg", "l", "item"]})
    lots = fields.Integer()
    flagged_lots = fields.Integer()


class YieldSchema(Schema):
    """Output per unit of input of processing."""

    process = fields.String()
    input_quantity = QuantityField()
    output_quantity = QuantityField()
    yield_ratio = _ratio()


class YieldRowSchema(YieldSchema):
    product_code = fields.String()
    transformations = fields.Integer()
    lowest = _ratio()
    highest = _ratio()
    impossible = fields.Integer()


class ImpossibleYieldSchema(YieldSchema):
    transformation_id = fields.Integer()
    occurred_at = fields.DateTime()
    output_lot_code = fields.String()


class MassBalanceSchema(Schema):
    cooperative_id = fields.Integer()
    totals = fields.List(
        fields.Nested(TotalsSchema), metadata={"description": "Sums over the lots, by unit."}
    )
    lots = fields.Nested(page_of(LotBalanceSchema))
    yields = fields.List(fields.Nested(YieldRowSchema))
    impossible_yields = fields.List(fields.Nested(ImpossibleYieldSchema), attribute="impossible")
