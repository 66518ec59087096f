"""Buyer self-registration and the account page (name, phone, language, password)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status, see_other
from linkage.extensions import limiter
from linkage.security import AUTHENTICATED, PUBLIC, allow, renew_session_secret, session_secret
from linkage.services import accounts, buyers
from models import BuyerKind

from . import bp
from .forms import AccountForm, PasswordForm, RegisterForm


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
    # The same answer whether the email was new (the account is made) or already had an
    # account (nothing is written): registering tells nobody who has an account.
    if form.validate_on_submit() and commit_or_refuse(
        form,
        lambda: _register(form),
        _(
            "Thank you. Log in with your email and password to start ordering. If this "
            "email already had an account, its password has not changed."
        ),
    ):
        return see_other("auth.login")
    return render_template("buyer/register.html", form=form), form_status(form)


def _register(form: RegisterForm) -> None:
    buyers.register_buyer(
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
    elif password.submit.data and password.validate_on_submit():
        changed = commit_or_refuse(
            password,
            lambda: (
                accounts.change_password(
                    current_user,
                    password.current_password.data or "",
                    password.password.data or "",
                    current_session=session_secret(),
                    sign_out_others=bool(password.sign_out_others.data),
                ),
            ),
            _("Your password is changed."),
        )
        if changed:
            renew_session_secret(changed[0])  # this browser goes on under a new secret
            return redirect(url_for(".account"))
    status = max(form_status(details) if details.submit.data else 200, form_status(password))
    return render_template("buyer/account.html", details=details, password=password), status
