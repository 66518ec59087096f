"""The officials' review queue: the households of their jurisdiction that need re-checking,
each with the reasons why, so that an official can settle them one after the other.

Each reason is either stored or computed, and says which:
- `boundary_change` (stored): the household's `needs_review` mark, set when its records came
  across the 2025 administrative boundary change (an import's column, the manager's form). The
  mark also goes with a fact not yet known; a household whose facts are all known and that
  still carries it is listed for the boundary change. It is lifted when an official records
  its status with "review done" (`reclassify(..., reviewed=True)`).
- `status_not_yet_known` (computed): no official status is recorded. Recording one settles it.
- `ethnicity_not_yet_known` (computed): the ethnicity is not recorded; the cooperative's
  manager records it on the household's record.
- `projection_disagrees` (computed): the projected status differs from the official status
  both in the period shown (by default the 12 months ending with the current month) and in
  the period of the same length just before it, each projected against the standard in
  force at its end. It is read from the payments each time the queue is shown, never stored,
  so it follows corrections and voids; a re-classification to the projected status settles it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, false, func, null, or_, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.labels import register
from linkage.services import audit
from linkage.services.errors import Conflict
from linkage.services.impact.filters import ImpactFilters, checked_scope
from linkage.services.impact.poverty import Transition
from linkage.services.impact.projection import projection_query, standard_for
from linkage.services.paging import Page
from linkage.services.periods import Period
from linkage.services.scope import Actor, Scope
from models import AuditAction, Household, OfficialStatus


class ReviewReason(enum.StrEnum):
    BOUNDARY_CHANGE = "boundary_change"
    STATUS_NOT_YET_KNOWN = "status_not_yet_known"
    ETHNICITY_NOT_YET_KNOWN = "ethnicity_not_yet_known"
    PROJECTION_DISAGREES = "projection_disagrees"


REASON_LABELS = {
    ReviewReason.BOUNDARY_CHANGE: _l("Records came across the 2025 boundary change"),
    ReviewReason.STATUS_NOT_YET_KNOWN: _l("Official status not yet known"),
    ReviewReason.ETHNICITY_NOT_YET_KNOWN: _l("Ethnicity not yet known"),
    ReviewReason.PROJECTION_DISAGREES: _l(
        "Projection differs from the official status for two periods in a row"
    ),
}
register(ReviewReason, REASON_LABELS)


@dataclass(frozen=True)
class ReviewItem:
    household: Household
    reasons: list[ReviewReason]
    projected_status: OfficialStatus | None  # in the period shown, when it disagrees
    previous_projected_status: OfficialStatus | None  # in the period before


def previous_period(period: Period) -> Period:
    """The period of the same length that ends the month before `period` starts."""
    return Period(period.start.minus(period.months), period.start.minus(1))


def _disagreeing(scope: Scope, period: Period, filters: ImpactFilters) -> Any:
    """Households whose projection differs from their official status in the period and in
    the one before (a subquery: household_id, projected_status, previous_projected_status);
    None when no poverty standard is in force at the end of one of them."""
    before = previous_period(period)
    try:
        standards = standard_for(period), standard_for(before)
    except Conflict:
        return None
    now = projection_query(scope, period, standards[0], filters).subquery("now")
    then = projection_query(scope, before, standards[1], filters).subquery("then")
    unchanged = Transition.UNCHANGED.value
    return (
        select(
            now.c.household_id,
            now.c.projected_status,
            then.c.projected_status.label("previous_projected_status"),
        )
        .join(then, then.c.household_id == now.c.household_id)
        .where(now.c.transition != unchanged, then.c.transition != unchanged)
        .subquery("disagreeing")
    )


def _conditions(disagreeing: Any) -> dict[ReviewReason, ColumnElement[bool]]:
    known = and_(Household.official_status.is_not(None), Household.ethnic_group_code.is_not(None))
    return {
        ReviewReason.BOUNDARY_CHANGE: and_(Household.needs_review.is_(True), known),
        ReviewReason.STATUS_NOT_YET_KNOWN: Household.official_status.is_(None),
        ReviewReason.ETHNICITY_NOT_YET_KNOWN: Household.ethnic_group_code.is_(None),
        ReviewReason.PROJECTION_DISAGREES: (
            false() if disagreeing is None else disagreeing.c.household_id.is_not(None)
        ),
    }


def _reasons(household: Household, disagrees: bool) -> list[ReviewReason]:
    """The reasons of one listed household, by the same rules as the query's conditions."""
    status_known = household.official_status is not None
    ethnicity_known = household.ethnic_group_code is not None
    found = {
        ReviewReason.BOUNDARY_CHANGE: household.needs_review and status_known and ethnicity_known,
        ReviewReason.STATUS_NOT_YET_KNOWN: not status_known,
        ReviewReason.ETHNICITY_NOT_YET_KNOWN: not ethnicity_known,
        ReviewReason.PROJECTION_DISAGREES: disagrees,
    }
    return [reason for reason in ReviewReason if found[reason]]


def review_query(
    actor: Actor,
    period: Period,
    commune: str | None = None,
    reason: ReviewReason | None = None,
) -> Select:
    """The queue as one SELECT (Household, projected_status, previous_projected_status,
    disagrees), by commune then code. A commune outside the jurisdiction answers 404, and so
    does an actor without one (managers, buyers)."""
    filters = ImpactFilters(commune=commune)
    scope = checked_scope(actor, filters)
    disagreeing = _disagreeing(scope, period, filters)
    conditions = _conditions(disagreeing)
    wanted = [conditions[reason]] if reason is not None else list(conditions.values())
    if disagreeing is None:
        statement = select(Household, null(), null(), false())
    else:
        statement = select(
            Household,
            disagreeing.c.projected_status,
            disagreeing.c.previous_projected_status,
            disagreeing.c.household_id.is_not(None),
        ).outerjoin(disagreeing, disagreeing.c.household_id == Household.id)
    statement = statement.where(scope.named_households(), or_(*wanted))
    if commune is not None:
        statement = statement.where(Household.commune_code == commune)
    return statement.order_by(Household.commune_code, Household.code)


def review_page(
    actor: Actor,
    period: Period,
    page: int,
    per_page: int,
    commune: str | None = None,
    reason: ReviewReason | None = None,
) -> Page[ReviewItem]:
    """One page of the queue (a count and one page of rows, the communes loaded with it)."""
    statement = review_query(actor, period, commune, reason)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.execute(
        statement.options(joinedload(Household.commune))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        ReviewItem(
            household=household,
            reasons=_reasons(household, bool(disagrees)),
            projected_status=_status(projected),
            previous_projected_status=_status(previous),
        )
        for household, projected, previous, disagrees in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def record_queue_read(
    actor: Actor,
    period: Period,
    queue: Page[ReviewItem],
    commune: str | None,
    reason: ReviewReason | None,
) -> None:
    """Audit one page of the queue as a read of household-level data (page and API alike)."""
    new = {
        "period": str(period),
        "commune": commune,
        "reason": reason and reason.value,
        "page": queue.page,
        "rows": len(queue.items),
    }
    audit.record(actor, AuditAction.READ, "review_queue", None, new=new)


def _status(value: Any) -> OfficialStatus | None:
    return None if value is None else OfficialStatus(value)
