"""A listing's stock and the status that follows it, changed only by conditional UPDATEs.

A listing becomes `sold_out` by itself when its stock reaches zero and on sale again when
stock is added (only an approved cooperative's; others wait, paused), so a manager's edit,
an order placed and an order given back at the same moment never overwrite each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, select, update

from linkage.extensions import db
from linkage.numbers import format_quantity
from models import Cooperative, CooperativeStatus, Listing, ListingStatus, to_quantity

from ..errors import Conflict


def replace_stock(listing: Listing, stock: Decimal, expected: Decimal | None) -> None:
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
