"""Schemas of member households (sensitive personal data) and their CSV import."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from linkage.extensions import ProblemSchema
from linkage.services.households import MAX_CODE, MAX_MEMBERS, MAX_NAME, visible_cooperative_ids
from models import Household, OfficialStatus, User

from . import codes, corrections
from .base import Schema
from .common import (
    FILLED_LINE,
    PRINTABLE,
    FullMatch,
    PaginationArgs,
    QueryBoolean,
    identifier,
    money,
)

# official_status_on dates a known status: null, or left out, while the status is null (the
# document's anyOf; the schemas' check below)
STATUS_BEFORE_ITS_DATE = [
    {
        "description": "official_status is known (or, in an edit, left out)",
        "properties": {"official_status": {"type": "string"}},
    },
    {
        "description": "official_status_on is left out or null",
        "properties": {"official_status_on": {"enum": [None], "nullable": True}},
    },
]


def _text(max_length: int, **kwargs: Any) -> fields.String:
    """One line of text, more than spaces (the service drops the spaces around it)."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), FILLED_LINE], **kwargs)


def _commune(**kwargs: Any) -> fields.String:
    return fields.String(validate=FullMatch(r"^[0-9]{5}$"), metadata={"example": "08914"}, **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false only (not 1, "yes" or "true")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is not True and value is not False:
            raise self.make_error("invalid")
        return value


class HouseholdSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    head_name = fields.String(required=True)
    commune_code = fields.String(required=True)
    members = fields.Integer(required=True)
    ethnicity = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Vietnamese name of the ethnic group; null: not yet known"},
    )
    ethnic_group_code = fields.String(required=True, allow_none=True)
    official_status = fields.Enum(
        OfficialStatus,
        by_value=True,
        required=True,
        allow_none=True,
        metadata={"description": "null: not yet known (the household is left out of projections)"},
    )
    official_status_on = fields.Date(
        required=True, allow_none=True, metadata={"description": "null when not known"}
    )
    deprivations = fields.Integer(required=True)
    baseline_income_vnd = fields.Integer(required=True)
    meritorious = fields.Boolean(required=True)
    needs_review = fields.Boolean(required=True)
    consent_at = fields.DateTime(required=True)
    cooperative_ids = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "The household's cooperatives that the caller may see"},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdView:
    """A household as one caller sees it: with the ids of the cooperatives known to them."""

    def __init__(self, household: Household, cooperative_ids: list[int]) -> None:
        self._household = household
        self.cooperative_ids = cooperative_ids

    def __getattr__(self, name: str) -> Any:
        return getattr(self._household, name)


def as_seen_by(actor: User, household: Household) -> HouseholdView:
    return HouseholdView(household, visible_cooperative_ids(actor, household))


class StatusDateRule(Schema):
    """No date for an official status given as null ("not yet known")."""

    class Meta:
        any_of = STATUS_BEFORE_ITS_DATE

    @validates_schema
    def no_date_without_status(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "official_status" not in data or data["official_status"] is not None:
            return
        if data.get("official_status_on") is not None:
            raise ValidationError(
                "Leave official_status_on out (or null): the official status is not yet known.",
                field_name="official_status_on",
            )


class HouseholdArgs(PaginationArgs):
    q = fields.String(
        validate=[validate.Length(max=100), PRINTABLE],
        metadata={"description": "Code or head name contains (case-insensitive)"},
    )
    official_status = fields.Enum(OfficialStatus, by_value=True)
    commune = _commune()
    needs_review = QueryBoolean()


class HouseholdCreateSchema(StatusDateRule):
    code = _text(MAX_CODE, required=True, metadata={"example": "DT-0001"})
    head_name = _text(MAX_NAME, required=True, metadata={"example": "Triệu Văn Minh"})
    commune_code = codes.commune_code(required=True)
    members = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_MEMBERS)
    )
    ethnicity = codes.ethnicity(
        required=True,
        allow_none=True,
        metadata={
            "description": "One of the 54 ethnic groups, by its Vietnamese name as listed; "
            "null if not yet known (the household then needs review)"
        },
    )
    official_status = fields.Enum(
        OfficialStatus,
        by_value=True,
        required=True,
        allow_none=True,
        metadata={
            "description": "null if not yet known: the household then needs review and is "
            "left out of projections until it is set"
        },
    )
    official_status_on = fields.Date(
        allow_none=True,
        metadata={
            "description": "When the official status was set, if known (no default); "
            "null or left out when the status is null; a day in the future is 409"
        },
    )
    deprivations = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=12)
    )
    baseline_income_vnd = money(required=True)
    meritorious = StrictBoolean(load_default=False)
    needs_review = StrictBoolean(load_default=False)
    consent = StrictBoolean(
        required=True,
        metadata={
            "enum": [True],
            "description": "The household consented to the processing of its data (required)",
        },
    )
    joined_on = fields.Date(
        metadata={
            "description": "When it joined the cooperative (default: today); a day in the "
            "future is 409"
        }
    )


class HouseholdUpdateSchema(StatusDateRule):
    code = _text(MAX_CODE)
    head_name = _text(MAX_NAME)
    commune_code = codes.commune_code()
    members = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_MEMBERS))
    ethnicity = codes.ethnicity(
        allow_none=True,
        metadata={
            "description": "One of the 54 ethnic groups, by its Vietnamese name as "
            "listed; null: not yet known"
        },
    )
    deprivations = fields.Integer(strict=True, validate=validate.Range(min=0, max=12))
    baseline_income_vnd = money()
    meritorious = StrictBoolean()
    needs_review = StrictBoolean(
        metadata={
            "description": "Always true while the ethnicity or the official status is not yet "
            "known; lifted when the last of them is set, unless given as true"
        }
    )
    official_status = fields.Enum(
        OfficialStatus,
        by_value=True,
        allow_none=True,
        metadata={
            "description": "While it is not yet known (null), a manager may set it; after "
            "that only admins, with a reason (managers get 409). A known status cannot be "
            "set back to null."
        },
    )
    official_status_on = fields.Date(
        allow_none=True,
        metadata={
            "description": "With official_status (see there); not with a null one. Given "
            "alone, it dates the household's known status (admins, with a reason); 409 while "
            "the status is not yet known, or for a day in the future"
        },
    )
    reason = corrections.reason(
        required=False,
        description="Why the official status changes (at least 5 characters): needed to "
        "change a known status (409 without it)",
    )


class MembershipCreateSchema(Schema):
    household_id = identifier(required=True)
    joined_on = fields.Date()


class MembershipSchema(Schema):
    id = fields.Integer(required=True)
    household_id = fields.Integer(required=True)
    cooperative_id = fields.Integer(required=True)
    joined_on = fields.Date(required=True)


class ImportResultSchema(Schema):
    created = fields.Integer(required=True, metadata={"description": "Households created"})


class RowErrorSchema(Schema):
    """A problem of an imported file, in answers only (a message may quote the file's text)."""

    row = fields.Integer(
        required=True, dump_only=True, metadata={"description": "Row number; the header is 1"}
    )
    field = fields.String(required=True, dump_only=True)
    message = fields.String(required=True, dump_only=True)


class ImportProblemSchema(ProblemSchema):
    """The 422 answer of an import: every problem, by row; nothing was imported."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": '{"row 3": ["members: ..."]}'},
    )
    rows = fields.List(fields.Nested(RowErrorSchema))
    error_count = fields.Integer()
