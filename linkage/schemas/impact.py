"""Schemas of the impact API."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from linkage.services.impact import EthnicityGroup, GroupBy, ImpactFilters, Sort, Transition
from linkage.services.periods import Month, Period, current_month
from models import FormerProvince, OfficialStatus, ProductCategory, Region

from .base import Schema
from .common import JsonBoolean, PaginationArgs

MONTH = {"pattern": r"^20\d{2}-(0[1-9]|1[0-2])$", "example": "2026-01"}
BOUNDS = (
    "YYYY-MM, a month of 2000 to 2099. The period runs from the earlier of period_start and "
    "period_end to the later (bounds given in reverse order are read in order); the answer's "
    "period_start and period_end say which months were read"
)


class PeriodArgs(Schema):
    period_start = fields.String(
        validate=validate.Regexp(MONTH["pattern"]),
        metadata={**MONTH, "description": "YYYY-MM, a month of 2000 to 2099"},
    )
    period_end = fields.String(
        validate=validate.Regexp(MONTH["pattern"]),
        metadata={**MONTH, "description": BOUNDS},
    )
    commune = fields.String(validate=validate.Regexp(r"^\d{5}$"))
    cooperative = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))

    @post_load
    def to_period(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Default: the 12 months ending with the current month."""
        end = Month.parse(data["period_end"]) if data.get("period_end") else current_month()
        start = Month.parse(data["period_start"]) if data.get("period_start") else end.minus(11)
        data["period"] = Period.between(start, end)
        return data


class ImpactFilterArgs(PeriodArgs):
    """Place, cooperative, product and household filters (all optional, all combined)."""

    former_province = fields.Enum(FormerProvince, by_value=True)
    region = fields.Enum(Region, by_value=True)
    product_category = fields.Enum(
        ProductCategory,
        by_value=True,
        metadata={
            "description": "Households that delivered produce of the category in the "
            "period, and sales of products of the category."
        },
    )
    ethnicity_group = fields.Enum(EthnicityGroup, by_value=True)
    official_status = fields.Enum(OfficialStatus, by_value=True)
    meritorious = fields.Boolean()
    needs_review = fields.Boolean()


def filters_of(args: dict[str, Any]) -> ImpactFilters:
    """The ImpactFilters of loaded arguments (unknown keys are ignored)."""
    return ImpactFilters(
        **{name: args[name] for name in ImpactFilters.__dataclass_fields__ if name in args}
    )


class ImpactHouseholdArgs(ImpactFilterArgs, PaginationArgs):
    projected_status = fields.Enum(OfficialStatus, by_value=True)
    transition = fields.Enum(Transition, by_value=True)
    sort = fields.Enum(
        Sort,
        by_value=True,
        load_default=Sort.COMMUNE,
        metadata={"description": "`gap`: furthest below the poverty line first"},
    )


class ImpactSummaryArgs(ImpactFilterArgs):
    group_by = fields.Enum(
        GroupBy,
        by_value=True,
        load_default=GroupBy.COMMUNE,
        metadata={
            "description": "`support_programme`: the households with a support of the "
            "programme (not void) received on or before the end of the period; a household "
            "with several programmes counts in each, so those rows do not add up to the totals."
        },
    )


class ImpactHouseholdSchema(Schema):
    household_id = fields.Integer()
    code = fields.String()
    commune_code = fields.String()
    members = fields.Integer()
    official_status = fields.String(
        allow_none=True,
        metadata={"description": "null: not yet known; the household is then not projected"},
    )
    deprivations = fields.Integer()
    baseline_income_vnd = fields.Integer()
    platform_income_vnd = fields.Integer()
    attributed_sales_vnd = fields.Integer()
    projected_income_vnd = fields.Integer()
    poverty_line_vnd = fields.Integer()
    projected_status = fields.String(
        allow_none=True, metadata={"description": "null when the official status is not known"}
    )
    transition = fields.String(
        allow_none=True, metadata={"description": "null when the official status is not known"}
    )
    meritorious = fields.Boolean()
    needs_review = fields.Boolean()


class PeriodAnswerSchema(Schema):
    """The period of an answer, read from its `period` (YYYY-MM)."""

    period_start = fields.String(attribute="period.start")
    period_end = fields.String(attribute="period.end")


class StandardAnswerSchema(PeriodAnswerSchema):
    """The period and the poverty standard (in force on the period's last day) of an answer."""

    standard_code = fields.String(attribute="standard.code")


class ImpactHouseholdPageSchema(StandardAnswerSchema):
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
    projected_improved = fields.Integer()
    projected_unchanged = fields.Integer()
    projected_worsened = fields.Integer()


class SummaryRowSchema(FiguresSchema):
    key = fields.String()
    label = fields.String()


class ImpactTotalsSchema(FiguresSchema):
    cooperatives = fields.Integer(
        metadata={"description": "Cooperatives with at least one of the households as member"}
    )
    not_yet_known = fields.Integer(
        metadata={
            "description": "Households in scope left out of every figure because their "
            "official status is not yet known"
        }
    )


