"""How an official's (or admin's) jurisdiction is named on pages and in exported files."""

from __future__ import annotations

from flask_babel import gettext as _

from models import Role, User


def jurisdiction_label(actor: User) -> str:
    """'Whole province', or the list of the official's communes."""
    if actor.role == Role.ADMIN or (actor.role == Role.OFFICIAL and actor.province_wide):
        return _("Phu Tho province (all communes)")
    names = sorted(commune.name for commune in actor.communes)
    if not names:
        return _("No commune assigned")
    return _("Communes: %(names)s", names=", ".join(names))
