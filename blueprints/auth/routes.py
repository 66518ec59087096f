"""Login and logout pages (session cookie, renewed at login)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from blueprints.common import safe_next
from linkage import throttling
from linkage.extensions import db
from linkage.security import AUTHENTICATED, PUBLIC, allow, begin_session, session_secret, sign_in
from linkage.services import logins
from models import Role

from .forms import LoginForm

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.cooperatives",
    Role.MANAGER: "manage.index",
    Role.BUYER: "catalog.index",
    Role.OFFICIAL: "official.dashboard",
}


def wait_message(refusal: throttling.Refusal) -> str:
    """How long to wait, in minutes (at least one)."""
    minutes = max(1, -(-refusal.retry_after // 60))
    if refusal.reason == "account":
        return ngettext(
            "Too many failed attempts for this account. Try again in %(num)d minute.",
            "Too many failed attempts for this account. Try again in %(num)d minutes.",
            minutes,
        )
    return ngettext(
        "Too many failed attempts from this network. Try again in %(num)d minute.",
        "Too many failed attempts from this network. Try again in %(num)d minutes.",
        minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    headers: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        outcome = sign_in(form.email.data or "", form.password.data or "", "web")
        if isinstance(outcome, throttling.Refusal):
            db.session.commit()  # the audit entry of the refused attempt
            form.password.errors.append(wait_message(outcome))
            headers["Retry-After"] = str(outcome.retry_after)
            status = 429
        elif outcome is None:
            db.session.commit()  # the audit entry of the failure
            form.password.errors.append(_("Wrong email or password."))
        else:
            begin_session(outcome)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=outcome.name or outcome.email), "success")
            target = safe_next(request.args.get("next")) or url_for(HOME_BY_ROLE[outcome.role])
            return redirect(target)
    if status == 200 and form.is_submitted() and form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@allow(AUTHENTICATED)
def logout() -> Response:
    secret = session_secret()
    if secret is not None:
        logins.end_session(current_user, secret)
        db.session.commit()
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
