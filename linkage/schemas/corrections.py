"""Schemas of corrections and voids of collections and payments, with their history."""

from __future__ import annotations

from marshmallow import fields, validate

from linkage.plain_text import SINGLE_LINE_CONTROLS
from linkage.services.valuechain.checks import MAX_UNIT_PRICE_VND
from linkage.services.valuechain.corrections import MAX_REASON, MIN_REASON
from models import ChangeAction, CollectionStatus

from .base import Schema
from .common import FullMatch, identifier, money
from .payments import PaymentSchema
from .valuechain import CollectionSchema, Moment, chain_quantity

# the characters Python's str.strip() removes, but for the controls: written out, since
# JSON Schema's `\s` (ECMA-262) does not match the same ones (U+0085, U+FEFF)
_SPACES = r" \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_VISIBLE = f"[^{_SPACES}{SINGLE_LINE_CONTROLS}]"
# one line (no control character) whose text, spaces at either end aside, is MIN_REASON long
REASON_PATTERN = (
    f"^[{_SPACES}]*{_VISIBLE}[^{SINGLE_LINE_CONTROLS}]{{{MIN_REASON - 2},}}{_VISIBLE}[{_SPACES}]*$"
)


def reason(
    *,
    required: bool = True,
    description: str = f"Why the record changes, on one line: at least {MIN_REASON} "
    "characters besides the spaces at either end; kept, audited",
) -> fields.String:
    return fields.String(
        required=required,
        validate=[validate.Length(min=MIN_REASON, max=MAX_REASON), FullMatch(REASON_PATTERN)],
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
    quantity = chain_quantity()
    unit_price_vnd = money(maximum=MAX_UNIT_PRICE_VND)
    household_id = identifier()
    collected_at = Moment()


class VoidSchema(Schema):
    reason = reason()
