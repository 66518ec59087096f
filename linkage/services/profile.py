"""A cooperative's own profile: description, address, contact and certifications."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from linkage.extensions import db
from linkage.services.errors import Invalid, NotFound
from models import AuditAction, Certification, CertificationKind, Cooperative, Product, User

from . import audit
from .accounts import EMAIL_RE
from .scope import manages, require_manager

PROFILE_FIELDS = ("description", "address", "contact_name", "contact_phone", "contact_email")
CERTIFICATION_FIELDS = ("kind", "number", "issuer", "product_id", "valid_from", "valid_to")
# Loose on purpose: mobiles (10 digits), landlines with area code (11), +84 or 0 prefix.
PHONE_RE = re.compile(r"^(?:\+84|0)\d{8,10}$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
LIMITS = {
    "description": 5000,
    "address": 300,
    "contact_name": 120,
    "contact_phone": 20,
    "contact_email": 254,
    "number": 60,
    "issuer": 200,
}


def is_phone(text: str) -> bool:
    """A Vietnamese phone number, loosely: 0912 345 678, 0218.3800.111, +84 912 345 678."""
    return bool(PHONE_RE.match(PHONE_SEPARATORS.sub("", text)))


def is_email(text: str) -> bool:
    return bool(EMAIL_RE.match(text))


def clean_contact(data: Mapping[str, Any]) -> dict[str, str | None]:
    """Description, address and contact fields stripped and checked (422 on the first bad)."""
    cleaned: dict[str, str | None] = {}
    for name in PROFILE_FIELDS:
        if name not in data:
            continue
        text = _text(data[name], name)
        cleaned[name] = text if name == "description" else (text or None)
    phone, email = cleaned.get("contact_phone"), cleaned.get("contact_email")
    if phone and not is_phone(phone):
        raise Invalid(
            _("Enter a Vietnamese phone number, for example 0912 345 678."), field="contact_phone"
        )
    if email and not is_email(email):
        raise Invalid(
            _("Enter an email address, for example htx@example.vn."), field="contact_email"
        )
    return cleaned


def update_profile(actor: User, cooperative: Cooperative, data: Mapping[str, Any]) -> Cooperative:
    """Change the given profile fields of a cooperative the actor manages; audited."""
    require_manager(actor, cooperative.id)
    _change(actor, "cooperative", cooperative, PROFILE_FIELDS, clean_contact(data))
    return cooperative


def certifications_of(cooperative: Cooperative) -> list[Certification]:
    """The cooperative's certifications with their products, latest validity first."""
    return list(
        db.session.scalars(
            select(Certification)
            .where(Certification.cooperative_id == cooperative.id)
            .order_by(Certification.valid_to.desc(), Certification.id)
        ).all()
    )


def get_certification_for(actor: User, cooperative_id: int, certification_id: int) -> Certification:
    """A certification of a cooperative the actor manages; 404 otherwise."""
    certification = db.session.get(Certification, certification_id)
    if (
        certification is None
        or certification.cooperative_id != cooperative_id
        or not manages(actor, cooperative_id)
    ):
        raise NotFound(_("Certification not found."))
    return certification


def add_certification(
    actor: User, cooperative: Cooperative, data: Mapping[str, Any]
) -> Certification:
    """Record a certificate the cooperative holds; audited."""
    require_manager(actor, cooperative.id)
    values = _certification_values(data)
    certification = Certification(cooperative_id=cooperative.id, **values)
    db.session.add(certification)
    audit.record_created(
        actor, "certification", certification, ("cooperative_id", *CERTIFICATION_FIELDS)
    )
    return certification


def update_certification(
    actor: User, certification: Certification, data: Mapping[str, Any]
) -> Certification:
    """Correct a certificate's kind, number, issuer, product or validity; audited."""
    require_manager(actor, certification.cooperative_id)
    merged = {name: data.get(name, getattr(certification, name)) for name in CERTIFICATION_FIELDS}
    values = _certification_values(merged)
    _change(actor, "certification", certification, CERTIFICATION_FIELDS, values)
    return certification


def delete_certification(actor: User, certification: Certification) -> None:
    """Remove a certificate (and so from the listings that showed it); audited."""
    require_manager(actor, certification.cooperative_id)
    old = audit.snapshot(certification, ("cooperative_id", *CERTIFICATION_FIELDS))
    certification_id = certification.id
    db.session.delete(certification)
    db.session.flush()
    audit.record(actor, AuditAction.DELETE, "certification", certification_id, old=old)


# --- helpers ---------------------------------------------------------------------------------


def _change(
    actor: User, entity_type: str, record: Any, fields: tuple[str, ...], values: Mapping[str, Any]
) -> None:
    """Set checked values on a record; audit the fields that changed."""
    old = audit.snapshot(record, fields)
    for name, value in values.items():
        setattr(record, name, value)
    db.session.flush()
    audit.record_update(actor, entity_type, record.id, old, audit.snapshot(record, fields))


def _text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise Invalid(_("Remove the invalid characters."), field=name)
    if len(text) > LIMITS[name]:
        raise Invalid(
            _("This text is too long (%(n)d characters at most).", n=LIMITS[name]), field=name
        )
    return text


def _certification_values(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        kind = CertificationKind(data.get("kind"))
    except ValueError:
        raise Invalid(_("Choose the kind of certificate."), field="kind") from None
    number = _text(data.get("number"), "number")
    if not number:
        raise Invalid(_("Enter the certificate number."), field="number")
    issuer = _text(data.get("issuer"), "issuer") or None
    product_id = data.get("product_id")
    if product_id is not None and (
        isinstance(product_id, bool)
        or not isinstance(product_id, int)
        or not 0 < product_id < 2**31
        or db.session.get(Product, product_id) is None
    ):
        raise Invalid(_("Unknown product."), field="product_id")
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if not isinstance(valid_from, date):
        raise Invalid(_("Enter the date the certificate is valid from."), field="valid_from")
    if not isinstance(valid_to, date):
        raise Invalid(_("Enter the date the certificate is valid to."), field="valid_to")
    if valid_to < valid_from:
        raise Invalid(_("The end of validity cannot be before its start."), field="valid_to")
    return {
        "kind": kind,
        "number": number,
        "issuer": issuer,
        "product_id": product_id,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
