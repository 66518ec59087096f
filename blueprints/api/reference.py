"""Reference lists: communes, products, poverty standards (public)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from linkage.schemas.common import PaginationArgs, envelope, page_of
from linkage.schemas.reference import (
    CommuneArgs,
    CommuneSchema,
    PovertyStandardSchema,
    ProductArgs,
    ProductSchema,
)
from linkage.security import PUBLIC
from linkage.services import reference
from linkage.services.paging import paginate

from .common import api_allow

blp = Blueprint(
    "api_reference", __name__, url_prefix="/api/v1", description="Reference data (public)"
)


@blp.route("/communes")
class Communes(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(CommuneArgs, location="query")
    @blp.response(200, page_of(CommuneSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Communes and wards of the province."""
        statement = reference.communes_query(region=args.get("region"), q=args.get("q"))
        return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.route("/products")
class Products(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(ProductArgs, location="query")
    @blp.response(200, page_of(ProductSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Products grown, processed or sold in the province."""
        statement = reference.products_query(category=args.get("category"))
        return envelope(paginate(statement, args["page"], args["per_page"]))


@blp.route("/poverty-standards")
class PovertyStandards(MethodView):
    @api_allow(PUBLIC)
    @blp.arguments(PaginationArgs, location="query")
    @blp.response(200, page_of(PovertyStandardSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """National poverty standards with their income lines."""
        statement = reference.poverty_standards_query()
        return envelope(paginate(statement, args["page"], args["per_page"]))
