"""Writing member households: register one, edit it (its official status included), add it
to another cooperative; every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from linkage.extensions import db
from linkage.services import audit
from linkage.services.errors import Conflict, Invalid, NotFound
from linkage.services.scope import household_scope, require_manager
from models import AuditAction, Cooperative, Household, Membership, Role, User, utcnow

from .queries import visible_cooperative_ids
from .status import set_status, status_date
from .values import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    clean_values,
    load_reference,
    past_date,
    unknown_facts,
)

EDITABLE = (
    "code",
    "head_name",
    "commune_code",
    "members",
    "ethnicity",
    "deprivations",
    "baseline_income_vnd",
    "meritorious",
    "needs_review",
)
AUDITED_FIELDS = (
    "code",
    "head_name",
    "commune_code",
    "members",
    "ethnic_group_code",
    "official_status",
    "official_status_on",
    "deprivations",
    "baseline_income_vnd",
    "meritorious",
    "needs_review",
)


def create_household(actor: User, cooperative: Cooperative, data: Mapping[str, Any]) -> Household:
    """Register a household as a member of the cooperative, with its consent; audited."""
    require_manager(actor, cooperative.id)
    clean, errors = clean_values(data, (*COLUMNS, *OPTIONAL_COLUMNS), load_reference())
    _raise_first(errors)
    clean.pop("consent")
    _check_code_free(clean["code"])
    household = Household(
        **clean,
        official_status_on=status_date(clean["official_status"], data.get("official_status_on")),
        consent_at=utcnow(),
        consent_by_id=actor.id,
    )
    if unknown_facts(household):
        household.needs_review = True
    joined_on = past_date(data.get("joined_on"), "joined_on")
    db.session.add(household)
    _flush_unique_code()
    audit.record(
        actor,
        AuditAction.CREATE,
        "household",
        household.id,
        new=audit.snapshot(household, AUDITED_FIELDS),
    )
    _join(actor, household, cooperative, joined_on)
    return household


def update_household(actor: User, household: Household, data: Mapping[str, Any]) -> Household:
    """Edit a household's record; only changed fields are audited (old and new).

    The official status is an official re-classification: managers cannot change it here,
    but they may set it while it is not yet known; an admin can change it, with a reason.
    Either way the change is kept in the status history.

    A household with a fact not yet known (official status, ethnicity) needs review; when
    the last one is set, the mark is lifted unless `needs_review` is also given as true
    (the form's box: another reason, such as a boundary change).
    """
    if not _may_edit(actor, household):
        raise NotFound(_("Household not found."))
    changes_status = "official_status" in data or "official_status_on" in data
    if changes_status and actor.role != Role.ADMIN and household.official_status is not None:
        # the household's record decides (its status is already known): 409
        raise Conflict(
            _("The official status changes only by an official re-classification."),
            field="official_status",
        )
    names = [name for name in EDITABLE if name in data]
    if "official_status" in data:
        names.append("official_status")
    clean, errors = clean_values(data, names, load_reference())
    _raise_first(errors)
    if "code" in clean:
        _check_code_free(clean["code"], other_than=household.id)
    reason = (data.get("reason") or "").strip() or None
    before = audit.snapshot(household, AUDITED_FIELDS)
    unknown_before = unknown_facts(household)
    new_status = clean.pop("official_status", household.official_status)
    set_status(actor, household, new_status, data, reason)
    for column, value in clean.items():
        setattr(household, column, value)
    if unknown_facts(household):
        household.needs_review = True
    elif unknown_before and not clean.get("needs_review"):
        household.needs_review = False
    _flush_unique_code()
    after = audit.snapshot(household, AUDITED_FIELDS)
    audit.record_update(actor, "household", household.id, before, after, reason=reason)
    return household


def add_membership(
    actor: User, household_id: int, cooperative: Cooperative, joined_on: date | None = None
) -> Membership:
    """Add an existing household to another cooperative; audited.

    Only an admin, or a manager of both a cooperative the household already belongs to and
    the new one, may do it: anyone else would learn of a household outside their scope (404).
    """
    require_manager(actor, cooperative.id)
    household = db.session.scalars(
        select(Household).where(Household.id == household_id, household_scope(actor))
    ).first()
    if household is None:
        raise NotFound(_("Household not found."), field="household_id")
    if any(m.cooperative_id == cooperative.id for m in household.memberships):
        raise Conflict(
            _("This household is already a member of the cooperative."), field="household_id"
        )
    return _join(actor, household, cooperative, past_date(joined_on, "joined_on"))


def _join(
    actor: User, household: Household, cooperative: Cooperative, joined_on: date
) -> Membership:
    membership = Membership(household=household, cooperative_id=cooperative.id, joined_on=joined_on)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CREATE,
        "membership",
        membership.id,
        new={
            "household_id": household.id,
            "cooperative_id": cooperative.id,
            "joined_on": joined_on,
        },
    )
    return membership


def _may_edit(actor: User, household: Household) -> bool:
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and bool(visible_cooperative_ids(actor, household))


def _check_code_free(code: str, *, other_than: int | None = None) -> None:
    """409 when another household has the code."""
    statement = select(Household.id).where(Household.code == code)
    if other_than is not None:
        statement = statement.where(Household.id != other_than)
    if db.session.scalars(statement).first() is not None:
        raise _code_taken()


def _flush_unique_code() -> None:
    """Flush; a concurrent insert of the same code becomes the same 409 as the check."""
    try:
        db.session.flush()
    except IntegrityError:  # the caller's error handling rolls the session back
        raise _code_taken() from None


def _code_taken() -> Conflict:
    return Conflict(_("This code is already used by another household."), field="code")


def _raise_first(errors: list[tuple[str, str]]) -> None:
    if errors:
        field, message = errors[0]
        raise Invalid(message, field=field)
