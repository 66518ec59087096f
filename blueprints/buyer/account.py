"""Buyer self-registration and the account page (name, phone, language, password)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from linkage.extensions import db, limiter
from linkage.security import AUTHENTICATED, PUBLIC, allow, renew_session_secret, session_secret
from linkage.services import accounts, buyers
from linkage.services.errors import DomainError
from models import BuyerKind

from . import bp
from .forms import AccountForm, PasswordForm, RegisterForm


def _registration_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def attach_error(form: FlaskForm, error: DomainError, *, default: str | None = None) -> None:
    """Roll back and show a service error next to its field (or `default`); 404 goes on."""
    if error.status == 404:
        raise error
    db.session.rollback()
    name = error.field if error.field and error.field in form else default
    if name is None or name not in form:
        name = next(f.short_name for f in form if f.short_name != "csrf_token")
    form[name].errors = [*form[name].errors, error.message]


def _status(form: FlaskForm) -> int:
    return 422 if form.is_submitted() and form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_registration_limit, methods=["POST"])
def register() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        flash(_("You are already logged in."), "info")
        return redirect(url_for("public.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
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
        except DomainError as error:
            attach_error(form, error, default="email")
        else:
            # The same answer whether the email was new (the account is made) or already had
            # an account (nothing is written): registering tells nobody who has an account.
            db.session.commit()
            flash(
                _(
                    "Thank you. Log in with your email and password to start ordering. If this "
                    "email already had an account, its password has not changed."
                ),
                "success",
            )
            return redirect(url_for("auth.login"), 303)
    return render_template("buyer/register.html", form=form), _status(form)


@bp.route("/account", methods=["GET", "POST"])
@allow(AUTHENTICATED)
def account() -> str | Response | tuple[str, int]:
    details = AccountForm(prefix="account", obj=current_user)
    password = PasswordForm(prefix="password")
    if details.submit.data and details.validate_on_submit():
        try:
            buyers.update_account(
                current_user,
                name=details.name.data or "",
                phone=details.phone.data,
                locale=details.locale.data or "vi",
            )
        except DomainError as error:
            attach_error(details, error)
        else:
            db.session.commit()
            session["locale"] = current_user.locale  # the new language shows at once
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".account"))
    elif password.submit.data and password.validate_on_submit():
        try:
            renewed = accounts.change_password(
                current_user,
                password.current_password.data or "",
                password.password.data or "",
                current_session=session_secret(),
                sign_out_others=bool(password.sign_out_others.data),
            )
        except DomainError as error:
            attach_error(password, error)
        else:
            db.session.commit()
            renew_session_secret(renewed)
            flash(_("Your password is changed."), "success")
            return redirect(url_for(".account"))
    status = max(_status(details) if details.submit.data else 200, _status(password))
    return render_template("buyer/account.html", details=details, password=password), status
