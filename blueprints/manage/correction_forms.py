"""Forms to correct or void a delivery and to void a payment, always with a reason (the
reason and the void form are shared with the other records: blueprints.record_forms)."""

from __future__ import annotations

from datetime import date
from typing import Any

from blueprints.record_forms import VoidForm, reason_field
from linkage.services.periods import VIETNAM
from models import Collection

from .valuechain_forms import DeliveryFields, noon

__all__ = ["CorrectionForm", "VoidForm"]


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
