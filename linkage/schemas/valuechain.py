"""Schemas of the value chain: lots, collections, transformations and a lot's history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields, validate

from linkage.services.valuechain.checks import MAX_INPUTS, MAX_QUANTITY, MAX_UNIT_PRICE_VND
from models import LotOrigin, Process

from . import codes
from .base import Schema
from .common import Moment, PaginationArgs, QuantityField, QueryBoolean, identifier, money

product_code = codes.product_code


def chain_quantity(**kwargs: Any) -> QuantityField:
    """A quantity recorded in the value chain: above zero, at most the value chain's bound
    (one delivery or output), as the services check it."""
    return QuantityField(exclusive=True, maximum=MAX_QUANTITY, **kwargs)


def moisture(**kwargs: Any) -> QuantityField:
    """A delivery's moisture: a percentage from 0 to 100 with 2 decimals, "13.50" in answers."""
    return QuantityField(
        maximum=Decimal("100"),
        decimals=2,
        allow_none=True,
        metadata={"description": "A percentage from 0 to 100", "example": "13.5"},
        **kwargs,
    )


class LotCreateSchema(Schema):
    product_code = product_code(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class LotSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"example": "DT-2026-0001"})
    cooperative_id = fields.Integer(required=True)
    product_code = fields.String(attribute="product.code", required=True)
    product_name = fields.String(attribute="product.name_vi")
    unit = fields.String(attribute="product.unit", metadata={"example": "kg"})
    origin = fields.Enum(LotOrigin, by_value=True)
    quantity_in = QuantityField()
    quantity_remaining = QuantityField(required=True)
    note = fields.String()
    created_at = fields.DateTime()


class LotArgs(PaginationArgs):
    product = fields.String(validate=validate.Length(min=1, max=40))
    with_stock = QueryBoolean()


class CollectionCreateSchema(Schema):
    household_id = identifier(required=True)
    quantity = chain_quantity(required=True)
    unit_price_vnd = money(maximum=MAX_UNIT_PRICE_VND, required=True)
    collected_at = Moment(required=True)
    grade = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    moisture_pct = moisture(load_default=None)


class CollectionSchema(Schema):
    id = fields.Integer(required=True)
    lot_id = fields.Integer(required=True)
    household_id = fields.Integer(required=True)
    quantity = QuantityField(required=True)
    unit_price_vnd = fields.Integer(required=True)
    amount_vnd = fields.Integer(required=True)
    collected_at = fields.DateTime(required=True)
    grade = fields.String(allow_none=True)
    moisture_pct = moisture()


class LotCollectionSchema(CollectionSchema):
    """A collection in a lot's history: managers see the household."""

    household_code = fields.String(attribute="household.code")
    household_name = fields.String(attribute="household.head_name")


class TransformationInputSchema(Schema):
    lot_id = identifier(required=True)
    quantity = chain_quantity(required=True)


class TransformationOutputSchema(Schema):
    product_code = product_code(required=True)
    quantity = chain_quantity(required=True)


class TransformationCreateSchema(Schema):
    process = fields.Enum(Process, by_value=True, required=True)
    occurred_at = Moment(required=True)
    inputs = fields.List(
        fields.Nested(TransformationInputSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_INPUTS),
        metadata={
            "description": "The lots taken from; a lot given more than once is taken once, "
            "for the sum of its quantities."
        },
    )
    output = fields.Nested(TransformationOutputSchema, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class InputLotSchema(Schema):
    lot_id = fields.Integer(required=True)
    lot_code = fields.String(attribute="lot.code")
    product_code = fields.String(attribute="lot.product.code")
    quantity = QuantityField(required=True)


class LotLinkSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    product_code = fields.String(attribute="product.code")


class TransformationSchema(Schema):
    id = fields.Integer(required=True)
    process = fields.Enum(Process, by_value=True)
    occurred_at = fields.DateTime()
    note = fields.String()
    inputs = fields.List(fields.Nested(InputLotSchema))
    output_lot = fields.Nested(LotLinkSchema, required=True)
    output_quantity = QuantityField()


class ConsumptionSchema(Schema):
    """A transformation that took from the lot."""

    transformation_id = fields.Integer(required=True)
    process = fields.Enum(Process, by_value=True, attribute="transformation.process")
    occurred_at = fields.DateTime(attribute="transformation.occurred_at")
    quantity = QuantityField(required=True)
    output_lot = fields.Nested(LotLinkSchema, attribute="transformation.output_lot")


class LotShipmentSchema(Schema):
    id = fields.Integer(required=True)
    order_line_id = fields.Integer()
    order_id = fields.Integer(attribute="order_line.order_id")
    quantity = QuantityField(required=True)
    allocated_at = fields.DateTime()


class LotDetailSchema(LotSchema):
    """A lot with where its quantity came from and went (a services.valuechain.LotHistory)."""

    collections = fields.List(fields.Nested(LotCollectionSchema))
    produced_by = fields.Nested(TransformationSchema, allow_none=True)
    consumed_by = fields.List(fields.Nested(ConsumptionSchema))
    allocations = fields.List(fields.Nested(LotShipmentSchema))

    HISTORY = ("collections", "produced_by", "consumed_by", "allocations")

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if attr in self.HISTORY:
            return getattr(obj, attr)
        return super().get_attribute(obj.lot, attr, default)