class ImpactSummarySchema(StandardAnswerSchema):
    group_by = fields.String()
    rows = fields.List(fields.Nested(SummaryRowSchema))
    totals = fields.Nested(ImpactTotalsSchema)


class MonthFiguresSchema(Schema):
    month = fields.String(metadata={"example": "2026-01"})
    sales_vnd = fields.Integer()
    platform_income_vnd = fields.Integer()
    attributed_sales_vnd = fields.Integer()


class ImpactMonthlySchema(PeriodAnswerSchema):
    months = fields.List(fields.Nested(MonthFiguresSchema))


class NeedReasonSchema(Schema):
    code = fields.String(
        metadata={
            "description": "high_poverty, low_income, no_income, supported_without_sales, "
            "disadvantaged, lower_need"
        }
    )
    text = fields.String()


class RankedCommuneSchema(Schema):
    rank = fields.Integer()
    commune_code = fields.String()
    name = fields.String()
    disadvantaged = fields.Boolean()
    households = fields.Integer()
    poor = fields.Integer()
    near_poor = fields.Integer()
    poor_near_poor_share = fields.Float()
    platform_income_vnd = fields.Integer()
    income_per_household_vnd = fields.Integer()
    need_score = fields.Integer(metadata={"description": "0 to 100, higher is more in need"})
    supported_without_sales = fields.Integer(
        metadata={
            "description": "poor and near-poor households that received a loan or a variety "
            "(on or before the period end) but sold nothing through a cooperative in the period"
        }
    )
    reasons = fields.List(fields.Nested(NeedReasonSchema))


class NotReachedSchema(Schema):
    commune_code = fields.String(attribute="code")
    name = fields.String()
    disadvantaged = fields.Boolean()


class ImpactTargetingSchema(StandardAnswerSchema):
    scope_poor_near_poor_share = fields.Float()
    scope_income_per_household_vnd = fields.Integer()
    rows = fields.List(fields.Nested(RankedCommuneSchema))
    not_reached = fields.List(fields.Nested(NotReachedSchema))


class ReclassifySchema(Schema):
    official_status = fields.Enum(OfficialStatus, by_value=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=5, max=2000))
    effective_on = fields.Date()
    reviewed = JsonBoolean(
        load_default=False,
        metadata={
            "description": "the review is done: lift the household's review mark (kept while "
            "its ethnicity is not yet known)"
        },
    )


class StatusChangeAnswerSchema(Schema):
    household_id = fields.Integer()
    previous_status = fields.Enum(OfficialStatus, by_value=True, allow_none=True)
    official_status = fields.Function(lambda c: c.status.value)
    effective_on = fields.Date()
    reason = fields.String()
    recorded_at = fields.AwareDateTime()


class SupportRatesSchema(Schema):
    income_per_household_vnd = fields.Integer(
        allow_none=True,
        metadata={"description": "Platform income per household, rounded down (null: none)"},
    )
    exit_share = fields.Float(allow_none=True, metadata={"description": "0..1"})
    worsened_share = fields.Float(allow_none=True, metadata={"description": "0..1"})


class SupportComparisonSchema(SupportRatesSchema):
    households = fields.Integer()
    platform_income_vnd = fields.Integer()
    projected_exits = fields.Integer()
    worsened = fields.Integer()


class SupportLoansSchema(Schema):
    households = fields.Integer(
        metadata={"description": "Households with a policy loan for a purpose product"}
    )
    reached = fields.Integer(
        metadata={
            "description": "Of those, households whose income from the purpose product since "
            "the loan was disbursed (to the end of the period) reaches the loan amount"
        }
    )
    reached_share = fields.Float(allow_none=True, metadata={"description": "0..1"})
    no_purpose_sales = fields.Integer(
        metadata={
            "description": "Households with no income from the purpose product since the loan "
            "was disbursed: the ones a cooperative should reach first"
        }
    )


class SupportItemSchema(SupportRatesSchema):
    programme = fields.String()
    label = fields.String()
    households = fields.Integer()
    amount_vnd = fields.Integer()
    platform_income_vnd = fields.Integer()
    attributed_sales_vnd = fields.Integer()
    purpose_income_vnd = fields.Integer(
        metadata={
            "description": "Farmgate payments for the purpose product since each support was "
            "received (Vietnam time), to the end of the period"
        }
    )
    projected_exits = fields.Integer()
    worsened = fields.Integer()
    comparison = fields.Nested(
        SupportComparisonSchema,
        metadata={
            "description": "Households of the same communes with the same official status at "
            "the start of the period that had not received the programme by its end"
        },
    )
    difference = fields.Nested(
        SupportRatesSchema,
        metadata={"description": "Supported minus comparison, per household (null: no group)"},
    )
    loans = fields.Nested(
        SupportLoansSchema,
        allow_none=True,
        metadata={"description": "Policy loans only (null for other programmes)"},
    )


class ImpactSupportsSchema(StandardAnswerSchema):
    items = fields.List(fields.Nested(SupportItemSchema))
