"""Listings: a cooperative's offers to buyers, their stock and their status (DESIGN 3, 4.1).

Stock changes only by conditional UPDATE statements, so a manager's edit and an order placed
at the same moment never overwrite each other. A listing becomes `sold_out` by itself when its
stock reaches zero and `active` again when a manager adds stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, select, update
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from linkage.numbers import format_quantity
from linkage.services.errors import Conflict, Invalid, NotFound, UnknownReference
from linkage.text import search_key
from models import (
    AuditAction,
    Certification,
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Product,
    User,
    to_quantity,
)

from . import audit
from .scope import manages

ENTITY = "listing"
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


def _not_found() -> NotFound:
    return NotFound(_("Listing not found."))


def cooperative_listings_query(cooperative: Cooperative, *, status: str | None = None) -> Select:
    """A cooperative's listings, every status unless one is asked for, newest first."""
    statement = (
        select(Listing)
        .where(Listing.cooperative_id == cooperative.id)
        .options(selectinload(Listing.product), selectinload(Listing.certifications))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
    )
    if status:
        statement = statement.where(Listing.status == ListingStatus(status))
    return statement


def get_listing_for(actor: User, listing_id: int, *, cooperative_id: int | None = None) -> Listing:
    """A listing of a cooperative the actor manages (admins: any); 404 otherwise."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not manages(actor, listing.cooperative_id):
        raise _not_found()
    if cooperative_id is not None and listing.cooperative_id != cooperative_id:
        raise _not_found()
    return listing


def create_listing(actor: User, cooperative: Cooperative, data: Mapping[str, Any]) -> Listing:
    """A new listing, a draft unless `status` is active (approved cooperatives only); audited."""
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))
    product = _product(data.get("product_code"))
    values = {name: data.get(name) for name in FIELDS}
    values["description"] = values["description"] or ""
    if values["min_order_quantity"] is None:
        values["min_order_quantity"] = Decimal("1")
    values = _validated(values)
    certifications = _certifications(cooperative.id, data.get("certifications") or ())
    status = _create_status(data.get("status"))
    if status == ListingStatus.ACTIVE:
        _check_can_activate(cooperative, values["quantity_available"])
    listing = Listing(
        cooperative_id=cooperative.id,
        product_id=product.id,
        status=status,
        certifications=certifications,
        **values,
    )
    listing.search_text = _search_text(listing.title, product)
    db.session.add(listing)
    db.session.flush()
    new = audit.snapshot(listing, AUDITED)
    new["certifications"] = sorted(c.id for c in certifications)
    audit.record(actor, AuditAction.CREATE, ENTITY, listing.id, new=new)
    return listing


def update_listing(
    actor: User,
    listing: Listing,
    data: Mapping[str, Any],
    *,
    expected_quantity: Decimal | None = None,
) -> Listing:
    """Change the given fields only (PATCH); `status`, if given, goes through its transitions.

    `expected_quantity` is the stock the editor saw: a stock left as shown is not touched, a new
    one replaces it only if it has not changed since (an order may have taken some), else 409.
    """
    if not manages(actor, listing.cooperative_id):
        raise _not_found()
    if listing.status == ListingStatus.ARCHIVED:
        raise Conflict(_("An archived listing can no longer be changed."))
    old = _state(listing)
    values = _validated({name: data.get(name, getattr(listing, name)) for name in FIELDS})
    if "product_code" in data:
        product = _product(data["product_code"])
        if product.id != listing.product_id and listing.status != ListingStatus.DRAFT:
            raise Conflict(
                _("The product can be changed only while the listing is a draft."),
                field="product_code",
            )
        listing.product = product
    if "certifications" in data:
        listing.certifications = _certifications(
            listing.cooperative_id, data["certifications"] or ()
        )
    stock = values.pop("quantity_available")
    for name, value in values.items():
        setattr(listing, name, value)
    listing.search_text = _search_text(listing.title, listing.product)
    db.session.flush()
    if expected_quantity is not None:
        # An editor who left the stock as shown keeps whatever it is now (orders may have moved it).
        if stock != to_quantity(expected_quantity):
            _replace_stock(listing, stock, expected_quantity)
    elif stock != listing.quantity_available:
        _replace_stock(listing, stock, None)
    _record_changes(actor, listing, old)
    if data.get("status") is not None:
        set_listing_status(actor, listing, ListingStatus(data["status"]))
    return listing


def set_listing_status(actor: User, listing: Listing, status: ListingStatus) -> Listing:
    """Activate, pause or archive a listing as the transitions allow (409 otherwise); audited."""
    if not manages(actor, listing.cooperative_id):
        raise _not_found()
    old_status = listing.status
    if status == old_status:
        return listing
    if status not in TRANSITIONS[old_status]:
        raise Conflict(
            _(
                "A listing that is %(old)s cannot become %(new)s.",
                old=status_label(old_status),
                new=status_label(status),
            ),
            field="status",
        )
    conditions: list[ColumnElement[bool]] = [
        Listing.id == listing.id,
        Listing.status == old_status,
    ]
    if status == ListingStatus.ACTIVE:
        _check_can_activate(listing.cooperative, listing.quantity_available)
        conditions.append(Listing.quantity_available > 0)
    # Conditional on the status (and stock) seen, so a concurrent order is never overruled.
    result = db.session.execute(
        update(Listing)
        .where(*conditions)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_("The listing changed meanwhile; reload the page and try again."))
    db.session.refresh(listing, ["status", "quantity_available", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        ENTITY,
        listing.id,
        old={"status": old_status},
        new={"status": status},
    )
    return listing


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


# --- helpers ---------------------------------------------------------------------------------


def _replace_stock(listing: Listing, stock: Decimal, expected: Decimal | None) -> None:
    """Set the stock in one statement; the status follows (sold out at 0, back when restocked)."""
    conditions: list[ColumnElement[bool]] = [Listing.id == listing.id]
    if expected is not None:
        conditions.append(Listing.quantity_available == to_quantity(expected))
    if stock == 0:
        status = case(
            (Listing.status == ListingStatus.ACTIVE.value, ListingStatus.SOLD_OUT.value),
            else_=Listing.status,
        )
    else:
        status = restocked_status()
    result = db.session.execute(
        update(Listing)
        .where(*conditions)
        .values(quantity_available=stock, status=status)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        current = db.session.scalar(
            select(Listing.quantity_available).where(Listing.id == listing.id)
        )
        raise Conflict(
            _(
                "The stock changed while you were editing (an order may have taken some): "
                "it is now %(quantity)s. Check the quantity and save again.",
                quantity=format_quantity(current or Decimal(0), listing.product.unit),
            ),
            field="quantity_available",
        )
    db.session.refresh(listing, ["quantity_available", "status", "updated_at"])


def restocked_status() -> ColumnElement[Any]:
    """SQL for the status after stock is added: a sold-out listing is on sale again.

    Only an approved cooperative's listing becomes active again; others wait, paused.
    """
    approved = (
        select(Cooperative.id)
        .where(
            Cooperative.id == Listing.cooperative_id,
            Cooperative.status == CooperativeStatus.APPROVED,
        )
        .exists()
    )
    sold_out = Listing.status == ListingStatus.SOLD_OUT.value
    return case(
        (and_(sold_out, approved), ListingStatus.ACTIVE.value),
        (sold_out, ListingStatus.PAUSED.value),
        else_=Listing.status,
    )


def _state(listing: Listing) -> dict[str, Any]:
    state = audit.snapshot(listing, AUDITED)
    state["certifications"] = sorted(c.id for c in listing.certifications)
    return state


def _record_changes(actor: User, listing: Listing, old: dict[str, Any]) -> None:
    new = _state(listing)
    changed = [name for name in new if new[name] != old[name]]
    if changed:
        audit.record(
            actor,
            AuditAction.UPDATE,
            ENTITY,
            listing.id,
            old={name: old[name] for name in changed},
            new={name: new[name] for name in changed},
        )


def _search_text(title: str, product: Product) -> str:
    return search_key(title, product.name_vi, product.name_en)


def _product(code: Any) -> Product:
    if not isinstance(code, str) or not code.strip() or "\x00" in code:
        raise Invalid(_("Choose a product."), field="product_code")
    product = db.session.scalars(select(Product).where(Product.code == code.strip())).first()
    if product is None:
        raise UnknownReference(_("Unknown product code."), field="product_code")
    return product


def _certifications(cooperative_id: int, ids: Iterable[Any]) -> list[Certification]:
    wanted = set()
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise _invalid(_("Unknown certification."), "certifications")
        wanted.add(value)
    if not wanted:
        return []
    found = db.session.scalars(
        select(Certification)
        .where(Certification.id.in_(wanted), Certification.cooperative_id == cooperative_id)
        .order_by(Certification.id)
    ).all()
    if len(found) != len(wanted):
        raise _invalid(
            _("A certification must be one of this cooperative's own."), "certifications"
        )
    return list(found)


def _create_status(value: Any) -> ListingStatus:
    if value is None:
        return ListingStatus.DRAFT
    try:
        status = ListingStatus(value)
    except ValueError:
        status = None
    if status not in CREATE_STATUSES:
        raise _invalid(_("A new listing is either a draft or active."), "status")
    return status


def _check_can_activate(cooperative: Cooperative, quantity: Decimal) -> None:
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


def _invalid(message: str, field: str) -> Invalid:
    return Invalid(message, field=field)


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    """The field rules of a listing (shared by create and update); 422 on the first broken."""
    title = (values.get("title") or "").strip()
    if not title:
        raise _invalid(_("Enter a title."), "title")
    if len(title) > 200:
        raise _invalid(_("The title is too long (200 characters at most)."), "title")
    description = (values.get("description") or "").strip()
    if len(description) > 5000:
        raise _invalid(_("The description is too long."), "description")
    grade = (values.get("grade") or "").strip() or None
    if grade is not None and len(grade) > 40:
        raise _invalid(_("The grade is too long (40 characters at most)."), "grade")
    for name, text in (("title", title), ("description", description), ("grade", grade or "")):
        if "\x00" in text:
            raise _invalid(_("Remove the invalid characters."), name)
    price = values.get("unit_price_vnd")
    if isinstance(price, bool) or not isinstance(price, int):
        raise _invalid(_("Enter the price in whole đồng."), "unit_price_vnd")
    if not 0 <= price <= MAX_PRICE_VND:
        raise _invalid(_("The price cannot be negative."), "unit_price_vnd")
    stock = _quantity(values.get("quantity_available"), "quantity_available")
    if stock < 0:
        raise _invalid(_("The quantity available cannot be negative."), "quantity_available")
    minimum = _quantity(values.get("min_order_quantity"), "min_order_quantity")
    if minimum <= 0:
        raise _invalid(_("The minimum order must be greater than zero."), "min_order_quantity")
    start, end = values.get("harvest_start"), values.get("harvest_end")
    if start is not None and end is not None and end < start:
        raise _invalid(_("The harvest cannot end before it starts."), "harvest_end")
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
        raise _invalid(_("Enter a quantity."), field)
    try:
        quantity = Decimal(str(value))
    except ArithmeticError:
        raise _invalid(_("Enter a quantity."), field) from None
    if not quantity.is_finite():
        raise _invalid(_("Enter a quantity."), field)
    if abs(quantity) >= MAX_QUANTITY:
        raise _invalid(_("This quantity is too large."), field)
    if quantity != quantity.quantize(Decimal("0.001")):
        raise _invalid(_("Enter a number with at most 3 decimals."), field)
    return to_quantity(quantity)
