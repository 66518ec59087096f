"""Which lot each audience may trace, and the audit of what managers read.

Anyone traces an approved cooperative's lot; the lot of a cooperative that is not approved
only its managers and admins. Whoever manages the lot's cooperative sees its households, so
those reads are audited. Anything else answers 404.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from models import AuditAction, Cooperative, CooperativeStatus, Lot, User
from models.types import MAX_ID

from .. import audit
from ..errors import NotFound
from ..scope import manages


def _find_lot(condition: ColumnElement[bool]) -> Lot | None:
    return db.session.scalars(
        select(Lot)
        .where(condition)
        .options(
            joinedload(Lot.product), joinedload(Lot.cooperative).joinedload(Cooperative.commune)
        )
    ).first()


def _lot_by_id(lot_id: int) -> Lot:
    """The lot with this id, whoever asks; else 404."""
    lot = _find_lot(Lot.id == lot_id) if 0 < lot_id <= MAX_ID else None
    if lot is None:
        raise _not_found()
    return lot


def _not_found() -> NotFound:
    return NotFound(_("Lot not found."))


def _approved(lot: Lot) -> Lot:
    """The lot, if its cooperative is approved (shown to anyone); else 404."""
    if lot.cooperative.status != CooperativeStatus.APPROVED:
        raise _not_found()
    return lot


def _managing(actor: User | None, lot: Lot) -> bool:
    return bool(actor and actor.is_authenticated and manages(actor, lot.cooperative_id))


def get_public_lot(code: str) -> Lot:
    """A lot by code if its cooperative is approved (public trace page); else 404."""
    lot = _find_lot(Lot.code == code.strip()) if code.strip() else None
    if lot is None:
        raise _not_found()
    return _approved(lot)


def get_exportable_lot(actor: User | None, lot_id: int) -> tuple[Lot, bool]:
    """A lot of an approved cooperative by id (EPCIS export), and whether the actor manages
    it (its managers and admins get the export with per-lot household pseudonyms); else 404."""
    lot = _approved(_lot_by_id(lot_id))
    return lot, _managing(actor, lot)


def get_traceable_lot(actor: User | None, lot_id: int) -> tuple[Lot, bool]:
    """The lot, and whether the actor sees its households (its managers and admins do).

    Anyone traces an approved cooperative's lot; the lot of a cooperative that is not approved
    only its managers and admins; others get 404.
    """
    lot = _lot_by_id(lot_id)
    managing = _managing(actor, lot)
    return (lot if managing else _approved(lot)), managing


def get_managed_lot(actor: User, cooperative_id: int, lot_id: int) -> Lot:
    """A lot of this cooperative, for its managers and admins; else 404."""
    lot = _lot_by_id(lot_id)
    if lot.cooperative_id != cooperative_id or not manages(actor, cooperative_id):
        raise _not_found()
    return lot


def get_managed_export(actor: User, cooperative_id: int, lot_id: int) -> Lot:
    """A lot of this cooperative for its managers' EPCIS export: exported, like the public
    one, only once the cooperative is approved; else 404."""
    return _approved(get_managed_lot(actor, cooperative_id, lot_id))


def record_trace_read(actor: User, lot: Lot) -> None:
    """A trace that names households is household-level data: its reads are audited."""
    audit.record(actor, AuditAction.READ, "lot", lot.id, new={"view": "trace"})


def record_epcis_export(actor: User, lot: Lot) -> None:
    """The managers' EPCIS export tells deliveries household by household: audited."""
    audit.record(actor, AuditAction.EXPORT, "lot", lot.id, new={"view": "epcis"})
