"""Schemas of the policy support a household received, its corrections, voids and CSV import."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from linkage.services.supports import MANAGER_PROGRAMMES, MAX_NOTE, MAX_TERM_MONTHS
from models import CollectionStatus, Support, SupportProgramme

from .base import Schema
from .common import PaginationArgs, money
from .corrections import ChangeSchema, reason
from .valuechain import product_code

MANAGERS_MAY = ", ".join(p.value for p in MANAGER_PROGRAMMES)


def _recorded_by(support: Support) -> str | None:
    return support.recorded_by.name if support.recorded_by is not None else None


def _product_code(support: Support) -> str | None:
    return support.purpose_product.code if support.purpose_product is not None else None


class SupportSchema(Schema):
    id = fields.Integer(required=True)
    household_id = fields.Integer(required=True)
    programme = fields.Enum(SupportProgramme, by_value=True, required=True)
    amount_vnd = fields.Integer(
        required=True, metadata={"description": "The loan, or the value of what was given"}
    )
    received_on = fields.Date(required=True)
    purpose_product_code = fields.Function(
        _product_code,
        required=True,
        metadata={"type": "string", "nullable": True, "example": "PT-BA-KICH-TUOI"},
    )
    term_months = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Loans only; null otherwise"}
    )
    note = fields.String(required=True, allow_none=True)
    recorded_by = fields.Function(
        _recorded_by,
        required=True,
        metadata={"type": "string", "nullable": True, "description": "the user's name"},
    )
    status = fields.Enum(
        CollectionStatus,
        by_value=True,
        required=True,
        metadata={"description": "A void support is kept but counts nowhere"},
    )
    created_at = fields.DateTime(required=True)


class SupportRecordSchema(SupportSchema):
    """A support with the history of its corrections and voids."""

    history = fields.List(fields.Nested(ChangeSchema), required=True)


def _term(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_TERM_MONTHS),
        metadata={
            "description": "The loan's term in months: required for policy_loan, "
            "refused for any other programme"
        },
        **kwargs,
    )


def _note(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=MAX_NOTE), **kwargs)


class SupportCreateSchema(Schema):
    programme = fields.Enum(
        SupportProgramme,
        by_value=True,
        required=True,
        metadata={
            "description": "Officials and admins record any programme; managers of the "
            f"household's cooperative only {MANAGERS_MAY} (else 403)"
        },
    )
    amount_vnd = money(required=True, metadata={"example": 50_000_000})
    received_on = fields.Date(
        required=True, metadata={"description": "From 2000-01-01 to today (Vietnam)"}
    )
    purpose_product_code = product_code(allow_none=True, load_default=None)
    term_months = _term(load_default=None)
    note = _note(load_default=None)


class SupportCorrectionSchema(Schema):
    """The reason and the values to correct (at least one differs); null clears the purpose
    product, the term or the note."""

    reason = reason()
    programme = fields.Enum(SupportProgramme, by_value=True)
    amount_vnd = money()
    received_on = fields.Date()
    purpose_product_code = product_code(allow_none=True)
    term_months = _term()
    note = _note()


class SupportArgs(PaginationArgs):
    programme = fields.Enum(SupportProgramme, by_value=True)


class SupportImportArgs(Schema):
    commune = fields.String(
        validate=validate.Regexp(r"^[0-9]{5}$", error="A commune code has 5 digits."),
        metadata={
            "description": "A commune code of the caller's jurisdiction: every household of "
            "the file must live there (404 for a commune outside it)",
            "example": "08914",
        },
    )


class SupportImportResultSchema(Schema):
    imported = fields.Integer(required=True, metadata={"description": "Supports recorded"})


class SupportImportProblemSchema(Schema):
    """The 422 answer of an import: every problem, by row and field; nothing was imported."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    # the file's problems by row and field; a bad query argument gives the usual
    # {argument: [messages]} of a refused request instead
    errors = fields.Raw(
        required=True,
        metadata={
            "oneOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer"},
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                        "required": ["row", "field", "message"],
                    },
                },
                {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            ]
        },
    )
    error_count = fields.Integer()
