"""Forms to correct or void a delivery and to void a payment, always with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

from linkage.services.periods import VIETNAM
from linkage.services.valuechain.corrections import MAX_REASON, MIN_REASON
from models import Collection

from .valuechain_forms import DeliveryFields, noon


def reason_field() -> TextAreaField:
    return TextAreaField(
        _l("Why (kept with the record)"),
        validators=[
            InputRequired(message=_l("Say why the record changes.")),
            Length(
                min=MIN_REASON,
                max=MAX_REASON,
                message=_l("Say why in 5 to 1,000 characters."),
            ),
        ],
    )


class CorrectionForm(DeliveryFields):
    reason = reason_field()

    def fill(self, collection: Collection) -> None:
        """Start from the delivery's current values."""
        self.household_id.data = str(collection.household_id)
        self.quantity.data = collection.quantity
        self.unit_price_vnd.data = collection.unit_price_vnd
        self.collected_at.data = collection.collected_at.astimezone(VIETNAM).date()

    def changes(self, collection: Collection) -> dict[str, Any]:
        """Only what differs from the delivery (a date kept as it was keeps its time)."""
        changed: dict[str, Any] = {}
        if int(self.household_id.data) != collection.household_id:
            changed["household_id"] = int(self.household_id.data)
        if self.quantity.data != collection.quantity:
            changed["quantity"] = self.quantity.data
        if self.unit_price_vnd.data != collection.unit_price_vnd:
            changed["unit_price_vnd"] = self.unit_price_vnd.data
        day: date = self.collected_at.data
        if day != collection.collected_at.astimezone(VIETNAM).date():
            changed["collected_at"] = noon(day)
        return changed


class VoidForm(FlaskForm):
    reason = reason_field()
    confirm = BooleanField(
        _l("Yes, void this record: it will count in no total or figure"),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )
