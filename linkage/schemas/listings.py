"""Schemas of listings: the manager's requests and the answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from models import CertificationKind, ListingStatus

from . import codes
from .base import Schema
from .common import PaginationArgs, QuantityField, identifier, money


def _no_nul(value: str) -> None:
    # PostgreSQL refuses NUL in text: a clear 422 instead of a server error.
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters.")


def _text(max_length: int, *, min_length: int = 0, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=min_length, max=max_length), _no_nul], **kwargs
    )


class ListingCertificationSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(CertificationKind, by_value=True, required=True)
    number = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)


class ListingTermsSchema(Schema):
    """What a listing offers, as its managers and the catalog both see it."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    grade = fields.String(allow_none=True)
    unit_price_vnd = fields.Integer(required=True)
    quantity_available = QuantityField(required=True)
    min_order_quantity = QuantityField(required=True)
    harvest_start = fields.Date(allow_none=True)
    harvest_end = fields.Date(allow_none=True)
    status = fields.Enum(ListingStatus, by_value=True, required=True)


class ListingSchema(ListingTermsSchema):
    cooperative_id = fields.Integer(required=True)
    product_code = fields.Function(
        lambda listing: listing.product.code, required=True, metadata={"type": "string"}
    )
    description = fields.String()
    certifications = fields.List(fields.Nested(ListingCertificationSchema), required=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ListingArgs(PaginationArgs):
    status = fields.Enum(ListingStatus, by_value=True)


def _certification_ids(**kwargs: Any) -> fields.List:
    return fields.List(
        identifier(),
        validate=validate.Length(max=50),
        metadata={"description": "Ids of the cooperative's own certifications."},
        **kwargs,
    )


HARVEST = (
    "A harvest window given in reverse order (harvest_end before harvest_start) is read as the "
    "window between the two dates; a change giving one bound compares it with the listing's "
    "other one."
)


def _harvest_date(**kwargs: Any) -> fields.Date:
    return fields.Date(allow_none=True, metadata={"description": HARVEST}, **kwargs)


def harvest_in_order(
    data: dict[str, Any], start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """`data` with its harvest window in order: its bounds, or the given `start` and `end` for
    those it leaves out (a listing's own on a change), swapped when the end comes first."""
    start, end = data.get("harvest_start", start), data.get("harvest_end", end)
    if start is not None and end is not None and end < start:
        return {**data, "harvest_start": end, "harvest_end": start}
    return data


class _ListingFields(Schema):
    """Fields and checks shared by create and update."""

    @post_load
    def harvest_window(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return harvest_in_order(data)


class ListingCreateSchema(_ListingFields):
    product_code = codes.product_code(required=True, metadata={"example": "PT-BA-KICH-KHO"})
    title = _text(200, min_length=1, required=True)
    description = _text(5000, load_default="")
    grade = _text(40, allow_none=True)
    unit_price_vnd = money(required=True)
    quantity_available = QuantityField(required=True)
    min_order_quantity = QuantityField(exclusive=True, load_default=Decimal("1"))
    certifications = _certification_ids(load_default=list)
    harvest_start = _harvest_date()
    harvest_end = _harvest_date()
    status = fields.String(
        load_default=ListingStatus.DRAFT.value,
        validate=validate.OneOf([ListingStatus.DRAFT.value, ListingStatus.ACTIVE.value]),
        metadata={"enum": [ListingStatus.DRAFT.value, ListingStatus.ACTIVE.value]},
    )


class ListingUpdateSchema(_ListingFields):
    product_code = codes.product_code()
    title = _text(200, min_length=1)
    description = _text(5000)
    grade = _text(40, allow_none=True)
    unit_price_vnd = money()
    quantity_available = QuantityField()
    min_order_quantity = QuantityField(exclusive=True)
    certifications = _certification_ids()
    harvest_start = _harvest_date()
    harvest_end = _harvest_date()
    status = fields.Enum(
        ListingStatus,
        by_value=True,
        metadata={"description": "draft -> active -> paused -> active; any -> archived."},
    )
