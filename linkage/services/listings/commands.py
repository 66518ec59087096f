"""Listings: a cooperative's offers to buyers, created, changed and moved through their
statuses by its managers; audited (DESIGN 3, 4.1).

Stock changes go through `stock` (conditional UPDATEs, the status following the stock), the
values through `rules`, so a manager's edit and an order placed at the same moment never
overwrite each other, and the pages and the API refuse the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, update

from linkage.extensions import db
from models import AuditAction, Cooperative, Listing, ListingStatus, User, to_quantity

from .. import audit
from ..errors import Conflict
from ..scope import manages, require_manager
from . import rules
from .queries import not_found
from .rules import AUDITED, FIELDS, TRANSITIONS, status_label
from .stock import replace_stock

ENTITY = "listing"


def create_listing(actor: User, cooperative: Cooperative, data: Mapping[str, Any]) -> Listing:
    """A new listing, a draft unless `status` is active (approved cooperatives only); audited."""
    require_manager(actor, cooperative.id)
    product = rules.product(data.get("product_code"))
    values = {name: data.get(name) for name in FIELDS}
    values["description"] = values["description"] or ""
    if values["min_order_quantity"] is None:
        values["min_order_quantity"] = Decimal("1")
    values = rules.validated(values)
    certifications = rules.certifications(cooperative.id, data.get("certifications") or ())
    status = rules.create_status(data.get("status"))
    if status == ListingStatus.ACTIVE:
        rules.check_can_activate(cooperative, values["quantity_available"])
    listing = Listing(
        cooperative_id=cooperative.id,
        product_id=product.id,
        status=status,
        certifications=certifications,
        **values,
    )
    listing.search_text = rules.search_text(listing.title, product)
    db.session.add(listing)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, ENTITY, listing.id, new=_state(listing))
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
        raise not_found()
    if listing.status == ListingStatus.ARCHIVED:
        raise Conflict(_("An archived listing can no longer be changed."))
    old = _state(listing)
    values = rules.validated({name: data.get(name, getattr(listing, name)) for name in FIELDS})
    if "product_code" in data:
        product = rules.product(data["product_code"])
        if product.id != listing.product_id and listing.status != ListingStatus.DRAFT:
            raise Conflict(
                _("The product can be changed only while the listing is a draft."),
                field="product_code",
            )
        listing.product = product
    if "certifications" in data:
        listing.certifications = rules.certifications(
            listing.cooperative_id, data["certifications"] or ()
        )
    stock = values.pop("quantity_available")
    for name, value in values.items():
        setattr(listing, name, value)
    listing.search_text = rules.search_text(listing.title, listing.product)
    db.session.flush()
    if expected_quantity is not None:
        # An editor who left the stock as shown keeps whatever it is now (orders may have moved it).
        if stock != to_quantity(expected_quantity):
            replace_stock(listing, stock, expected_quantity)
    elif stock != listing.quantity_available:
        replace_stock(listing, stock, None)
    audit.record_update(actor, ENTITY, listing.id, old, _state(listing))
    if data.get("status") is not None:
        set_listing_status(actor, listing, ListingStatus(data["status"]))
    return listing


def set_listing_status(actor: User, listing: Listing, status: ListingStatus) -> Listing:
    """Activate, pause or archive a listing as the transitions allow (409 otherwise); audited."""
    if not manages(actor, listing.cooperative_id):
        raise not_found()
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
        rules.check_can_activate(listing.cooperative, listing.quantity_available)
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


def _state(listing: Listing) -> dict[str, Any]:
    """What the audit log keeps of a listing: its fields, status and certificates."""
    state = audit.snapshot(listing, AUDITED)
    state["certifications"] = sorted(c.id for c in listing.certifications)
    return state
