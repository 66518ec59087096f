"""Forms and labels of the value chain pages: lots, collections, processing, payments."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from blueprints.forms import (
    FlaskForm,
    MoneyField,
    QuantityField,
    number_required,
    select_field,
    text_field,
)
from linkage.labels import PAYMENT_KIND_LABELS, PROCESS_LABELS, product_name
from linkage.numbers import format_quantity
from linkage.services.periods import VIETNAM, current_day
from models import Household, Lot, PaymentKind, Product

INPUT_ROWS = 5


def noon(day: date) -> datetime:
    """A day typed in a form as a moment: its noon in Vietnam (dates are what people know)."""
    return datetime.combine(day, time(12), VIETNAM)


def not_in_future(_form: Any, field: DateField) -> None:
    if field.data is not None and field.data > current_day():
        raise ValidationError(_l("The date cannot be in the future."))


def past_date(label: Any, required: Any, **kwargs: Any) -> DateField:
    """A day of what happened: required (`required` asks for it), today at the latest."""
    return DateField(label, validators=[InputRequired(message=required), not_in_future], **kwargs)


def note_field(field: type[Field] = TextAreaField, max_length: int = 2000) -> Any:
    return text_field(_l("Note (optional)"), max_length=max_length, field=field)


def product_choices(products: list[Product]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a product"))] + [
        SelectChoice(p.code, product_name(p)) for p in products
    ]


def household_choices(households: list[Household]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a household"))] + [
        SelectChoice(str(h.id), f"{h.code} — {h.head_name}") for h in households
    ]


class LotForm(FlaskForm):
    product_code = select_field(_l("Product"), _l("Choose the product of the lot."))
    note = note_field()


class DeliveryFields(FlaskForm):
    """What a delivery is: who, how much, at what price, on which day (recorded or corrected)."""

    household_id = select_field(_l("Household"), _l("Choose the household that delivered."))
    quantity = QuantityField(
        _l("Quantity delivered"),
        validators=[number_required(_l("Enter the quantity, for example %(example)s."), "12.5")],
    )
    unit_price_vnd = MoneyField(
        _l("Farmgate price per unit (đồng)"),
        validators=[number_required(_l("Enter the price, for example %(example)s."), 120000)],
    )
    collected_at = past_date(_l("Date of delivery"), _l("Enter the date of delivery."))


class CollectionForm(DeliveryFields):
    collected_at = past_date(
        _l("Date of delivery"), _l("Enter the date of delivery."), default=current_day
    )
    grade = text_field(_l("Grade (optional)"), max_length=40)
    moisture_pct = QuantityField(_l("Moisture in % (optional)"), validators=[Optional()])

    def posted_values(self) -> list[tuple[str, str]]:
        """The values as typed, to post again once confirmed."""
        typed = (
            self.quantity,
            self.unit_price_vnd,
            self.collected_at,
            self.grade,
            self.moisture_pct,
        )
        return [("household_id", self.household_id.data or "")] + [
            (field.name, field._value()) for field in typed
        ]

    def collection_data(self) -> dict[str, Any]:
        """The fields as valuechain.record_collection takes them."""
        return {
            "household_id": int(self.household_id.data),
            "quantity": self.quantity.data,
            "unit_price_vnd": self.unit_price_vnd.data,
            "collected_at": noon(self.collected_at.data),
            "grade": self.grade.data,
            "moisture_pct": self.moisture_pct.data,
        }


class TransformationForm(FlaskForm):
    # not `process`: that name is a method of every WTForms form
    step = select_field(
        _l("Processing step"), _l("Choose the processing step."), labels=PROCESS_LABELS
    )
    occurred_at = past_date(_l("Date"), _l("Enter the date."), default=current_day)
    output_product = select_field(_l("Product made"), _l("Choose the product made."))
    output_quantity = QuantityField(
        _l("Quantity made"),
        validators=[
            number_required(_l("Enter the quantity made, for example %(example)s."), "36.9")
        ],
    )
    note = note_field()

    def set_choices(self, lots: list[Lot], products: list[Product]) -> None:
        """Input lots that hold something, and the products an output may be."""
        choices = [SelectChoice("", _l("No lot"))] + [
            SelectChoice(
                str(lot.id),
                f"{lot.code} — {product_name(lot.product)} "
                f"({format_quantity(lot.quantity_remaining, lot.product.unit)})",
            )
            for lot in lots
        ]
        for row in range(1, INPUT_ROWS + 1):
            self[f"lot_{row}"].choices = choices
        self.output_product.choices = product_choices(products)

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"lot_{n}"], self[f"quantity_{n}"]) for n in range(1, INPUT_ROWS + 1)]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        filled = 0
        for lot, quantity in self.rows():
            if lot.data and quantity.data is None and not quantity.errors:
                quantity.errors = [*quantity.errors, _l("Enter the quantity taken from this lot.")]
                valid = False
            elif not lot.data and quantity.data is not None:
                lot.errors = [*lot.errors, _l("Choose the lot this quantity is taken from.")]
                valid = False
            filled += bool(lot.data)
        if not filled and not self.lot_1.errors:
            self.lot_1.errors = [*self.lot_1.errors, _l("Choose at least one input lot.")]
            valid = False
        self._errors = None  # form.errors is cached: recompute it with the errors added here
        return valid

    def inputs(self) -> list[tuple[int, Any]]:
        """(lot id, quantity taken) of the filled rows; empty rows are ignored."""
        return [(int(lot.data), quantity.data) for lot, quantity in self.rows() if lot.data]


for _row in range(1, INPUT_ROWS + 1):
    setattr(
        TransformationForm,
        f"lot_{_row}",
        SelectField(_l("Input lot %(n)d", n=_row), validators=[Optional()]),
    )
    setattr(
        TransformationForm,
        f"quantity_{_row}",
        QuantityField(_l("Quantity taken from lot %(n)d", n=_row), validators=[Optional()]),
    )


class PaymentForm(FlaskForm):
    household_id = select_field(_l("Household"), _l("Choose the household paid."))
    kind = select_field(
        _l("Kind of payment"),
        _l("Choose the kind of payment."),
        # farmgate payments come from deliveries
        labels={k: PAYMENT_KIND_LABELS[k] for k in (PaymentKind.SURPLUS, PaymentKind.OTHER)},
    )
    amount_vnd = MoneyField(
        _l("Amount (đồng)"),
        validators=[number_required(_l("Enter the amount, for example %(example)s."), 1500000)],
    )
    paid_at = past_date(_l("Date paid"), _l("Enter the date of payment."), default=current_day)
    note = note_field(StringField, max_length=1000)

    def payment_data(self) -> dict[str, Any]:
        """The fields as payments.record_payment takes them."""
        return {
            "household_id": int(self.household_id.data),
            "kind": self.kind.data,
            "amount_vnd": self.amount_vnd.data,
            "paid_at": noon(self.paid_at.data),
            "note": self.note.data or "",
        }
