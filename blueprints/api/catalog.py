"""The public catalog: listings of approved cooperatives, searched, and one with provenance."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.schemas.catalog import (
    CatalogArgs,
    CatalogListingDetailSchema,
    CatalogListingSchema,
    ListingWithProvenance,
    filters_from,
)
from linkage.schemas.common import envelope, page_of
from linkage.security import PUBLIC
from linkage.services.listings import catalog
from linkage.services.paging import paginate

from .common import api_allow

blp = Blueprint(
    "api_catalog", __name__, url_prefix="/api/v1", description="Catalog: public listings"
)

LISTING_ID = "<id:listing_id>"


@blp.route("/listings")
class Listings(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(CatalogArgs, location="query")
    @blp.response(200, page_of(CatalogListingSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Active and sold-out listings of approved cooperatives, searched and filtered.

        `q` ignores accents and case (`giao co lam` finds `Giảo cổ lam`) and matches the
        title, the product, the cooperative and its commune; `min_price` above `max_price`
        is refused with 422.
        """
        statement = catalog.search_listings(filters_from(args))
        return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.route(f"/listings/{LISTING_ID}")
class ListingDetail(MethodView):
    @api_allow(PUBLIC)
    @blp.response(200, CatalogListingDetailSchema)
    def get(self, listing_id: int) -> ListingWithProvenance:
        """One listing buyers may see, with the lots it ships from (each with its trace page)."""
        listing = catalog.get_public_listing(listing_id)
        return ListingWithProvenance(listing, catalog.listing_provenance(listing))
