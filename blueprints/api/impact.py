"""Income impact: household projections and grouped figures, within the caller's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from linkage.extensions import db
from linkage.schemas.impact import (
    ImpactFilterArgs,
    ImpactHouseholdArgs,
    ImpactHouseholdPageSchema,
    ImpactMonthlySchema,
    ImpactSummaryArgs,
    ImpactSummarySchema,
    ImpactSupportsSchema,
    ImpactTargetingSchema,
    ReclassifySchema,
    StatusChangeAnswerSchema,
    filters_of,
)
from linkage.services import audit
from linkage.services.impact import (
    Summary,
    SupportReport,
    Targeting,
    households_page,
    monthly,
    rank_communes,
    summarise,
    support_report,
)
from linkage.services.reclassification import reclassify
from linkage.services.scope import get_household_for
from models import AuditAction, OfficialStatusChange, Role

from .common import api_allow, operation, refuses

SUPPORTS_DESCRIPTION = (
    "Who may call: admin, official.\n\n"
    "For each support programme: the households in scope that received it (not void, on or "
    "before the end of the period; a household with several programmes is in each item), the "
    "value of their supports, their platform income and attributed sales in the period, their "
    "income from the purpose product since the support was received (to the end of the "
    "period), projected exits and households that worsened. Beside them, `comparison`: the "
    "households of the same communes with the same official status at the start of the period "
    "that had not received the programme; `difference`: supported minus comparison, per "
    "household. For policy loans, `loans`: the households whose purpose income since "
    "disbursement reaches the loan amount, and those with none. Households whose official "
    "status is not yet known are left out.\n\n"
    "Descriptive figures: a difference between the groups is not evidence of its cause."
)

F = TypeVar("F", bound=Callable[..., Any])

blp = Blueprint("api_impact", __name__, url_prefix="/api/v1", description="Income impact")


def impact_read(arguments: type, answer: type, **doc: Any) -> Callable[[F], F]:
    """An impact figure: officials and admins, the filters in the query (a place outside the
    caller's jurisdiction answers 404), one answer schema."""

    read = operation(
        blp,
        (Role.OFFICIAL, Role.ADMIN),
        body=arguments,
        location="query",
        answer=answer,
        refused=(404, 409),
    )

    def decorate(view: F) -> F:
        return read(blp.doc(**doc)(view) if doc else view)

    return decorate


@blp.route("/impact/households")
class ImpactHouseholds(MethodView):
    @impact_read(ImpactHouseholdArgs, ImpactHouseholdPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Each household in scope: incomes, projected status and transition (audited read)."""
        period = args["period"]
        filters = filters_of(args)
        standard, items, total = households_page(
            current_user, period, filters, args["page"], args["per_page"], args["sort"]
        )
        audit.record(
            current_user,
            AuditAction.READ,
            "impact_households",
            None,
            new={
                "period": str(period),
                **filters.as_dict(),
                "page": args["page"],
                "rows": len(items),
            },
        )
        db.session.commit()
        return {
            "period": period,
            "standard": standard,
            "items": items,
            "page": args["page"],
            "per_page": args["per_page"],
            "total": total,
        }


@blp.route("/impact/summary")
class ImpactSummary(MethodView):
    @impact_read(ImpactSummaryArgs, ImpactSummarySchema)
    def get(self, args: dict[str, Any]) -> Summary:
        """Figures by group with totals, for the period and the caller's jurisdiction.

        `sales_vnd` is the value of paid orders in the period: of the cooperatives located in a
        commune, region or former province, of a cooperative, or of a product; for groups of
        households (ethnicity, official status, support programme) it is the attributed
        sales value. By support programme, a household with several programmes counts in each.
        """
        return summarise(current_user, args["period"], args["group_by"], filters_of(args))


@blp.route("/impact/supports")
class ImpactSupports(MethodView):
    @impact_read(ImpactFilterArgs, ImpactSupportsSchema, description=SUPPORTS_DESCRIPTION)
    def get(self, args: dict[str, Any]) -> SupportReport:
        """Support and income by programme, beside a comparison group."""
        return support_report(current_user, args["period"], filters_of(args))


@blp.route("/impact/monthly")
class ImpactMonthly(MethodView):
    @impact_read(ImpactFilterArgs, ImpactMonthlySchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Sales, payments to households and attributed sales, month by month (Vietnam time)."""
        period = args["period"]
        return {"period": period, "months": monthly(current_user, period, filters_of(args))}


@blp.route("/impact/targeting")
class ImpactTargeting(MethodView):
    @impact_read(ImpactFilterArgs, ImpactTargetingSchema)
    def get(self, args: dict[str, Any]) -> Targeting:
        """Communes ranked by need (poverty share, linkage income per household, disadvantaged
        flag), each with its reasons; and the communes in scope no household is linked in."""
        return rank_communes(current_user, args["period"], filters_of(args))


@blp.route("/households/<id:household_id>/reclassify")
class Reclassify(MethodView):
    @api_allow(Role.OFFICIAL, Role.ADMIN)
    @refuses(404, 409)
    @blp.arguments(ReclassifySchema)
    @blp.response(200, StatusChangeAnswerSchema)
    def post(self, data: dict[str, Any], household_id: int) -> OfficialStatusChange:
        """Record a new official status with a reason (audited; the history is kept)."""
        household = get_household_for(current_user, household_id)
        change = reclassify(
            current_user,
            household,
            data["official_status"],
            data["reason"],
            data.get("effective_on"),
            reviewed=data["reviewed"],
        )
        db.session.commit()
        return change
