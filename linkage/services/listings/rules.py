"""The rules of a listing, said once for the pages and the API: its fields' values, its
product and certificates, and which status may follow which (DESIGN 3, 4.1)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from linkage.extensions import db
from linkage.text import word_index
from models import (
    Certification,
    Cooperative,
    CooperativeStatus,
    ListingStatus,
    Product,
    to_quantity,
)

from ..errors import Conflict, Invalid, NotFound, UnknownReference

# The fields a manager sets (pages and API alike); `product_code`, `certifications` and
# `status` have their own rules.
FIELDS = (
    "title",
    "description",
    "grade",
    "unit_price_vnd",
    "quantity_available",
    "min_order_quantity",
    "harvest_start",
    "harvest_end",
)
AUDITED = ("product_id", *FIELDS, "status")
# Who may follow whom; sold_out is entered and left by stock changes, never by hand.
TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.ACTIVE: frozenset({ListingStatus.PAUSED, ListingStatus.ARCHIVED}),
    ListingStatus.PAUSED: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.SOLD_OUT: frozenset({ListingStatus.ARCHIVED}),
    ListingStatus.ARCHIVED: frozenset(),
}
CREATE_STATUSES = (ListingStatus.DRAFT, ListingStatus.ACTIVE)
MAX_PRICE_VND = 10**15
MAX_QUANTITY = Decimal("100000000000")


def status_label(status: ListingStatus) -> str:
    """The translated name of a listing status."""
    labels = {
        ListingStatus.DRAFT: _("draft"),
        ListingStatus.ACTIVE: _("active"),
        ListingStatus.PAUSED: _("paused"),
        ListingStatus.SOLD_OUT: _("sold out"),
        ListingStatus.ARCHIVED: _("archived"),
    }
    return labels[status]


def search_text(title: str, product: Product) -> str:
    """The listing's searched words: its title's and its product's names (linkage.text)."""
    return word_index(title, product.name_vi, product.name_en)


def product(code: Any) -> Product:
    if not isinstance(code, str) or not code.strip() or "\x00" in code:
        raise Invalid(_("Choose a product."), field="product_code")
    product = db.session.scalars(select(Product).where(Product.code == code.strip())).first()
    if product is None:
        raise UnknownReference(_("Unknown product code."), field="product_code")
    return product


def certifications(cooperative_id: int, ids: Iterable[Any]) -> list[Certification]:
    wanted = set()
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise Invalid(_("Unknown certification."), field="certifications")
        wanted.add(value)
    if not wanted:
        return []
    found = db.session.scalars(
        select(Certification)
        .where(Certification.id.in_(wanted), Certification.cooperative_id == cooperative_id)
        .order_by(Certification.id)
    ).all()
    if len(found) != len(wanted):
        # another cooperative's certification is not the caller's to name: 404
        raise NotFound(
            _("A certification must be one of this cooperative's own."), field="certifications"
        )
    return list(found)


def create_status(value: Any) -> ListingStatus:
    if value is None:
        return ListingStatus.DRAFT
    try:
        status = ListingStatus(value)
    except ValueError:
        status = None
    if status not in CREATE_STATUSES:
        raise Invalid(_("A new listing is either a draft or active."), field="status")
    return status


def check_can_activate(cooperative: Cooperative, quantity: Decimal) -> None:
    if cooperative.status != CooperativeStatus.APPROVED:
        raise Conflict(
            _(
                "Only an approved cooperative's listings can be put on sale; "
                "keep it as a draft until the cooperative is approved."
            ),
            field="status",
        )
    if quantity <= 0:
        raise Conflict(
            _("Add the quantity available before putting the listing on sale."),
            field="quantity_available",
        )


def validated(values: dict[str, Any]) -> dict[str, Any]:
    """The field rules of a listing (shared by create and update); 422 on the first broken."""
    title = (values.get("title") or "").strip()
    if not title:
        raise Invalid(_("Enter a title."), field="title")
    if len(title) > 200:
        raise Invalid(_("The title is too long (200 characters at most)."), field="title")
    description = (values.get("description") or "").strip()
    if len(description) > 5000:
        raise Invalid(_("The description is too long."), field="description")
    grade = (values.get("grade") or "").strip() or None
    if grade is not None and len(grade) > 40:
        raise Invalid(_("The grade is too long (40 characters at most)."), field="grade")
    for name, text in (("title", title), ("description", description), ("grade", grade or "")):
        if "\x00" in text:
            raise Invalid(_("Remove the invalid characters."), field=name)
    price = values.get("unit_price_vnd")
    if isinstance(price, bool) or not isinstance(price, int):
        raise Invalid(_("Enter the price in whole đồng."), field="unit_price_vnd")
    if not 0 <= price <= MAX_PRICE_VND:
        raise Invalid(_("The price cannot be negative."), field="unit_price_vnd")
    stock = _quantity(values.get("quantity_available"), "quantity_available")
    if stock < 0:
        raise Invalid(_("The quantity available cannot be negative."), field="quantity_available")
    minimum = _quantity(values.get("min_order_quantity"), "min_order_quantity")
    if minimum <= 0:
        raise Invalid(_("The minimum order must be greater than zero."), field="min_order_quantity")
    # A stock below the minimum order is allowed: sales leave listings so anyway, and the
    # catalog, the listing's page and the order form show it cannot be ordered
    # (Listing.below_minimum, orders.place_order).
    start, end = values.get("harvest_start"), values.get("harvest_end")
    # the manager's form refuses a reversed window and the API puts it in order: the last guard
    if start is not None and end is not None and end < start:
        raise Invalid(_("The harvest cannot end before it starts."), field="harvest_end")
    return {
        **values,
        "title": title,
        "description": description,
        "grade": grade,
        "quantity_available": stock,
        "min_order_quantity": minimum,
    }


def _quantity(value: Any, field: str) -> Decimal:
    if value is None or isinstance(value, bool):
        raise Invalid(_("Enter a quantity."), field=field)
    try:
        quantity = Decimal(str(value))
    except ArithmeticError:
        raise Invalid(_("Enter a quantity."), field=field) from None
    if not quantity.is_finite():
        raise Invalid(_("Enter a quantity."), field=field)
    if abs(quantity) >= MAX_QUANTITY:
        raise Invalid(_("This quantity is too large."), field=field)
    if quantity != quantity.quantize(Decimal("0.001")):
        raise Invalid(_("Enter a number with at most 3 decimals."), field=field)
    return to_quantity(quantity)
