"""Forms of the cooperative profile, its certifications and a new cooperative's registration."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    Field,
    SelectChoice,
    SelectField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, ValidationError

from blueprints.forms import FlaskForm, select_field, text_field
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


class ContactFields(FlaskForm):
    """Description, address and contact: shared by the profile and the registration."""

    description = text_field(
        _l("Description"),
        max_length=5000,
        field=TextAreaField,
        description=_l("What the cooperative grows, how, and for whom."),
    )
    address = text_field(_l("Address"), max_length=300)
    contact_name = text_field(_l("Contact person"), max_length=120)
    contact_phone = text_field(_l("Phone"), max_length=20, field=TelField, validators=(_phone,))
    contact_email = text_field(_l("Email"), max_length=254, field=EmailField, validators=(_email,))

    def contact_data(self) -> dict[str, Any]:
        return {
            name: (self[name].data or "").strip()
            for name in ("description", "address", "contact_name", "contact_phone", "contact_email")
        }


class ProfileForm(ContactFields):
    pass


class CooperativeForm(ContactFields):
    name = text_field(
        _l("Name of the cooperative"),
        max_length=200,
        required=_l("Enter the cooperative's name."),
        validators=(_no_control,),
    )
    registration_no = text_field(
        _l("Registration number"),
        max_length=40,
        required=_l("Enter the registration number."),
        validators=(_no_control,),
    )
    commune_code = select_field(_l("Commune or ward"), _l("Choose the commune."))

    def set_communes(self, communes: list[Commune]) -> None:
        self.commune_code.choices = [SelectChoice("", _l("Choose the commune"))] + [
            SelectChoice(c.code, c.name) for c in communes
        ]


class CertificationForm(FlaskForm):
    kind = select_field(
        _l("Kind of certificate"), _l("Choose the kind of certificate."), labels=KIND_LABELS
    )
    number = text_field(
        _l("Certificate number"), max_length=60, required=_l("Enter the certificate number.")
    )
    issuer = text_field(_l("Issued by (optional)"), max_length=200)
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
