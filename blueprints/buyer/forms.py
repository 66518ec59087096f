"""Forms of the buyer pages: registration, account, ordering, cancelling."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from blueprints.forms import QuantityField

from .helpers import KIND_LABELS

PASSWORD_HINT = _l(
    "At least 10 characters; the most common passwords are refused. A few words that belong "
    "together for you only are easy to remember and hard to guess."
)
LANGUAGES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Enter a password.")),
            Length(max=200, message=_l("The password is too long.")),
        ],
    )


def _repeat() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(FlaskForm):
    organisation_name = StringField(
        _l("Organisation name"),
        validators=[
            InputRequired(message=_l("Enter the organisation's name.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
    )
    organisation_kind = SelectField(
        _l("Type of organisation"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the type of organisation."))],
    )
    tax_code = StringField(
        _l("Tax code (optional)"),
        validators=[Optional(), Length(max=14, message=_l("At most 14 characters."))],
    )
    contact_name = StringField(
        _l("Contact person"),
        validators=[
            InputRequired(message=_l("Enter the contact person's name.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("The email address is too long.")),
        ],
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=20, message=_l("At most 20 characters."))],
    )
    password = _password(_l("Password"))
    confirm = _repeat()
    submit = SubmitField(_l("Create my buyer account"))


class AccountForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            InputRequired(message=_l("Enter your name.")),
            Length(max=120, message=_l("At most 120 characters.")),
        ],
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=20, message=_l("At most 20 characters."))],
    )
    locale = RadioField(_l("Language"), choices=LANGUAGES, default="vi")
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your current password."))],
    )
    password = _password(_l("New password"))
    confirm = _repeat()
    sign_out_others = BooleanField(_l("Sign out everywhere else"), default=True)
    submit = SubmitField(_l("Change the password"))


class OrderForm(FlaskForm):
    quantity = QuantityField(
        _l("Quantity"), validators=[InputRequired(message=_l("Enter the quantity to order."))]
    )
    note = TextAreaField(
        _l("Note for the cooperative (optional)"),
        validators=[Length(max=2000, message=_l("At most 2000 characters."))],
    )
    # One key per rendering of the form, so a double click places one order, not two.
    request_key = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")])
    submit = SubmitField(_l("Place the order"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Length(max=1000, message=_l("At most 1000 characters."))],
    )
    submit = SubmitField(_l("Cancel the order"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""

    submit = SubmitField(_l("Confirm delivery"))
