"""Who may see which household: the one rule of DESIGN 4.4, as SQL conditions.

Managers see the households that belong to one of their cooperatives, officials those of
their communes (or all, province-wide), admins all; buyers and the public none.
Anything outside scope answers 404.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, false, select, true

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import Household, Membership, Role, User, official_communes


def household_scope(actor: User) -> ColumnElement[bool]:
    """A WHERE condition on Household limiting rows to those the actor may see."""
    if actor.role == Role.ADMIN:
        return true()
    if actor.role == Role.MANAGER:
        cooperative_ids = [c.id for c in actor.cooperatives]
        return Household.id.in_(
            select(Membership.household_id).where(Membership.cooperative_id.in_(cooperative_ids))
        )
    if actor.role == Role.OFFICIAL:
        communes = jurisdiction_communes(actor)
        return true() if communes is None else Household.commune_code.in_(communes)
    return false()


def jurisdiction_communes(actor: User) -> Select | None:
    """The codes of the communes of an official's jurisdiction, as a subquery; None when it is
    the whole province (a province-wide official, or an admin)."""
    if actor.role == Role.ADMIN or (actor.role == Role.OFFICIAL and actor.province_wide):
        return None
    return select(official_communes.c.commune_code).where(official_communes.c.user_id == actor.id)


def get_household_for(actor: User, household_id: int) -> Household:
    """The household if the actor may see it; 404 otherwise."""
    household = db.session.scalars(
        select(Household).where(Household.id == household_id, household_scope(actor))
    ).first()
    if household is None:
        raise NotFound(_("Household not found."))
    return household


def manages(actor: User, cooperative_id: int) -> bool:
    """True when the actor is an admin or a manager of this cooperative."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and any(c.id == cooperative_id for c in actor.cooperatives)


def require_manager(actor: User, cooperative_id: int) -> None:
    """Go on only for an admin or a manager of this cooperative; anyone else gets 404."""
    if not manages(actor, cooperative_id):
        raise NotFound(_("Cooperative not found."))


def commune_in_scope(actor: User, commune_code: str) -> bool:
    """True when an official's (or admin's) jurisdiction holds the commune."""
    if actor.role == Role.ADMIN or (actor.role == Role.OFFICIAL and actor.province_wide):
        return True
    return actor.role == Role.OFFICIAL and any(c.code == commune_code for c in actor.communes)
