"""Who may see which household: the one rule of DESIGN 4.4, as one scope object.

`of(actor)` reads the actor once and answers every question of scope: the whole province or a
set of communes (an official's jurisdiction), the cooperatives acted for (a manager's), and
whether households may be named. Managers see the households that belong to one of their
cooperatives, officials those of their communes (or all, province-wide), admins all; buyers
and the public none (the public's province scope, `PUBLIC`, counts every household in
aggregates and names none). Anything outside scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, event, false, or_, select, true

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import Cooperative, Household, Membership, Role, User


@dataclass(frozen=True)
class Scope:
    """What an actor may see, read once from the actor (frozen: nothing changes it later)."""

    actor_id: int | None  # None for the public
    role: Role | None  # None for the public
    communes: frozenset[str] | None  # the jurisdiction's commune codes; None: whole province
    cooperatives: frozenset[int] | None  # the cooperatives acted for; None: every one
    names_households: bool  # may a household be listed or shown by name

    @property
    def whole_province(self) -> bool:
        return self.communes is None

    @property
    def has_jurisdiction(self) -> bool:
        """Officials, admins and the public's province: the scope of impact figures."""
        return self.communes is None or self.role == Role.OFFICIAL

    def has_commune(self, commune_code: str) -> bool:
        """True when the jurisdiction holds the commune (never for a manager or buyer)."""
        return self.communes is None or commune_code in self.communes

    def households(self) -> ColumnElement[bool]:
        """A WHERE condition on Household: the households the scope covers (counted in
        figures; `named_households` for those that may be shown)."""
        if self.communes is None or self.cooperatives is None:
            return true()
        conditions: list[ColumnElement[bool]] = []
        if self.communes:
            conditions.append(Household.commune_code.in_(sorted(self.communes)))
        if self.cooperatives:
            members = select(Membership.household_id).where(
                Membership.cooperative_id.in_(sorted(self.cooperatives))
            )
            conditions.append(Household.id.in_(members))
        return or_(*conditions) if conditions else false()

    def named_households(self) -> ColumnElement[bool]:
        """A WHERE condition on Household: the households the actor may see by name."""
        return self.households() if self.names_households else false()


# The public's scope: every household of the province counts in its aggregates, none is named.
PUBLIC = Scope(actor_id=None, role=None, communes=None, cooperatives=None, names_households=False)

Actor = User | Scope  # a service given a scope already built (the public's) uses it as it is

_MEMO = "_linkage_scope"


def of(actor: Actor) -> Scope:
    """The actor's scope, built on first use and kept on the actor for the rest of the request
    (until the actor is expired, or its role, communes or cooperatives change)."""
    if isinstance(actor, Scope):
        return actor
    scope = actor.__dict__.get(_MEMO)
    if scope is None:
        scope = _read(actor)
        actor.__dict__[_MEMO] = scope
    return scope


def _read(actor: User) -> Scope:
    role = actor.role
    # the one place that says who sees the whole province
    whole_province = role == Role.ADMIN or (role == Role.OFFICIAL and actor.province_wide)
    if whole_province:
        communes = None
    elif role == Role.OFFICIAL:
        communes = frozenset(commune.code for commune in actor.communes)
    else:
        communes = frozenset()
    if role == Role.ADMIN:
        cooperatives = None
    elif role == Role.MANAGER:
        cooperatives = frozenset(cooperative.id for cooperative in actor.cooperatives)
    else:
        cooperatives = frozenset()
    return Scope(
        actor_id=actor.id,
        role=role,
        communes=communes,
        cooperatives=cooperatives,
        names_households=role in (Role.ADMIN, Role.MANAGER, Role.OFFICIAL),
    )


def _forget(user: User | None, *_args: Any) -> None:
    """A change to what the scope is read from (a cooperative's managers change the
    manager's cooperatives through the back reference), or an expired actor: read it again
    (None: the instance is already gone, and its scope with it)."""
    if user is not None:
        user.__dict__.pop(_MEMO, None)


for _attribute in (User.role, User.province_wide):
    event.listen(_attribute, "set", _forget)
for _collection in (User.communes, User.cooperatives):
    for _change in ("append", "remove", "bulk_replace"):
        event.listen(_collection, _change, _forget)
for _moment in ("expire", "refresh"):
    event.listen(User, _moment, _forget)


def household_scope(actor: Actor) -> ColumnElement[bool]:
    """A WHERE condition on Household limiting rows to those the actor may see."""
    return of(actor).named_households()


def jurisdiction_communes(actor: Actor) -> list[str] | None:
    """The codes of the communes of an official's jurisdiction; None when it is the whole
    province (a province-wide official, or an admin)."""
    communes = of(actor).communes
    return None if communes is None else sorted(communes)


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


def require_manager(
    actor: User, cooperative_id: int, *, message: str | None = None
) -> Cooperative | None:
    """The cooperative when the actor is an admin (None if no such cooperative) or one of its
    managers; NotFound otherwise (`message`, by default "Cooperative not found."): a record
    of a cooperative the actor does not manage is, for them, a record that does not exist."""
    if actor.role == Role.ADMIN:
        return db.session.get(Cooperative, cooperative_id)
    if actor.role == Role.MANAGER:
        for cooperative in actor.cooperatives:
            if cooperative.id == cooperative_id:
                return cooperative
    raise NotFound(message or _("Cooperative not found."))


def commune_in_scope(actor: User, commune_code: str) -> bool:
    """True when an official's (or admin's) jurisdiction holds the commune."""
    return of(actor).has_commune(commune_code)
