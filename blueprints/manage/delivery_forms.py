"""The dashboard's "Record a delivery" form: a lot, a household typed by code or name, the
quantity and the price; the delivery is dated today."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired, Optional

from blueprints.forms import FlaskForm, MoneyField, QuantityField, select_field, text_field
from linkage.labels import label
from linkage.services.valuechain import deliveries
from models import Cooperative, Household, Lot

from .valuechain_forms import product_name

MAX_CHOICES = 20  # households listed when a name fragment matches several


def lot_label(lot: Lot) -> str:
    """'DT-2026-0003 — Ba kích tươi (kg)'."""
    return f"{lot.code} — {product_name(lot.product)} ({label(lot.product.unit)})"


class DeliveryForm(FlaskForm):
    lot_id = select_field(_l("Collection lot"), _l("Choose the lot the produce goes into."))
    household = text_field(
        _l("Household: code or name"),
        max_length=80,
        required=_l("Enter the household's code or part of its name."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    # shown only when the household field names several households
    household_id = RadioField(
        _l("Households that match"), choices=[], validators=[Optional()], validate_choice=False
    )
    quantity = QuantityField(
        _l("Quantity delivered"),
        validators=[InputRequired(message=_l("Enter the quantity, for example 12,5."))],
    )
    unit_price_vnd = MoneyField(
        _l("Farmgate price per unit (đồng)"),
        validators=[InputRequired(message=_l("Enter the price, for example 120.000."))],
    )

    def set_lots(self, lots: list[Lot]) -> None:
        self.lot_id.choices = [SelectChoice("", _l("Choose a lot"))] + [
            SelectChoice(
                str(lot.id),
                lot_label(lot),
                render_kw={"data-unit": label(lot.product.unit)},
            )
            for lot in lots
        ]

    def resolve_household(self, cooperative: Cooperative) -> Household | None:
        """The one member household the form names, or None with the reason on the field (and
        the matches to choose from when there are several)."""
        text = (self.household.data or "").strip()
        matches = deliveries.find_households(cooperative, text)
        chosen = next((h for h in matches if str(h.id) == self.household_id.data), None)
        if chosen is not None or len(matches) == 1:
            return chosen or matches[0]
        if not matches:
            message = _("No member household matches “%(text)s”.", text=text)
        elif len(matches) > MAX_CHOICES:
            message = _(
                "More than %(count)d member households match “%(text)s”: type more of the name,"
                " or the code.",
                count=MAX_CHOICES,
                text=text,
            )
        else:
            message = _("Several member households match “%(text)s”: choose one.", text=text)
        self.household_id.choices = [
            (str(h.id), f"{h.code} — {h.head_name}") for h in matches[:MAX_CHOICES]
        ]
        self.household_id.data = None
        self.household.errors = [*self.household.errors, message]
        self._errors = None  # form.errors is cached
        return None

    def posted_values(self, household: Household) -> list[tuple[str, Any]]:
        """The values as typed, to post again once confirmed (the household by its id)."""
        return [
            ("lot_id", self.lot_id.data),
            ("household", self.household.data),
            ("household_id", str(household.id)),
            ("quantity", self.quantity._value()),
            ("unit_price_vnd", self.unit_price_vnd._value()),
        ]
