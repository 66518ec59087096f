"""Schemas of corrections and voids of collections and payments, with their history."""

from __future__ import annotations

from marshmallow import fields, validate

from linkage.services.valuechain.checks import MAX_UNIT_PRICE_VND
from models import ChangeAction, CollectionStatus

from .base import Schema
from .common import FullMatch, QuantityField, identifier, money
from .payments import PaymentSchema
from .valuechain import CollectionSchema, Moment

# Why a record changes, as the services read it (valuechain.corrections.check_reason): one
# line without control characters, of at least 5 characters once the spaces around it are
# dropped (`\s` as Python reads it, which is what str.strip() drops)
REASON_PATTERN = (
    r"^[^\S\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]{3,}"
    r"[^\s\x00-\x1f\x7f][^\S\x00-\x1f\x7f]*$"
)


def reason(
    *,
    required: bool = True,
    description: str = "Why the record changes (at least 5 characters); kept, audited",
) -> fields.String:
    return fields.String(
        required=required,
        validate=[
            validate.Length(min=5, max=1000),
            FullMatch(
                REASON_PATTERN,
                error="One line without control characters, at least 5 characters besides "
                "the spaces around it.",
            ),
        ],
        metadata={"description": description},
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
