"""Forms of the manager's order page: reject, ship from lots, record the payment."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from blueprints.forms import FlaskForm, QuantityField, text_field
from linkage.services.orders import AllocationRequest
from linkage.services.periods import VIETNAM, current_day
from linkage.templating import format_quantity
from models import Lot, Order, utcnow

ROWS = 3  # lot rows offered per order line; a line rarely comes from more lots


def paid_at_of(day: date) -> datetime:
    """The moment a payment 'received on `day`' is recorded at: the end of that day, or now."""
    return min(utcnow(), datetime.combine(day, time(23, 59, 59), VIETNAM))


class AcceptForm(FlaskForm):
    submit = SubmitField(_l("Accept the order"))


class RejectForm(FlaskForm):
    reason = text_field(
        _l("Reason for the buyer"),
        max_length=1000,
        required=_l("Tell the buyer why the order is rejected."),
        field=TextAreaField,
    )
    submit = SubmitField(_l("Reject the order"))


class PayForm(FlaskForm):
    paid_on = DateField(
        _l("Date the payment was received"),
        default=current_day,
        validators=[InputRequired(message=_l("Enter the date of the payment."))],
    )
    reference = text_field(_l("Payment reference (optional)"), max_length=100)
    submit = SubmitField(_l("Record the payment"))

    def validate_paid_on(self, field: DateField) -> None:
        if field.data and field.data > current_day():
            raise ValidationError(_l("The payment date is in the future."))


class AllocationRow(Form):
    """One lot and the quantity taken from it; a row left empty is ignored."""

    lot = SelectField(_l("Lot"), choices=[], validators=[Optional()])
    quantity = QuantityField(_l("Quantity"), validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.lot.data and self.quantity.data is None and not self.quantity.errors:
            self.quantity.errors = [*self.quantity.errors, _("Enter the quantity from this lot.")]
            valid = False
        if not self.lot.data and self.quantity.data is not None:
            self.lot.errors = [*self.lot.errors, _("Choose the lot of this quantity.")]
            valid = False
        return valid


class _ShipForm(FlaskForm):
    submit = SubmitField(_l("Ship the order"))

    def allocations(self, order: Order) -> list[AllocationRequest]:
        """The filled rows as allocation requests."""
        chosen = []
        for line in order.lines:
            for row in self[f"line_{line.id}"]:
                if row.lot.data and row.quantity.data is not None:
                    chosen.append(AllocationRequest(line.id, int(row.lot.data), row.quantity.data))
        return chosen


def ship_form(order: Order, lots_by_product: dict[int, list[Lot]], unit_labels: Any) -> _ShipForm:
    """A form with ROWS lot rows per line; each row offers the lots of the line's product."""

    class ShipForm(_ShipForm):
        pass

    for line in order.lines:
        rows = FieldList(FormField(AllocationRow), min_entries=ROWS, max_entries=ROWS)
        setattr(ShipForm, f"line_{line.id}", rows)
    form = ShipForm(prefix="ship")
    for line in order.lines:
        unit = unit_labels(line.listing.product.unit)
        choices = [SelectChoice("", _("Choose a lot"))] + [
            SelectChoice(
                str(lot.id),
                _(
                    "%(code)s (%(quantity)s %(unit)s left)",
                    code=lot.code,
                    quantity=format_quantity(lot.quantity_remaining),
                    unit=unit,
                ),
            )
            for lot in lots_by_product.get(line.listing.product_id, [])
        ]
        for number, row in enumerate(form[f"line_{line.id}"], start=1):
            row.lot.choices = choices
            row.lot.label.text = _("Lot %(number)d", number=number)
            row.quantity.label.text = _("Quantity from lot %(number)d", number=number)
    return form
