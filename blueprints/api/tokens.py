"""Bearer tokens: issue with email and password, list, revoke one or all, and who am I."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE
from werkzeug.exceptions import TooManyRequests

from linkage import throttling
from linkage.extensions import db
from linkage.schemas.accounts import MeSchema, TokenInfoSchema, TokenRequestSchema, TokenSchema
from linkage.schemas.common import PaginationArgs, envelope, page_of
from linkage.security import AUTHENTICATED, PUBLIC, bearer_token, sign_in
from linkage.services import logins
from linkage.services.paging import paginate
from models import ApiToken, User

from .common import api_allow

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1", description="Authentication")


def _token_info(row: ApiToken, current_hash: str | None) -> dict[str, Any]:
    idle_limit = current_app.config["TOKEN_IDLE_LIMIT"]
    return {
        "id": row.id,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "expires_at": row.expires_at,
        "idle_expires_at": logins.idle_expires_at(row, idle_limit),
        "current": row.token_hash == current_hash,
    }


@blp.route("/tokens")
class Tokens(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange email and password for a bearer token.

        Failed attempts are throttled per address and per account, together with the login
        page: 429 with `Retry-After` then. The token works until `expires_at` (90 days)
        while it is used at least once every 14 days, and until it is revoked: by its user,
        by a password change, or when the account is disabled.
        """
        outcome = sign_in(data["email"], data["password"], "api")
        db.session.commit()  # the audit entry of a refused attempt too
        if isinstance(outcome, throttling.Refusal):
            raise TooManyRequests(_("Too many failed attempts."), retry_after=outcome.retry_after)
        if outcome is None:
            abort(401, _("Wrong email or password."))
        issued = logins.issue_token(outcome, current_app.config["TOKEN_LIFETIME"])
        db.session.commit()
        return {"token": issued.token, "expires_at": issued.expires_at}

    @api_allow(AUTHENTICATED)
    @blp.arguments(PaginationArgs, location="query", unknown=RAISE)
    @blp.response(200, page_of(TokenInfoSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's live tokens, newest first (never the tokens themselves)."""
        statement = logins.live_tokens(current_user, current_app.config["TOKEN_IDLE_LIMIT"])
        page = paginate(statement, args["page"], args["per_page"])
        token = bearer_token(request)
        current_hash = logins.hash_token(token) if token else None
        return envelope(replace(page, items=[_token_info(row, current_hash) for row in page.items]))

    @api_allow(AUTHENTICATED)
    @blp.response(204)
    def delete(self) -> None:
        """Revoke all the caller's tokens, this one included."""
        logins.revoke_tokens(current_user, current_user, logins.REVOKED_BY_USER)
        db.session.commit()


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @api_allow(AUTHENTICATED)
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the token this request was made with."""
        logins.revoke_token(bearer_token(request) or "", current_user)
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @api_allow(AUTHENTICATED)
    @blp.response(200, MeSchema)
    def get(self) -> User:
        """The user the token belongs to."""
        return current_user
