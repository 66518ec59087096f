"""Users: passwords, logging in, creating, disabling and re-enabling accounts, roles."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound, UnknownReference
from models import (
    AuditAction,
    BuyerKind,
    BuyerOrganisation,
    Commune,
    Cooperative,
    Role,
    User,
    utcnow,
)

from . import audit, logins

# Kept importable from here: the API, the CLI, the tests and the benchmark issue tokens.
from .logins import IssuedToken, hash_token, issue_token  # noqa: F401

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
# Hashing a password for an unknown email as well keeps login timing uniform.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower-cased (linkage/data/common-passwords.txt)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def is_common_password(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def validate_password(password: str) -> None:
    """At least 10 characters and not one of the common passwords; no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if is_common_password(password):
        raise Invalid(
            _(
                "This password is one of the most common ones and is guessed first: "
                "choose another, for example a few words that belong together for you only."
            ),
            field="password",
        )


def users_query(
    *, text: str | None = None, role: Role | None = None, active: bool | None = None
) -> Select[tuple[User]]:
    """Users for the admin's list, by email: `text` is part of the email or the name."""
    statement = select(User).order_by(User.email)
    if text and (text := text.strip()):
        statement = statement.where(
            or_(
                User.email.contains(text.lower(), autoescape=True),
                User.name.contains(text, autoescape=True),
            )
        )
    if role is not None:
        statement = statement.where(User.role == role)
    if active is not None:
        statement = statement.where(User.active.is_(active))
    return statement


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def validate_email(email: str) -> str:
    """The email, trimmed and lower-cased, when it looks like an email address."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise Invalid(_("Enter a valid email address."), field="email")
    return email


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(db.select(User).where(User.email == email.strip().lower())).first()


def _typed_email(email: str) -> str | None:
    """The email as typed, for the audit log, when it looks like one (never a password)."""
    email = email.strip().lower()
    return email if len(email) <= 254 and email.isprintable() and EMAIL_RE.match(email) else None


def authenticate(email: str, password: str, *, channel: str = "web") -> User | None:
    """The active user with this email and password, else None; a failure is audited."""
    user = None if "\x00" in email else find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        cause = "unknown"
    elif not check_password_hash(user.password_hash, password):
        cause = "password"
    elif not user.active:
        cause = "disabled"
    else:
        user.last_login_at = utcnow()
        return user
    record_failed_login(email, channel, cause, user)
    return None


def record_failed_login(email: str, channel: str, cause: str, user: User | None = None) -> None:
    """A refused login in the audit log: the account aimed at, the channel and why."""
    if user is None and cause != "unknown" and "\x00" not in email:
        user = find_user_by_email(email)
    audit.record(
        None,
        AuditAction.LOGIN_FAILED,
        "user",
        user.id if user is not None else None,
        new={"email": _typed_email(email), "channel": channel, "cause": cause},
    )


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
    email = validate_email(email)
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


def change_password(
    actor: User, current: str, new: str, *, current_session: str | None, sign_out_others: bool
) -> str | None:
    """Set a new password after checking the current one; audited (without the values).

    The session it was changed in goes on under a new secret (returned, for the cookie; None
    without one): a copy of the old cookie opens nothing. The other sessions end when
    `sign_out_others`; every API token is revoked (a token is a password for programs).
    """
    if not check_password_hash(actor.password_hash, current or ""):
        raise Invalid(_("The current password is not correct."), field="current_password")
    validate_password(new or "")
    if new == current:
        raise Invalid(_("Choose a password different from the current one."), field="password")
    actor.password_hash = generate_password_hash(new)
    if sign_out_others:
        ended = logins.end_sessions(actor, logins.PASSWORD_CHANGED, keep=current_session)
    else:
        ended = 0
    renewed = None
    if current_session is not None:
        logins.close_session(actor, current_session, logins.PASSWORD_CHANGED)
        renewed = logins.open_session(actor)
    revoked = logins.revoke_tokens(actor, actor, logins.PASSWORD_CHANGED)
    audit.record(
        actor,
        AuditAction.UPDATE,
        "user",
        actor.id,
        new={"password": "changed", "other_sessions_ended": ended, "tokens_revoked": revoked},
    )
    return renewed


def set_active(actor: User | None, user: User, active: bool, reason: str | None = None) -> User:
    """Disable an account (its sessions end and its tokens are revoked) or enable it again
    (nothing ended comes back); audited. Nobody disables their own account."""
    if actor is not None and actor.id == user.id:
        raise Conflict(_("You cannot disable or enable your own account."), field="active")
    if user.active == active:
        return user
    user.active = active
    new: dict[str, object] = {"active": active}
    if not active:
        new["sessions_ended"] = logins.end_sessions(user, logins.DISABLED)
        new["tokens_revoked"] = logins.revoke_tokens(user, actor, logins.DISABLED)
    audit.record(
        actor,
        AuditAction.UPDATE,
        "user",
        user.id,
        old={"active": not active},
        new=new,
        reason=reason,
    )
    return user


def change_role(actor: User | None, user: User, role: Role, reason: str | None = None) -> User:
    """Give a user another role; the links of the old role go, sessions end and tokens are
    revoked (whatever was open was opened with the old rights); audited."""
    if actor is not None and actor.id == user.id:
        raise Conflict(_("You cannot change your own role."), field="role")
    if user.role == role:
        return user
    old = {
        "role": user.role,
        "cooperatives": sorted(c.id for c in user.cooperatives),
        "communes": sorted(c.code for c in user.communes),
        "province_wide": user.province_wide,
        "buyer_organisation_id": user.buyer_organisation_id,
    }
    user.role = role
    if role != Role.MANAGER:
        user.cooperatives = []
    if role != Role.OFFICIAL:
        user.communes = []
        user.province_wide = False
    if role != Role.BUYER:
        user.buyer_organisation = None
    new = {
        "role": role,
        "sessions_ended": logins.end_sessions(user, logins.ROLE_CHANGED),
        "tokens_revoked": logins.revoke_tokens(user, actor, logins.ROLE_CHANGED),
    }
    audit.record(actor, AuditAction.UPDATE, "user", user.id, old=old, new=new, reason=reason)
    return user
