"""Roles, loading the user (session or bearer token), and the access declaration of routes.

Every route declares who may call it with `allow(...)`. The declaration is also a guard:
anonymous callers are sent to the login page (HTML) or answered 401 (API); callers of
another role get 403. Objects outside the caller's scope are answered 404 by the services.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import flask_babel
from flask import Response, abort, current_app, g, request, session
from flask_login import current_user, login_user
from sqlalchemy import update

from linkage import throttling
from linkage.extensions import db, login_manager
from linkage.services import accounts, audit, logins
from models import ApiToken, AuditAction, Role, User, utcnow

log = logging.getLogger(__name__)

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ALL_ROLES = frozenset(Role)

# The session cookie's key for the secret of the server-side session (linkage.services.logins).
SESSION_SECRET = "_sid"  # noqa: S105 (a key name, not a secret)
# A token's last use is written at most this often: the idle limit counts in days.
TOKEN_TOUCH_INTERVAL = timedelta(hours=1)

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
    """Session users, for HTML pages only: the API takes bearer tokens (no CSRF there).

    The cookie must name a live session on the server (see linkage.services.logins): a cookie
    kept after logout, a password change, disabling or a change of role opens nothing.
    """
    if is_api_request() or not user_id.isdigit():
        return None
    secret = session.get(SESSION_SECRET)
    if not isinstance(secret, str) or not secret:
        return None
    return logins.session_user(int(user_id), secret, current_app.config["SESSION_LIFETIME"])


def begin_session(user: User) -> None:
    """Log a user in: a fresh cookie (no fixation; the language is kept) for a new session."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[SESSION_SECRET] = logins.start_session(user)
    login_user(user)


def sign_in(email: str, password: str, channel: str) -> User | throttling.Refusal | None:
    """Check a login of the form or of a token request: the throttles of the address and the
    account first (a locked account is refused even with the right password), then the
    password. The user, a refusal to answer with 429, or None for wrong credentials."""
    refusal = throttling.check(email)
    if refusal is not None:
        if refusal.reason == "account":
            accounts.record_failed_login(email, channel, "locked")
            throttling.failed(email, account=False)
        return refusal
    user = accounts.authenticate(email, password, channel=channel)
    if user is None:
        throttling.failed(email)
    else:
        throttling.succeeded(email)
    return user


def session_secret() -> str | None:
    """The secret of the current browser session, if any."""
    secret = session.get(SESSION_SECRET)
    return secret if isinstance(secret, str) else None


def renew_session_secret(secret: str | None) -> None:
    """Put the secret of the session that replaces the current one in the cookie."""
    if secret is not None:
        session[SESSION_SECRET] = secret


@login_manager.request_loader
def load_user_from_bearer(req: Any) -> User | None:
    """`Authorization: Bearer <token>` on /api/ paths; expired, idle or revoked tokens fail."""
    if not req.path.startswith("/api/"):
        return None
    token = bearer_token(req)
    if token is None:
        return None
    row = logins.live_token(token, current_app.config["TOKEN_IDLE_LIMIT"])
    if row is None or not row.user.active:
        return None
    _touch(row)
    return row.user


def bearer_token(req: Any) -> str | None:
    """The token of an `Authorization: Bearer` header, or None."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _touch(row: ApiToken) -> None:
    """Note the token's use, for its idle limit; written when the request ends."""
    if row.last_used_at is None or row.last_used_at <= utcnow() - TOKEN_TOUCH_INTERVAL:
        g._used_token_id = row.id


def record_token_use(_error: BaseException | None = None) -> None:
    """Write the last use of the request's token, committed on its own (a read-only request
    never commits, and a refused one rolls back). The request's work is over by now: its
    transaction is ended first, so SQLite's write lock is free for this one statement."""
    token_id = g.pop("_used_token_id", None)
    if token_id is None:
        return
    try:
        db.session.rollback()
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
        )
        db.session.commit()
    except Exception:  # the answer is given; a lost timestamp only shortens the idle limit
        log.warning("Could not record the use of API token %s", token_id, exc_info=True)
        db.session.rollback()


def declared_access(endpoint: str | None, method: str) -> frozenset[str] | None:
    """The audience a route's view declares with `allow()` for this method, if any."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
    return getattr(view, "__access__", None)


def _named_object(view_args: dict[str, Any]) -> tuple[str, Any]:
    """The record a route names: its innermost `<..._id>` argument, e.g. ("household", 7)."""
    for name, value in reversed(view_args.items()):
        if name.endswith("_id"):
            return name.removesuffix("_id"), value
    return "route", None


def audit_refused_access(response: Response) -> Response:
    """Write refused access to the audit log: every 403, and every 404 of a route that names
    a record and needs a login (a 404 there is "missing or not yours": probing shows up).

    The request's own work is rolled back first: nothing it did may be committed with the
    entry, which is committed on its own.
    """
    status = response.status_code
    if status not in (403, 404) or request.url_rule is None:
        return response
    declared = declared_access(request.url_rule.endpoint, request.method) or frozenset()
    if status == 404 and (PUBLIC in declared or not request.view_args):
        return response
    actor = current_user if current_user.is_authenticated else None
    entity_type, entity_id = _named_object(request.view_args or {})
    try:
        db.session.rollback()
        audit.record(
            actor,
            AuditAction.DENIED if status == 403 else AuditAction.NOT_FOUND,
            entity_type,
            entity_id,
            new={"method": request.method, "path": request.path[:500], "status": status},
        )
        db.session.commit()
    except Exception:  # the refusal stands even if it cannot be written down
        log.warning("Could not audit a refused request to %s", request.path, exc_info=True)
        db.session.rollback()
    return response


login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page explains itself


def forget_request_state(_error: BaseException | None = None) -> None:
    """Drop the user and locale cached in `g` at the end of a request.

    Each request normally has its own application context; when one context outlives several
    requests (tests, CLI), a cached user or language must not leak into the next request.
    """
    g.pop("_login_user", None)
    flask_babel.refresh()
