"""Schemas of orders."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from linkage.services.orders import AllocationRequest
from models import OrderStatus

from .base import Schema
from .common import PaginationArgs, QuantityField, identifier

POSITIVE = {"minimum": 0, "exclusive": True}


class OrderLineRequestSchema(Schema):
    listing_id = identifier(required=True)
    quantity = QuantityField(required=True, **POSITIVE)


class OrderRequestSchema(Schema):
    lines = fields.List(
        fields.Nested(OrderLineRequestSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
    )
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class AllocationSchema(Schema):
    line_id = identifier(required=True)
    lot_id = identifier(required=True)
    quantity = QuantityField(required=True, **POSITIVE)

    @post_load
    def _request(self, data: dict[str, Any], **_kwargs: Any) -> AllocationRequest:
        return AllocationRequest(**data)


class ShippedLotSchema(Schema):
    id = fields.Integer()
    code = fields.String()


class AllocationAnswerSchema(Schema):
    lot = fields.Nested(ShippedLotSchema)
    quantity = QuantityField()
    trace_url = fields.Function(lambda a: f"/trace/{a.lot.code}")


class ShipSchema(Schema):
    allocations = fields.List(
        fields.Nested(AllocationSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class PaySchema(Schema):
    paid_at = fields.AwareDateTime(load_default=None)
    reference = fields.String(validate=validate.Length(max=100))


class ReasonSchema(Schema):
    reason = fields.String(validate=validate.Length(max=1000))


class OrderLineSchema(Schema):
    id = fields.Integer()
    listing_id = fields.Integer()
    title = fields.Function(lambda line: line.listing.title)
    product_code = fields.Function(lambda line: line.listing.product.code)
    quantity = QuantityField()
    unit_price_vnd = fields.Integer()
    amount_vnd = fields.Integer()
    allocations = fields.List(fields.Nested(AllocationAnswerSchema))


class OrderEventSchema(Schema):
    from_status = fields.Enum(OrderStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(OrderStatus, by_value=True)
    occurred_at = fields.AwareDateTime()
    actor_role = fields.Function(lambda e: e.actor.role.value if e.actor else None)
    note = fields.String(allow_none=True)


class OrderSchema(Schema):
    id = fields.Integer()
    status = fields.Enum(OrderStatus, by_value=True)
    cooperative_id = fields.Integer()
    cooperative_name = fields.Function(lambda o: o.cooperative.name)
    buyer_id = fields.Integer()
    buyer_organisation = fields.Function(
        lambda o: o.buyer.buyer_organisation.name if o.buyer.buyer_organisation else None,
        metadata={"type": "string", "nullable": True},
    )
    note = fields.String()
    total_vnd = fields.Integer()
    placed_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True)
    shipped_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderDetailSchema(OrderSchema):
    events = fields.List(fields.Nested(OrderEventSchema))


class OrderArgs(PaginationArgs):
    status = fields.Enum(OrderStatus, by_value=True)
    cooperative = identifier(strict=False)
