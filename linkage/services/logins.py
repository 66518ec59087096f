"""Logins that end: browser sessions and API tokens, kept on the server by their hashes.

A browser session's cookie holds a random secret; the server keeps its SHA-256 in
`user_sessions` and checks it on every request, so logout, a password change, disabling the
account and a change of role end sessions for good: a copied cookie opens nothing afterwards.
An API token works until its absolute expiry, while it is used at least once per idle limit,
and until revoked. Every login, logout, token issue and revocation is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from models import ApiToken, AuditAction, User, UserSession, utcnow

from . import audit

# Why a session ended (user_sessions.end_reason) or a token was revoked (the audit reason).
LOGOUT = "logout"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
DISABLED = "disabled"
ROLE_CHANGED = "role_changed"
REVOKED_BY_USER = "revoked_by_user"


def hash_token(token: str) -> str:
    """What is stored of a session secret or a bearer token: its SHA-256, never the secret."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- browser sessions ------------------------------------------------------------------------


def open_session(user: User) -> str:
    """A new session row for the user; returns the secret for the cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(secret)))
    return secret


def start_session(user: User, *, channel: str = "web") -> str:
    """A new session for a user who just proved who they are; audited as a login."""
    audit.record(user, AuditAction.LOGIN, "user", user.id, new={"channel": channel})
    return open_session(user)


def session_user(user_id: int, secret: str, lifetime: timedelta) -> User | None:
    """The active user of a live session whose cookie holds `secret`, else None."""
    row = db.session.scalars(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == hash_token(secret))
    ).first()
    if (
        row is None
        or row.user_id != user_id
        or row.ended_at is not None
        or row.created_at <= utcnow() - lifetime
        or not row.user.active
    ):
        return None
    return row.user


def close_session(user: User, secret: str, reason: str) -> None:
    """End the session of this cookie (the caller audits why)."""
    db.session.execute(
        update(UserSession)
        .where(
            UserSession.token_hash == hash_token(secret),
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_session(user: User, secret: str) -> None:
    """Logout: the session of this cookie ends; audited."""
    close_session(user, secret, LOGOUT)
    audit.record(user, AuditAction.LOGOUT, "user", user.id)


def end_sessions(user: User, reason: str, *, keep: str | None = None) -> int:
    """End every live session of a user (but the one whose secret is `keep`); how many."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if keep is not None:
        statement = statement.where(UserSession.token_hash != hash_token(keep))
    return db.session.execute(statement).rowcount or 0


# --- API tokens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    row: ApiToken


def issue_token(user: User, lifetime: timedelta) -> IssuedToken:
    """A new bearer token; only its hash is stored, the token itself is shown once. Audited."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + lifetime)
    db.session.add(row)
    db.session.flush()
    audit.record(user, AuditAction.TOKEN_ISSUE, "api_token", row.id)
    return IssuedToken(token=token, expires_at=row.expires_at, row=row)


def idle_since(token: ApiToken) -> datetime:
    """When the token was last used (its creation before its first use)."""
    return token.last_used_at or token.created_at


def idle_expires_at(token: ApiToken, idle_limit: timedelta) -> datetime:
    """When the token stops working unless it is used before then."""
    return min(token.expires_at, idle_since(token) + idle_limit)


def live_token(token: str, idle_limit: timedelta) -> ApiToken | None:
    """The token row if it is live (not revoked, not expired, not idle too long), else None."""
    row = db.session.scalars(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if idle_expires_at(row, idle_limit) <= utcnow():
        return None
    return row


def live_tokens(user: User, idle_limit: timedelta) -> Select[tuple[ApiToken]]:
    """The user's live tokens, newest first."""
    now = utcnow()
    return (
        select(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            func.coalesce(ApiToken.last_used_at, ApiToken.created_at) > now - idle_limit,
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def revoke_token(token: str, actor: User | None = None) -> bool:
    """Revoke one token; True if it existed and was not revoked yet. Audited."""
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(
        actor or row.user, AuditAction.TOKEN_REVOKE, "api_token", row.id, reason=REVOKED_BY_USER
    )
    return True


def revoke_tokens(user: User, actor: User | None, reason: str) -> int:
    """Revoke every unexpired token of a user; one audit entry per token; how many."""
    now = utcnow()
    rows = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
        )
    ).all()
    for row in rows:
        row.revoked_at = now
        audit.record(actor, AuditAction.TOKEN_REVOKE, "api_token", row.id, reason=reason)
    return len(rows)
