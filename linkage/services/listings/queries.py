"""A cooperative's listings as its managers see them: every status, newest first."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from linkage.extensions import db
from models import Cooperative, Listing, ListingStatus, User

from ..errors import NotFound
from ..scope import manages


def not_found() -> NotFound:
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
        raise not_found()
    if cooperative_id is not None and listing.cooperative_id != cooperative_id:
        raise not_found()
    return listing
