"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, UnknownReference
from models import (
    ApiToken,
    AuditAction,
    BuyerKind,
    BuyerOrganisation,
    Commune,
    Cooperative,
    Role,
    User,
    utcnow,
)

from . import audit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
# Hashing a password for an unknown email as well keeps login timing uniform.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def validate_password(password: str) -> None:
    """At least 10 characters with a letter and a digit."""
    if (
        len(password) < MIN_PASSWORD_LENGTH
        or not re.search(r"[A-Za-zÀ-ỹ]", password)
        or not re.search(r"\d", password)
    ):
        raise Invalid(
            _(
                "The password needs at least %(n)d characters, with letters and digits.",
                n=MIN_PASSWORD_LENGTH,
            ),
            field="password",
        )


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(db.select(User).where(User.email == email.strip().lower())).first()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None."""
    if "\x00" in email:  # PostgreSQL refuses NUL in a parameter; no account has one
        check_password_hash(_DUMMY_HASH, password)
        return None
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def create_user(
    email: str,
    password: str,
    role: Role,
    *,
    name: str = "",
    actor: User | None = None,
    cooperative_ids: list[int] | tuple[int, ...] = (),
    commune_codes: list[str] | tuple[str, ...] = (),
    province_wide: bool = False,
    buyer_org: str | None = None,
    buyer_kind: BuyerKind = BuyerKind.TRADER,
    locale: str = "vi",
) -> User:
    """Create a user with the links their role needs; audited."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise Invalid(_("Enter a valid email address."), field="email")
    validate_password(password)
    if find_user_by_email(email) is not None:
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        name=name,
        locale=locale,
        province_wide=province_wide and role == Role.OFFICIAL,
    )
    if cooperative_ids:
        if role != Role.MANAGER:
            raise Invalid(_("Only managers are linked to cooperatives."))
        cooperatives = db.session.scalars(
            db.select(Cooperative).where(Cooperative.id.in_(cooperative_ids))
        ).all()
        if len(cooperatives) != len(set(cooperative_ids)):
            raise UnknownReference(_("Unknown cooperative."), field="cooperative")
        user.cooperatives = list(cooperatives)
    if commune_codes:
        if role != Role.OFFICIAL:
            raise Invalid(_("Only officials have a jurisdiction."))
        communes = db.session.scalars(
            db.select(Commune).where(Commune.code.in_(commune_codes))
        ).all()
        if len(communes) != len(set(commune_codes)):
            raise UnknownReference(_("Unknown commune code."), field="commune")
        user.communes = list(communes)
    if buyer_org:
        if role != Role.BUYER:
            raise Invalid(_("Only buyers belong to a buyer organisation."))
        organisation = db.session.scalars(
            db.select(BuyerOrganisation).where(BuyerOrganisation.name == buyer_org)
        ).first() or BuyerOrganisation(name=buyer_org, kind=buyer_kind)
        user.buyer_organisation = organisation
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CREATE,
        "user",
        user.id,
        new={
            "email": user.email,
            "role": user.role,
            "cooperatives": sorted(cooperative_ids),
            "communes": sorted(commune_codes),
            "province_wide": user.province_wide,
            "buyer_organisation": buyer_org,
        },
    )
    return user


def hash_token(token: str) -> str:
    """What is stored of a bearer token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    row: ApiToken


def issue_token(user: User, lifetime: timedelta) -> IssuedToken:
    """A new bearer token; only its hash is stored, the token itself is shown once."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + lifetime)
    db.session.add(row)
    db.session.flush()
    return IssuedToken(token=token, expires_at=row.expires_at, row=row)


def revoke_token(token: str) -> bool:
    """Revoke a token; True if it existed and was live."""
    row = db.session.scalars(
        db.select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
