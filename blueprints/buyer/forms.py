"""Forms of the buyer pages: registration, account, ordering, cancelling."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Optional, Regexp

from blueprints.forms import FlaskForm, QuantityField, select_field, text_field
from linkage.labels import BUYER_KIND_LABELS as KIND_LABELS

PASSWORD_HINT = _l(
    "At least 10 characters; the most common passwords are refused. A few words that belong "
    "together for you only are easy to remember and hard to guess."
)
LANGUAGES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


def _password(label: str) -> PasswordField:
    return text_field(label, max_length=200, required=_l("Enter a password."), field=PasswordField)


def _repeat() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


def _phone() -> TelField:
    return text_field(_l("Phone (optional)"), max_length=20, field=TelField)


class RegisterForm(FlaskForm):
    organisation_name = text_field(
        _l("Organisation name"), max_length=200, required=_l("Enter the organisation's name.")
    )
    organisation_kind = select_field(
        _l("Type of organisation"), _l("Choose the type of organisation."), labels=KIND_LABELS
    )
    tax_code = text_field(_l("Tax code (optional)"), max_length=14)
    contact_name = text_field(
        _l("Contact person"), max_length=120, required=_l("Enter the contact person's name.")
    )
    email = text_field(
        _l("Email"), max_length=254, required=_l("Enter your email address."), field=EmailField
    )
    phone = _phone()
    password = _password(_l("Password"))
    confirm = _repeat()
    submit = SubmitField(_l("Create my buyer account"))


class AccountForm(FlaskForm):
    name = text_field(_l("Your name"), max_length=120, required=_l("Enter your name."))
    phone = _phone()
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
    note = text_field(
        _l("Note for the cooperative (optional)"), max_length=2000, field=TextAreaField
    )
    # One key per rendering of the form, so a double click places one order, not two.
    request_key = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")])
    # Asked for (and shown) only when the buyer ordered this listing a few minutes ago: a new
    # rendering of the form (back, then submit again) has a new key, so it is asked instead.
    again = BooleanField(_l("Yes, place another order of this listing"))
    submit = SubmitField(_l("Place the order"))


class CancelForm(FlaskForm):
    reason = text_field(_l("Reason (optional)"), max_length=1000, field=TextAreaField)
    submit = SubmitField(_l("Cancel the order"))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""

    submit = SubmitField(_l("Confirm delivery"))
