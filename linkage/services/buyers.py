"""Buyer accounts: self-registration with an organisation, and the account page's changes."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid
from models import AuditAction, BuyerKind, BuyerOrganisation, Role, User

from . import accounts, audit

# Vietnamese tax codes (mã số thuế): 10 digits, or 10 digits and a 3-digit branch suffix.
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .]{7,18}[0-9]$")
LOCALES = ("vi", "en")


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def check_phone(phone: str | None) -> str | None:
    """A phone number as typed (digits, spaces, dots, a leading +), or None when empty."""
    phone = _clean(phone)
    if not phone:
        return None
    if not PHONE_RE.match(phone):
        raise Invalid(
            _("Enter a phone number of 9 to 15 digits, for example 0912 345 678."),
            field="phone",
        )
    return phone


def _organisation_exists(name: str) -> bool:
    """True when an organisation of this name exists, whatever the case ('Ô' and 'ô' too).

    SQLite's lower() folds ASCII letters only, so names of the same length are compared in
    Python; that filter keeps the candidates few.
    """
    candidates = db.session.scalars(
        select(BuyerOrganisation.name).where(func.length(BuyerOrganisation.name) == len(name))
    ).all()
    folded = name.casefold()
    return any(candidate.casefold() == folded for candidate in candidates)


def register_buyer(
    *,
    organisation_name: str,
    organisation_kind: BuyerKind,
    contact_name: str,
    email: str,
    password: str,
    tax_code: str | None = None,
    phone: str | None = None,
    locale: str = "vi",
) -> User | None:
    """Create a buyer organisation and its first buyer account; audited.

    An email that already has an account gets None and nothing is written, after the same
    work as a registration (the password is hashed all the same): the caller answers both
    alike, so registering tells nobody who has an account.
    """
    organisation_name = _clean(organisation_name)
    contact_name = _clean(contact_name)
    tax_code = _clean(tax_code) or None
    if not organisation_name:
        raise Invalid(_("Enter the organisation's name."), field="organisation_name")
    if not contact_name:
        raise Invalid(_("Enter the contact person's name."), field="contact_name")
    if tax_code is not None and not TAX_CODE_RE.match(tax_code):
        raise Invalid(
            _("A tax code has 10 digits, or 10 digits, a dash and 3 digits."),
            field="tax_code",
        )
    phone = check_phone(phone)
    if _organisation_exists(organisation_name):
        raise Conflict(
            _(
                "An organisation with this name is already registered. Ask its buyer to "
                "contact the platform, or add the branch or city to the name."
            ),
            field="organisation_name",
        )
    email = accounts.validate_email(email)
    accounts.validate_password(password)
    if accounts.find_user_by_email(email) is not None:
        generate_password_hash(password)
        return None
    try:
        user = accounts.create_user(
            email,
            password,
            Role.BUYER,
            name=contact_name,
            buyer_org=organisation_name,
            buyer_kind=organisation_kind,
            locale=locale if locale in LOCALES else "vi",
        )
        user.phone = phone
        if user.buyer_organisation is not None:
            user.buyer_organisation.tax_code = tax_code
        db.session.flush()
    except IntegrityError:
        # The same email or organisation was registered a moment ago; the caller rolls back.
        raise Conflict(
            _("An account with this email or organisation already exists."), field="email"
        ) from None
    return user


def update_account(actor: User, *, name: str, phone: str | None, locale: str) -> User:
    """Change the actor's own name, phone and language; audited."""
    name = _clean(name)
    if not name:
        raise Invalid(_("Enter your name."), field="name")
    if locale not in LOCALES:
        raise Invalid(_("Choose a language."), field="locale")
    phone = check_phone(phone)
    old = audit.snapshot(actor, ("name", "phone", "locale"))
    actor.name, actor.phone, actor.locale = name, phone, locale
    new = audit.snapshot(actor, ("name", "phone", "locale"))
    if new != old:
        audit.record(actor, AuditAction.UPDATE, "user", actor.id, old=old, new=new)
    return actor
