"""The public catalog: listings of approved cooperatives, searched, and one with provenance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select

from linkage.schemas.catalog import (
    CatalogArgs,
    CatalogListingDetailSchema,
    CatalogListingSchema,
    ListingWithProvenance,
    filters_from,
)
from linkage.security import PUBLIC
from linkage.services.listings import catalog

from .common import api_allow, paged

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
        is refused with 422.
        """
        return catalog.search_listings(filters_from(args))


@blp.route("/listings/<id:listing_id>")
class ListingDetail(MethodView):
    @api_allow(PUBLIC)
    @blp.response(200, CatalogListingDetailSchema)
    def get(self, listing_id: int) -> ListingWithProvenance:
        """One listing buyers may see, with the lots it ships from (each with its trace page)."""
        listing = catalog.get_public_listing(listing_id)
        return ListingWithProvenance(listing, catalog.listing_provenance(listing))
