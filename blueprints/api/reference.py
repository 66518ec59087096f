"""Reference lists: communes, products, poverty standards (public)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Select

from linkage.schemas.common import PaginationArgs
from linkage.schemas.reference import (
    CommuneArgs,
    CommuneSchema,
    PovertyStandardSchema,
    ProductArgs,
    ProductSchema,
)
from linkage.security import PUBLIC
from linkage.services import reference

from .common import api_allow, paged

blp = Blueprint(
    "api_reference", __name__, url_prefix="/api/v1", description="Reference data (public)"
)


@blp.route("/communes")
class Communes(MethodView):
    @api_allow(PUBLIC)
    @paged(blp, CommuneArgs, CommuneSchema)
    def get(self, args: dict[str, Any]) -> Select:
        """Communes and wards of the province."""
        return reference.communes_query(region=args.get("region"), q=args.get("q"))


@blp.route("/products")
class Products(MethodView):
    @api_allow(PUBLIC)
    @paged(blp, ProductArgs, ProductSchema)
    def get(self, args: dict[str, Any]) -> Select:
        """Products grown, processed or sold in the province."""
        return reference.products_query(category=args.get("category"))


@blp.route("/poverty-standards")
class PovertyStandards(MethodView):
    @api_allow(PUBLIC)
    @paged(blp, PaginationArgs, PovertyStandardSchema)
    def get(self, args: dict[str, Any]) -> Select:
        """National poverty standards with their income lines."""
        return reference.poverty_standards_query()
