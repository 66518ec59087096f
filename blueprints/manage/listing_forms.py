"""Forms of the listing pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from blueprints.forms import (
    FlaskForm,
    MoneyField,
    QuantityField,
    number_required,
    select_field,
    text_field,
)
from linkage.labels import LISTING_ACTION_LABELS as ACTION_LABELS
from linkage.labels import product_name
from linkage.services.listings import FIELDS as LISTING_FIELDS
from models import Certification, ListingStatus, Product

from .profile_forms import kind_label

# The buttons a listing shows in each status (sold_out is reached and left through stock).
STATUS_ACTIONS = {
    ListingStatus.DRAFT: (ListingStatus.ACTIVE, ListingStatus.ARCHIVED),
    ListingStatus.ACTIVE: (ListingStatus.PAUSED, ListingStatus.ARCHIVED),
    ListingStatus.PAUSED: (ListingStatus.ACTIVE, ListingStatus.ARCHIVED),
    ListingStatus.SOLD_OUT: (ListingStatus.ARCHIVED,),
    ListingStatus.ARCHIVED: (),
}


class StockField(QuantityField):
    """A stock quantity: zero is allowed (nothing left to sell), negatives are not."""

    example = Decimal("180.5")

    def check(self, number: Decimal) -> None:
        if number < 0:
            raise ValueError(_l("The quantity cannot be negative."))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (usable without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ListingForm(FlaskForm):
    product_code = select_field(_l("Product"), _l("Choose a product."))
    title = text_field(_l("Title"), max_length=200, required=_l("Enter a title."))
    description = text_field(_l("Description"), max_length=5000, field=TextAreaField)
    grade = text_field(_l("Grade (optional)"), max_length=40)
    unit_price_vnd = MoneyField(
        _l("Price per unit (đồng)"),
        validators=[number_required(_l("Enter the price, for example %(example)s."), 520000)],
    )
    quantity_available = StockField(
        _l("Quantity available"),
        validators=[InputRequired(message=_l("Enter the quantity available (0 if none yet)."))],
    )
    min_order_quantity = QuantityField(
        _l("Minimum order"),
        default=Decimal("1"),
        validators=[InputRequired(message=_l("Enter the smallest quantity a buyer may order."))],
    )
    harvest_start = DateField(_l("Harvest starts (optional)"), validators=[Optional()])
    harvest_end = DateField(_l("Harvest ends (optional)"), validators=[Optional()])
    certifications = CheckboxesField(_l("Certifications shown on the listing"), coerce=int)
    stock_seen = HiddenField()

    def set_choices(self, products: list[Product], certifications: list[Certification]) -> None:
        """The products to choose from and the cooperative's own certificates."""
        if "product_code" in self:
            self.product_code.choices = [SelectChoice("", _l("Choose a product"))] + [
                SelectChoice(p.code, product_name(p)) for p in products
            ]
        self.certifications.choices = [
            SelectChoice(c.id, f"{kind_label(c.kind)} {c.number}") for c in certifications
        ]

    def validate_harvest_end(self, field: DateField) -> None:
        start = self.harvest_start.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The harvest cannot end before it starts."))

    def listing_data(self) -> dict[str, Any]:
        """The fields as the listings service takes them."""
        data = {name: self[name].data for name in LISTING_FIELDS}
        if "product_code" in self:
            data["product_code"] = self.product_code.data
        data["certifications"] = self.certifications.data or []
        return data


class ListingStatusForm(FlaskForm):
    status = select_field(None, None, labels=ACTION_LABELS)
