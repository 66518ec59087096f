"""Forms of the cooperative profile, its certifications and a new cooperative's registration."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from linkage.labels import CERTIFICATION_LABELS as KIND_LABELS
from linkage.services.profile import is_email, is_phone
from models import CertificationKind, Commune, Product


def kind_label(kind: CertificationKind | str) -> str:
    """The display name of a kind of certificate."""
    return str(KIND_LABELS.get(CertificationKind(kind), kind))


def _phone(_form: FlaskForm, field: Field) -> None:
    if field.data and not is_phone(field.data):
        raise ValidationError(_l("Enter a Vietnamese phone number, for example 0912 345 678."))


def _email(_form: FlaskForm, field: Field) -> None:
    if field.data and not is_email(field.data.strip()):
        raise ValidationError(_l("Enter an email address, for example htx@example.vn."))


def _no_control(_form: FlaskForm, field: Field) -> None:
    # PostgreSQL refuses NUL in text; other control characters have no place in a name either.
    if field.data and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError(_l("Remove the invalid characters."))


def _too_long(n: int) -> Length:
    return Length(max=n, message=_l("This text is too long (%(n)d characters at most).", n=n))


class ContactFields(FlaskForm):
    """Description, address and contact: shared by the profile and the registration."""

    description = TextAreaField(
        _l("Description"),
        description=_l("What the cooperative grows, how, and for whom."),
        validators=[Optional(), _too_long(5000)],
    )
    address = StringField(_l("Address"), validators=[Optional(), _too_long(300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), _too_long(120)])
    contact_phone = TelField(_l("Phone"), validators=[Optional(), _too_long(20), _phone])
    contact_email = EmailField(_l("Email"), validators=[Optional(), _too_long(254), _email])

    def contact_data(self) -> dict[str, Any]:
        return {
            name: (self[name].data or "").strip()
            for name in ("description", "address", "contact_name", "contact_phone", "contact_email")
        }


class ProfileForm(ContactFields):
    pass


class CooperativeForm(ContactFields):
    name = StringField(
        _l("Name of the cooperative"),
        validators=[
            InputRequired(message=_l("Enter the cooperative's name.")),
            _too_long(200),
            _no_control,
        ],
    )
    registration_no = StringField(
        _l("Registration number"),
        validators=[
            InputRequired(message=_l("Enter the registration number.")),
            _too_long(40),
            _no_control,
        ],
    )
    commune_code = SelectField(
        _l("Commune or ward"), validators=[InputRequired(message=_l("Choose the commune."))]
    )

    def set_communes(self, communes: list[Commune]) -> None:
        self.commune_code.choices = [SelectChoice("", _l("Choose the commune"))] + [
            SelectChoice(c.code, c.name) for c in communes
        ]


class CertificationForm(FlaskForm):
    kind = SelectField(
        _l("Kind of certificate"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the kind of certificate."))],
    )
    number = StringField(
        _l("Certificate number"),
        validators=[InputRequired(message=_l("Enter the certificate number.")), _too_long(60)],
    )
    issuer = StringField(_l("Issued by (optional)"), validators=[Optional(), _too_long(200)])
    product_id = SelectField(
        _l("Product (optional)"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validate_choice=False,
    )
    valid_from = DateField(
        _l("Valid from"),
        validators=[InputRequired(message=_l("Enter the date the certificate is valid from."))],
    )
    valid_to = DateField(
        _l("Valid to"),
        validators=[InputRequired(message=_l("Enter the date the certificate is valid to."))],
    )

    def set_products(self, products: list[Product], label: Any) -> None:
        self.product_id.choices = [SelectChoice("", _l("Any product of the cooperative"))] + [
            SelectChoice(p.id, label(p)) for p in products
        ]

    def validate_valid_to(self, field: DateField) -> None:
        start = self.valid_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end of validity cannot be before its start."))

    def certification_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind.data,
            "number": self.number.data,
            "issuer": self.issuer.data,
            "product_id": self.product_id.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
        }
