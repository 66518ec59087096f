"""Roles, loading the user (session or bearer token), and the access declaration of routes.

Every route declares who may call it with `allow(...)`. The declaration is also a guard:
anonymous callers are sent to the login page (HTML) or answered 401 (API); callers of
another role get 403. Objects outside the caller's scope are answered 404 by the services.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import flask_babel
from flask import abort, g, request
from flask_login import current_user

from linkage.extensions import db, login_manager
from linkage.services.accounts import hash_token
from models import ApiToken, Role, User, utcnow

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ALL_ROLES = frozenset(Role)

F = TypeVar("F", bound=Callable[..., Any])


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def allow(*audience: Role | str) -> Callable[[F], F]:
    """Declare and enforce who may call a view: roles, PUBLIC or AUTHENTICATED."""
    declared = frozenset(audience)
    if not declared:
        raise ValueError("allow() needs at least one role, PUBLIC or AUTHENTICATED")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check_access(declared)
            return view(*args, **kwargs)

        guarded.__access__ = declared  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def allowed_roles(declared: frozenset[str]) -> frozenset[str]:
    """The roles a declaration lets in (PUBLIC also lets in anonymous callers)."""
    if PUBLIC in declared or AUTHENTICATED in declared:
        return frozenset(ALL_ROLES)
    return frozenset(declared)


def check_access(declared: frozenset[str]) -> None:
    if PUBLIC in declared:
        return
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)
        abort(login_manager.unauthorized())
    if AUTHENTICATED in declared:
        return
    if current_user.role not in declared:
        abort(403)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Session users, for HTML pages only: the API takes bearer tokens (no CSRF there)."""
    if is_api_request() or not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_bearer(req: Any) -> User | None:
    """`Authorization: Bearer <token>` on /api/ paths; expired or revoked tokens fail."""
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = db.session.scalars(
        db.select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()))
    ).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = row.user
    return user if user.active else None


login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page explains itself


def forget_request_state(_error: BaseException | None = None) -> None:
    """Drop the user and locale cached in `g` at the end of a request.

    Each request normally has its own application context; when one context outlives several
    requests (tests, CLI), a cached user or language must not leak into the next request.
    """
    g.pop("_login_user", None)
    flask_babel.refresh()
