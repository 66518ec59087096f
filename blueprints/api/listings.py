"""API resources: a cooperative's listings, created and changed by its managers.

The public catalog (GET /listings, GET /listings/{id}) is added to this blueprint later.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import Select

from linkage.extensions import db
from linkage.schemas.listings import (
    ListingArgs,
    ListingCreateSchema,
    ListingSchema,
    ListingUpdateSchema,
    harvest_in_order,
)
from linkage.services import cooperatives, listings
from models import Listing, Role

from .common import api_allow, paged, refuses

blp = Blueprint("api_listings", __name__, url_prefix="/api/v1", description="Listings")


@blp.route("/cooperatives/<id:cooperative_id>/listings")
class CooperativeListings(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @refuses(404)
    @paged(blp, ListingArgs, ListingSchema)
    def get(self, args: dict[str, Any], cooperative_id: int) -> Select:
        """A cooperative's listings in every status (its managers)."""
        cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
        return listings.cooperative_listings_query(cooperative, status=args.get("status"))

    @api_allow(Role.MANAGER, Role.ADMIN)
    @refuses(404, 409)
    @blp.arguments(ListingCreateSchema)
    @blp.response(201, ListingSchema)
    def post(self, data: dict[str, Any], cooperative_id: int) -> Listing:
        """List a product for sale: a draft, or active for an approved cooperative."""
        cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
        listing = listings.create_listing(current_user, cooperative, data)
        db.session.commit()
        return listing


@blp.route("/listings/<id:listing_id>")
class ListingDetail(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @refuses(404, 409)
    @blp.arguments(ListingUpdateSchema, required=False)
    @blp.response(200, ListingSchema)
    def patch(self, data: dict[str, Any], listing_id: int) -> Listing:
        """Change some fields of a listing; `status` follows the allowed transitions (409)."""
        listing = listings.get_listing_for(current_user, listing_id)
        data = harvest_in_order(data, listing.harvest_start, listing.harvest_end)
        listings.update_listing(current_user, listing, data)
        db.session.commit()
        return listing
