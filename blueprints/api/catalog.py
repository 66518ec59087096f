"""The public catalog: listings of approved cooperatives, searched, and one with provenance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select, false, select

from linkage.schemas.catalog import (
    CatalogArgs,
    CatalogListingDetailSchema,
    CatalogListingSchema,
    ListingWithProvenance,
    filters_from,
)
from linkage.security import PUBLIC
from linkage.services.listings import catalog
from models import Listing

from .common import api_allow, paged, refuses

blp = Blueprint(
    "api_catalog", __name__, url_prefix="/api/v1", description="Catalog: public listings"
)


@blp.route("/listings")
class Listings(MethodView):
    @api_allow(PUBLIC)
    @paged(blp, CatalogArgs, CatalogListingSchema)
    def get(self, args: dict[str, Any]) -> Select:
        """Active and sold-out listings of approved cooperatives, searched and filtered.

        `q` ignores accents and case (`giao co lam` finds `Giảo cổ lam`) and matches the
        title, the product, the cooperative and its commune; `min_price` above `max_price`
        is an empty range: an empty page.
        """
        filters = filters_from(args)
        low, high = filters.min_price, filters.max_price
        if low is not None and high is not None and low > high:
            # the document allows it, so it is no error (the catalog page explains instead)
            return select(Listing).where(false())
        return catalog.search_listings(filters)


@blp.route("/listings/<id:listing_id>")
class ListingDetail(MethodView):
    @api_allow(PUBLIC)
    @refuses(404)
    @blp.response(200, CatalogListingDetailSchema)
    def get(self, listing_id: int) -> ListingWithProvenance:
        """One listing buyers may see, with the lots it ships from (each with its trace page)."""
        listing = catalog.get_public_listing(listing_id)
        return ListingWithProvenance(listing, catalog.listing_provenance(listing))
