"""Schemas of the policy support a household received, its corrections, voids and CSV import."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from linkage.services.supports import MANAGER_PROGRAMMES, MAX_NOTE, MAX_TERM_MONTHS
from models import CollectionStatus, Support, SupportProgramme

from .base import Schema
from .common import Day, PaginationArgs, money
from .corrections import ChangeSchema, reason
from .valuechain import product_code

MANAGERS_MAY = ", ".join(p.value for p in MANAGER_PROGRAMMES)
LOAN = SupportProgramme.POLICY_LOAN
# Only a policy loan has a term, and a loan is of more than nothing (the document's anyOf;
# the schemas' check below). A correction that leaves the programme out is judged with the
# support's own: the service answers 409 when the record and the values do not go together.
_A_LOAN = {
    "description": "a policy loan: a term (not null) and an amount above zero",
    "properties": {
        "programme": {"enum": [LOAN.value]},
        "term_months": {"type": "integer"},
        "amount_vnd": {"minimum": 1},
    },
}
_NOT_A_LOAN = {
    "description": "any other programme: no term (left out or null)",
    "properties": {
        "programme": {"enum": [p.value for p in SupportProgramme if p is not LOAN]},
        "term_months": {"enum": [None], "nullable": True},
    },
}
TERM_FOR_A_NEW_LOAN = [{**_A_LOAN, "required": ["term_months"]}, _NOT_A_LOAN]
TERM_FOR_A_LOAN = [
    {"description": "the programme left out", "not": {"required": ["programme"]}},
    {**_A_LOAN, "required": ["programme"]},
    {**_NOT_A_LOAN, "required": ["programme"]},
]


def check_loan(data: dict[str, Any], *, term_required: bool) -> None:
    """The values given with a programme go with it: a loan has a term and an amount above
    zero (the term may come from the record in a correction), no other programme a term."""
    programme = data.get("programme")
    if programme is None:
        return
    if programme is LOAN:
        if ("term_months" in data or term_required) and data.get("term_months") is None:
            raise ValidationError("A policy loan has a term: give term_months.", "term_months")
        if data.get("amount_vnd") == 0:
            raise ValidationError("A policy loan is of more than 0 VND.", "amount_vnd")
    elif data.get("term_months") is not None:
        raise ValidationError(
            "Only a policy loan has a term: leave term_months out (or null).", "term_months"
        )


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
            "refused for any other programme (see the anyOf)"
        },
        **kwargs,
    )


def _note(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=MAX_NOTE), **kwargs)


class SupportCreateSchema(Schema):
    class Meta:
        any_of = TERM_FOR_A_NEW_LOAN

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
    received_on = Day(
        required=True,
        metadata={"description": "From 2000-01-01 to today (Vietnam); a day in the future is 409"},
    )
    purpose_product_code = product_code(allow_none=True, load_default=None)
    term_months = _term(load_default=None)
    note = _note(load_default=None)

    @validates_schema
    def loan_values(self, data: dict[str, Any], **_kwargs: Any) -> None:
        check_loan(data, term_required=True)


class SupportCorrectionSchema(Schema):
    """The reason and the values to correct (at least one differs, else 409); null clears
    the purpose product, the term or the note."""

    class Meta:
        any_of = TERM_FOR_A_LOAN

    reason = reason()
    programme = fields.Enum(SupportProgramme, by_value=True)
    amount_vnd = money()
    received_on = Day(metadata={"description": "A day in the future is 409"})
    purpose_product_code = product_code(allow_none=True)
    term_months = _term()
    note = _note()

    @validates_schema
    def loan_values(self, data: dict[str, Any], **_kwargs: Any) -> None:
        check_loan(data, term_required=False)


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
