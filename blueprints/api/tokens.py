"""Bearer tokens: issue with email and password, revoke, and who am I."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from linkage.extensions import db, limiter
from linkage.schemas.accounts import MeSchema, TokenRequestSchema, TokenSchema
from linkage.security import AUTHENTICATED, PUBLIC
from linkage.services import accounts
from models import User

from .common import api_allow

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1", description="Authentication")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/tokens")
class Tokens(MethodView):
    @api_allow(PUBLIC)
    @limiter.limit(_login_limit)
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange email and password for a bearer token."""
        user = accounts.authenticate(data["email"], data["password"])
        if user is None:
            abort(401, _("Wrong email or password."))
        issued = accounts.issue_token(user, current_app.config["TOKEN_LIFETIME"])
        db.session.commit()
        return {"token": issued.token, "expires_at": issued.expires_at}


@blp.route("/tokens/current")
class CurrentToken(MethodView):
    @api_allow(AUTHENTICATED)
    @blp.response(204)
    def delete(self) -> None:
        """Revoke the token this request was made with."""
        token = request.headers.get("Authorization", "").partition(" ")[2].strip()
        accounts.revoke_token(token)
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @api_allow(AUTHENTICATED)
    @blp.response(200, MeSchema)
    def get(self) -> User:
        """The user the token belongs to."""
        return current_user
