"""An official's (or admin's) jurisdiction: its communes and cooperatives, and how it is
named on pages and in exported files."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from linkage.extensions import db
from models import Commune, Cooperative, Household, Membership, User

from .scope import Actor, jurisdiction_communes, of


def jurisdiction_label(actor: User) -> str:
    """'Whole province', or the list of the official's communes."""
    if of(actor).whole_province:
        return _("Phu Tho province (all communes)")
    names = sorted(commune.name for commune in actor.communes)
    if not names:
        return _("No commune assigned")
    return _("Communes: %(names)s", names=", ".join(names))


def communes_of(actor: Actor) -> list[Commune]:
    """The communes of the jurisdiction, by name."""
    statement = select(Commune).order_by(Commune.name, Commune.code)
    communes = jurisdiction_communes(actor)
    if communes is not None:
        statement = statement.where(Commune.code.in_(communes))
    return list(db.session.scalars(statement))


def cooperatives_of(actor: Actor) -> list[Cooperative]:
    """Cooperatives located in the jurisdiction or with members living in it, by name."""
    statement = select(Cooperative).order_by(Cooperative.name, Cooperative.id)
    communes = jurisdiction_communes(actor)
    if communes is not None:
        with_members = (
            select(Membership.cooperative_id)
            .join(Household, Household.id == Membership.household_id)
            .where(Household.commune_code.in_(communes))
        )
        statement = statement.where(
            or_(Cooperative.commune_code.in_(communes), Cooperative.id.in_(with_members))
        )
    return list(db.session.scalars(statement))
