"""Buyer self-registration and the account page (name, phone, language, password)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status
from linkage.extensions import limiter
from linkage.security import AUTHENTICATED, PUBLIC, allow
from linkage.services import buyers
from models import BuyerKind, User

from . import bp
from .forms import AccountForm, PasswordForm, RegisterForm
from .helpers import catalog_url


def _registration_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_registration_limit, methods=["POST"])
def register() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        flash(_("You are already logged in."), "info")
        return redirect(url_for("public.home"))
    form = RegisterForm()
    user = form.validate_on_submit() and commit_or_refuse(form, lambda: _register(form))
    if user:
        locale = session.get("locale")
        session.clear()  # a fresh session at login (no fixation), as the login page does
        if locale:
            session["locale"] = locale
        login_user(user)
        flash(_("Welcome, %(name)s: your buyer account is ready.", name=user.name), "success")
        return redirect(catalog_url())
    return render_template("buyer/register.html", form=form), form_status(form)


def _register(form: RegisterForm) -> User:
    return buyers.register_buyer(
        organisation_name=form.organisation_name.data or "",
        organisation_kind=BuyerKind(form.organisation_kind.data),
        tax_code=form.tax_code.data,
        contact_name=form.contact_name.data or "",
        email=form.email.data or "",
        phone=form.phone.data,
        password=form.password.data or "",
        locale=str(get_locale()),
    )


@bp.route("/account", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def account() -> str | Response | tuple[str, int]:
    details = AccountForm(prefix="account", obj=current_user)
    password = PasswordForm(prefix="password")
    if details.submit.data and details.validate_on_submit():
        if commit_or_refuse(
            details,
            lambda: buyers.update_account(
                current_user,
                name=details.name.data or "",
                phone=details.phone.data,
                locale=details.locale.data or "vi",
            ),
            _("Your details are saved."),
        ):
            session["locale"] = current_user.locale  # the new language shows at once
            return redirect(url_for(".account"))
    elif (
        password.submit.data
        and password.validate_on_submit()
        and commit_or_refuse(
            password,
            lambda: buyers.change_password(
                current_user, password.current_password.data or "", password.password.data or ""
            ),
            _("Your password is changed."),
        )
    ):
        return redirect(url_for(".account"))
    status = max(form_status(details) if details.submit.data else 200, form_status(password))
    return render_template("buyer/account.html", details=details, password=password), status
