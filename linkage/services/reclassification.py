"""Official re-classification of a household's poverty status (officials in scope, admins)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound
from models import AuditAction, Household, OfficialStatus, OfficialStatusChange, Role, User

from . import audit
from .periods import current_day
from .scope import commune_in_scope

MIN_REASON = 5


def record_change(
    actor: User,
    household: Household,
    status: OfficialStatus,
    reason: str | None,
    effective_on: date | None = None,
    date_field: str = "effective_on",
) -> OfficialStatusChange:
    """The one rule of a re-classification, for officials and for the admin's PATCH: a reason
    of at least 5 characters, a date not in the future (today by default), the history row,
    and the household's new status (not audited here: the caller audits what it changed)."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise Invalid(
            _("Give the reason for the re-classification (at least 5 characters)."),
            field="reason",
        )
    day = effective_on or current_day()
    if day > current_day():
        # a rule about the present, which no document can express: 409
        raise Conflict(_("The date cannot be in the future."), field=date_field)
    change = OfficialStatusChange(
        household_id=household.id,
        previous_status=household.official_status,
        status=status,
        effective_on=day,
        reason=reason,
        recorded_by_id=actor.id,
    )
    db.session.add(change)
    household.official_status = status
    household.official_status_on = day
    return change


def reclassify(
    actor: User,
    household: Household,
    status: OfficialStatus,
    reason: str,
    effective_on: date | None = None,
    *,
    reviewed: bool = False,
) -> OfficialStatusChange:
    """Record a new official status with its reason; the history is kept and audited.

    A household whose status was not yet known needed review; once its status is recorded,
    and its ethnicity is known too, it no longer does. Another reason for review (a boundary
    change) stays until the official says the review is done (`reviewed`, the review
    queue's box), and then only if the ethnicity is known too.
    """
    if actor.role not in (Role.OFFICIAL, Role.ADMIN) or not commune_in_scope(
        actor, household.commune_code
    ):
        raise NotFound(_("Household not found."))
    old = {
        "official_status": household.official_status,
        "official_status_on": household.official_status_on,
    }
    change = record_change(actor, household, status, reason, effective_on)
    new = {"official_status": status, "official_status_on": change.effective_on}
    settled = old["official_status"] is None or (reviewed and household.needs_review)
    if settled and household.ethnic_group_code is not None:
        old["needs_review"], new["needs_review"] = household.needs_review, False
        household.needs_review = False
    db.session.flush()
    audit.record(
        actor,
        AuditAction.UPDATE,
        "household",
        household.id,
        old=old,
        new=new,
        reason=change.reason,
    )
    return change
