"""Login and logout pages (session cookie, renewed at login)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from blueprints.common import safe_next
from linkage.extensions import db, limiter
from linkage.security import AUTHENTICATED, PUBLIC, allow
from linkage.services import accounts
from models import Role

from .forms import LoginForm

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.cooperatives",
    Role.MANAGER: "manage.index",
    Role.BUYER: "catalog.index",
    Role.OFFICIAL: "official.dashboard",
}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session at login (no fixation)
            if locale:
                session["locale"] = locale
            login_user(user)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name or user.email), "success")
            target = safe_next(request.args.get("next")) or url_for(HOME_BY_ROLE[user.role])
            return redirect(target)
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@allow(AUTHENTICATED)
def logout() -> Response:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


@bp.app_context_processor
def inject_user() -> dict[str, object]:
    return {"current_user": current_user}
