"""Forms of the support pages of managers and officials: record a support, correct it (with a
reason), import a commune's list."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from blueprints.forms import ChoiceField, FlaskForm, MoneyField, csv_file_field, number_required
from blueprints.record_forms import reason_field
from linkage.labels import label
from linkage.services.periods import current_day
from linkage.services.supports import FIELDS, MAX_NOTE, MAX_TERM_MONTHS, current_values
from models import Commune, Product, Support, SupportProgramme


def not_in_future(_form: Any, field: DateField) -> None:
    if field.data is not None and field.data > current_day():
        raise ValidationError(_l("The date cannot be in the future."))


def product_label(product: Product) -> str:
    """The Vietnamese name and the code, which the import file uses."""
    return f"{product.name_vi} ({product.code})"


class SupportForm(FlaskForm):
    """A support's values, as the service takes them (`values()`)."""

    programme = ChoiceField(
        _l("Programme"),
        validators=[InputRequired(message=_l("Choose the programme of the support."))],
    )
    amount_vnd = MoneyField(
        _l("Amount (đồng)"),
        validators=[number_required(_l("Enter the amount, for example %(example)s."), 1500000)],
    )
    received_on = DateField(
        _l("Date received"),
        validators=[
            InputRequired(message=_l("Enter the date the support was received.")),
            not_in_future,
        ],
    )
    purpose_product_code = ChoiceField(_l("Purpose product (optional)"), default="")
    term_months = IntegerField(
        _l("Loan term in months (policy loans only)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_TERM_MONTHS,
                message=_l(
                    "Enter the term of the loan in months, from 1 to %(n)d.", n=MAX_TERM_MONTHS
                ),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE, message=_l("The note is too long."))],
    )

    def set_choices(self, programmes: list[SupportProgramme], products: list[Product]) -> None:
        """The programmes the user may record, and the products."""
        self.programme.choices = [SelectChoice("", _l("Choose a programme"))] + [
            SelectChoice(p.value, label(p)) for p in programmes
        ]
        self.purpose_product_code.choices = [SelectChoice("", _l("No purpose product"))] + [
            SelectChoice(p.code, product_label(p)) for p in products
        ]

    def values(self) -> dict[str, Any]:
        """The fields as `supports.record_support` and `correct_support` take them."""
        return {
            "programme": SupportProgramme(self.programme.data),
            "amount_vnd": self.amount_vnd.data,
            "received_on": self.received_on.data,
            "purpose_product_code": self.purpose_product_code.data or None,
            "term_months": self.term_months.data,
            "note": self.note.data or None,
        }


class SupportCorrectionForm(SupportForm):
    reason = reason_field()

    def fill(self, support: Support) -> None:
        """Start from the support's current values."""
        values = current_values(support)
        self.programme.data = support.programme.value
        self.purpose_product_code.data = values["purpose_product_code"] or ""
        for name in FIELDS:
            if name not in ("programme", "purpose_product_code"):
                self[name].data = values[name]


class SupportImportForm(FlaskForm):
    commune = ChoiceField(
        _l("Commune"), validators=[InputRequired(message=_l("Choose the commune of the list."))]
    )
    file = csv_file_field()

    def set_choices(self, communes: list[Commune]) -> None:
        self.commune.choices = [SelectChoice("", _l("Choose a commune"))] + [
            SelectChoice(c.code, c.name) for c in communes
        ]
        if len(communes) == 1 and not self.commune.data:
            self.commune.data = communes[0].code
