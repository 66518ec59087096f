"""Reading member households: the cooperative a user may list them for, the filtered list,
counts by status, one household, and officials' reads kept in the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from linkage.services import audit
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.errors import NotFound
from linkage.services.scope import household_scope
from linkage.services.search import contains_folded
from models import (
    AuditAction,
    Commune,
    Cooperative,
    Household,
    Membership,
    OfficialStatus,
    Role,
    User,
)

from .values import NOT_YET_KNOWN

# Eager loads for lists and records: no query per household.
LOAD_OPTIONS = (
    joinedload(Household.ethnic_group),
    joinedload(Household.commune),
    selectinload(Household.memberships),
)


def get_cooperative_for_households(actor: User, cooperative_id: int) -> Cooperative:
    """A cooperative whose households the actor may list: managers of it, officials, admins."""
    if actor.role == Role.OFFICIAL:
        cooperative = db.session.get(Cooperative, cooperative_id)
        if cooperative is None:
            raise NotFound(_("Cooperative not found."))
        return cooperative
    return get_cooperative_for(actor, cooperative_id)


def _members_of(cooperative_id: int) -> Any:
    return Household.id.in_(
        select(Membership.household_id).where(Membership.cooperative_id == cooperative_id)
    )


def households_query(
    actor: User,
    cooperative: Cooperative,
    *,
    q: str | None = None,
    status: OfficialStatus | str | None = None,
    commune_code: str | None = None,
    needs_review: bool | None = None,
) -> Select:
    """The cooperative's member households in the actor's scope, by code, filtered."""
    statement = (
        select(Household)
        .where(_members_of(cooperative.id), household_scope(actor))
        .order_by(Household.code, Household.id)
    )
    if (matches := contains_folded(q or "", Household.code, Household.head_name)) is not None:
        # code or head name, ignoring case and diacritics: "lien" finds "Dương Thị Liên"
        statement = statement.where(matches)
    if status == NOT_YET_KNOWN:
        statement = statement.where(Household.official_status.is_(None))
    elif status:
        statement = statement.where(Household.official_status == OfficialStatus(status))
    if commune_code:
        statement = statement.where(Household.commune_code == commune_code)
    if needs_review is not None:
        statement = statement.where(Household.needs_review.is_(needs_review))
    return statement


def household_counts(actor: User, cooperative: Cooperative) -> dict[str, int]:
    """Members by official status (and not yet known), those to re-check, and the total."""
    rows = db.session.execute(
        select(
            Household.official_status,
            func.count(Household.id),
            func.sum(case((Household.needs_review.is_(True), 1), else_=0)),
        )
        .where(_members_of(cooperative.id), household_scope(actor))
        .group_by(Household.official_status)
    ).all()
    counts = {status.value: 0 for status in OfficialStatus}
    counts[NOT_YET_KNOWN] = counts["needs_review"] = 0
    for status, count, review in rows:
        counts[NOT_YET_KNOWN if status is None else OfficialStatus(status).value] = count
        counts["needs_review"] += review or 0
    counts["total"] = sum(counts[status.value] for status in OfficialStatus) + counts[NOT_YET_KNOWN]
    return counts


def member_communes(actor: User, cooperative: Cooperative) -> list[Commune]:
    """The communes where the cooperative's members (in the actor's scope) live."""
    codes = select(Household.commune_code).where(
        _members_of(cooperative.id), household_scope(actor)
    )
    return list(
        db.session.scalars(select(Commune).where(Commune.code.in_(codes)).order_by(Commune.name))
    )


def get_member_household(actor: User, cooperative: Cooperative, household_id: int) -> Household:
    """A household that belongs to this cooperative and that the actor may see; else 404."""
    household = db.session.scalars(
        select(Household)
        .where(Household.id == household_id, _members_of(cooperative.id), household_scope(actor))
        .options(*LOAD_OPTIONS)
    ).first()
    if household is None:
        raise NotFound(_("Household not found."))
    return household


def visible_cooperative_ids(actor: User, household: Household) -> list[int]:
    """The cooperatives of the household that the actor may know about (managers: theirs)."""
    ids = {m.cooperative_id for m in household.memberships}
    if actor.role == Role.MANAGER:
        ids &= {c.id for c in actor.cooperatives}
    return sorted(ids)


def record_read(actor: User, entity_type: str, entity_id: Any, filters: Mapping[str, Any]) -> bool:
    """Officials' reads of household-level data go to the audit log; True if recorded."""
    if actor.role != Role.OFFICIAL:
        return False
    audit.record(
        actor,
        AuditAction.READ,
        entity_type,
        entity_id,
        new={k: v for k, v in filters.items() if v is not None},
    )
    return True
