"""Schemas of the impact API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from linkage.services.impact_summary import GroupBy
from linkage.services.periods import Month, Period, current_month
from linkage.services.poverty import Transition
from models import OfficialStatus

from .common import PaginationArgs

MONTH = {"pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-01"}


class PeriodArgs(Schema):
    period_start = fields.String(
        validate=validate.Regexp(MONTH["pattern"]), metadata={**MONTH, "description": "YYYY-MM"}
    )
    period_end = fields.String(
        validate=validate.Regexp(MONTH["pattern"]), metadata={**MONTH, "description": "YYYY-MM"}
    )
    commune = fields.String(validate=validate.Regexp(r"^\d{5}$"))
    cooperative = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))

    @validates_schema
    def check_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and Month.parse(end) < Month.parse(start):
            raise ValidationError("The period ends before it starts.", "period_end")
        if start and end and Period(Month.parse(start), Month.parse(end)).months > 120:
            raise ValidationError("A period is at most 120 months.", "period_end")

    @post_load
    def to_period(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Default: the 12 months ending with the current month."""
        end = Month.parse(data["period_end"]) if data.get("period_end") else current_month()
        start = Month.parse(data["period_start"]) if data.get("period_start") else end.minus(11)
        if end < start:
            end = start
        data["period"] = Period(start, end)
        return data


class ImpactHouseholdArgs(PeriodArgs, PaginationArgs):
    projected_status = fields.Enum(OfficialStatus, by_value=True)
    transition = fields.Enum(Transition, by_value=True)


class ImpactSummaryArgs(PeriodArgs):
    group_by = fields.Enum(GroupBy, by_value=True, load_default=GroupBy.COMMUNE)


class ImpactHouseholdSchema(Schema):
    household_id = fields.Integer()
    code = fields.String()
    commune_code = fields.String()
    members = fields.Integer()
    official_status = fields.String()
    deprivations = fields.Integer()
    baseline_income_vnd = fields.Integer()
    platform_income_vnd = fields.Integer()
    attributed_sales_vnd = fields.Integer()
    projected_income_vnd = fields.Integer()
    poverty_line_vnd = fields.Integer()
    projected_status = fields.String()
    transition = fields.String()
    meritorious = fields.Boolean()
    needs_review = fields.Boolean()


class ImpactHouseholdPageSchema(Schema):
    period_start = fields.String()
    period_end = fields.String()
    standard_code = fields.String()
    items = fields.List(fields.Nested(ImpactHouseholdSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class FiguresSchema(Schema):
    households = fields.Integer()
    poor = fields.Integer()
    near_poor = fields.Integer()
    sales_vnd = fields.Integer()
    platform_income_vnd = fields.Integer()
    attributed_sales_vnd = fields.Integer()
    income_to_poor_vnd = fields.Integer()
    income_to_near_poor_vnd = fields.Integer()
    projected_exits = fields.Integer()
    projected_worsened = fields.Integer()


class SummaryRowSchema(FiguresSchema):
    key = fields.String()
    label = fields.String()


class ImpactSummarySchema(Schema):
    period_start = fields.String()
    period_end = fields.String()
    standard_code = fields.String()
    group_by = fields.String()
    rows = fields.List(fields.Nested(SummaryRowSchema))
    totals = fields.Nested(FiguresSchema)


class ReclassifySchema(Schema):
    official_status = fields.Enum(OfficialStatus, by_value=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))
    effective_on = fields.Date()


class StatusChangeAnswerSchema(Schema):
    household_id = fields.Integer()
    previous_status = fields.Enum(OfficialStatus, by_value=True, allow_none=True)
    official_status = fields.Function(lambda c: c.status.value)
    effective_on = fields.Date()
    reason = fields.String()
    recorded_at = fields.AwareDateTime()
