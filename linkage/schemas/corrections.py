"""Schemas of corrections and voids of collections and payments, with their history."""

from __future__ import annotations

from marshmallow import fields, validate

from linkage.services.valuechain.checks import MAX_UNIT_PRICE_VND
from models import ChangeAction, CollectionStatus

from .base import Schema
from .common import QuantityField, identifier, money
from .payments import PaymentSchema
from .valuechain import CollectionSchema, Moment


def reason() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=5, max=1000),
        metadata={"description": "Why the record changes (at least 5 characters); kept, audited"},
    )


class ChangeSchema(Schema):
    """One correction or void: when, by whom, why, and the values before and after."""

    at = fields.DateTime(attribute="changed_at", required=True)
    by = fields.String(
        attribute="changed_by.name", allow_none=True, metadata={"description": "the user's name"}
    )
    action = fields.Enum(ChangeAction, by_value=True, required=True)
    reason = fields.String(required=True)
    old = fields.Dict(attribute="old_values", required=True)
    new = fields.Dict(attribute="new_values", required=True)


class CollectionRecordSchema(CollectionSchema):
    """A collection with its status and the history of its corrections and voids."""

    status = fields.Enum(CollectionStatus, by_value=True, required=True)
    history = fields.List(fields.Nested(ChangeSchema), required=True)


class PaymentRecordSchema(PaymentSchema):
    voided_at = fields.DateTime(allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["recorded", "void"]), metadata={"example": "void"}
    )
    history = fields.List(fields.Nested(ChangeSchema), required=True)


class CorrectionSchema(Schema):
    """The reason and the values to correct; at least one of them."""

    reason = reason()
    quantity = QuantityField(exclusive=True)
    unit_price_vnd = money(maximum=MAX_UNIT_PRICE_VND)
    household_id = identifier()
    collected_at = Moment()


class VoidSchema(Schema):
    reason = reason()
