"""Schemas of the review queue API."""

from __future__ import annotations

from marshmallow import fields

from linkage.services.review import ReviewReason
from models import OfficialStatus

from .base import Schema
from .common import PaginationArgs
from .impact import PeriodArgs


class ReviewArgs(PeriodArgs, PaginationArgs):
    """The period whose projections are compared (with the one of the same length before
    it), a commune of the jurisdiction, a reason; paginated."""

    class Meta:
        exclude = ("cooperative",)

    reason = fields.Enum(ReviewReason, by_value=True)


class ReviewItemSchema(Schema):
    household_id = fields.Integer()
    code = fields.String()
    commune_code = fields.String()
    official_status = fields.Enum(OfficialStatus, by_value=True, allow_none=True)
    needs_review = fields.Boolean(metadata={"description": "the stored review mark"})
    reasons = fields.List(
        fields.Enum(ReviewReason, by_value=True),
        metadata={
            "description": "boundary_change (the stored mark, all facts known), "
            "status_not_yet_known, ethnicity_not_yet_known, projection_disagrees (projected "
            "status differs from the official one in the period and in the period before)"
        },
    )
    projected_status = fields.Enum(OfficialStatus, by_value=True, allow_none=True)
    previous_projected_status = fields.Enum(OfficialStatus, by_value=True, allow_none=True)
