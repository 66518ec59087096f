"""Cooperatives: registration, approval and suspension, public listing."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound, UnknownReference
from models import (
    AuditAction,
    Commune,
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Role,
    User,
    utcnow,
)

from . import audit

AUDITED_FIELDS = ("name", "registration_no", "commune_code", "description", "status")


def public_cooperatives_query(*, region: str | None = None) -> Select:
    """Approved cooperatives, the only ones buyers and the public see."""
    statement = (
        db.select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Cooperative.name, Cooperative.id)
    )
    if region:
        statement = statement.join(Cooperative.commune).where(Commune.region == region)
    return statement


def get_public_cooperative(cooperative_id: int) -> Cooperative:
    """An approved cooperative with its commune and certifications; 404 otherwise."""
    cooperative = db.session.scalars(
        select(Cooperative)
        .where(Cooperative.id == cooperative_id, Cooperative.status == CooperativeStatus.APPROVED)
        .options(selectinload(Cooperative.commune), selectinload(Cooperative.certifications))
    ).first()
    if cooperative is None:
        raise NotFound(_("Cooperative not found."))
    return cooperative


def get_cooperative_for(actor: User, cooperative_id: int) -> Cooperative:
    """A cooperative the actor may manage (its managers, admins); others get 404."""
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("Cooperative not found."))
    if actor.role == Role.ADMIN:
        return cooperative
    if actor.role == Role.MANAGER and any(c.id == cooperative.id for c in actor.cooperatives):
        return cooperative
    raise NotFound(_("Cooperative not found."))


def suspension_preview(actor: User, cooperative_id: int) -> tuple[Cooperative, int]:
    """The cooperative an admin is about to suspend and how many of its listings buyers see
    now (those a suspension hides); 404 for anyone else."""
    if actor.role != Role.ADMIN:
        raise NotFound(_("Cooperative not found."))
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("Cooperative not found."))
    on_sale = db.session.scalar(
        select(func.count(Listing.id)).where(
            Listing.cooperative_id == cooperative.id,
            Listing.status.in_((ListingStatus.ACTIVE, ListingStatus.SOLD_OUT)),
        )
    )
    return cooperative, int(on_sale or 0)


def register_cooperative(
    actor: User,
    *,
    name: str,
    registration_no: str,
    commune_code: str,
    description: str = "",
    address: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    contact_email: str | None = None,
) -> Cooperative:
    """A new cooperative: approved at once when an admin creates it, else pending review."""
    name = name.strip()
    registration_no = registration_no.strip()
    if not name:
        raise Invalid(_("Enter the cooperative's name."), field="name")
    if not registration_no:
        raise Invalid(_("Enter the registration number."), field="registration_no")
    if db.session.get(Commune, commune_code) is None:
        raise UnknownReference(_("Unknown commune code."), field="commune_code")
    duplicate = db.session.scalars(
        db.select(Cooperative.id).where(Cooperative.registration_no == registration_no)
    ).first()
    if duplicate is not None:
        raise Conflict(
            _("A cooperative with this registration number already exists."),
            field="registration_no",
        )
    approved = actor.role == Role.ADMIN
    cooperative = Cooperative(
        name=name,
        registration_no=registration_no,
        commune_code=commune_code,
        description=description.strip(),
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        status=CooperativeStatus.APPROVED if approved else CooperativeStatus.PENDING,
        status_changed_at=utcnow() if approved else None,
        created_by_id=actor.id,
    )
    if actor.role == Role.MANAGER:
        cooperative.managers.append(actor)
    db.session.add(cooperative)
    audit.record_created(actor, "cooperative", cooperative, AUDITED_FIELDS)
    return cooperative


def set_cooperative_status(
    actor: User, cooperative_id: int, status: CooperativeStatus, reason: str | None = None
) -> Cooperative:
    """Approve or suspend a cooperative (admins only); audited."""
    if actor.role != Role.ADMIN:
        raise NotFound(_("Cooperative not found."))
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("Cooperative not found."))
    if cooperative.status == status:
        return cooperative
    old = cooperative.status
    cooperative.status = status
    cooperative.status_changed_at = utcnow()
    audit.record(
        actor,
        AuditAction.UPDATE,
        "cooperative",
        cooperative.id,
        old={"status": old},
        new={"status": status},
        reason=reason,
    )
    return cooperative
