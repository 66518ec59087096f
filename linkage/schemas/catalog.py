"""Schemas of the public catalog: search arguments, listing rows, a listing with provenance.

Only what buyers may see: no field here reaches a household (DESIGN 4.4).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from marshmallow import fields, validate

from linkage.services.listings.catalog import CatalogFilters, Provenance, Sort
from models import (
    CertificationKind,
    Listing,
    ProductCategory,
    Region,
    Unit,
)

from .base import Schema
from .common import PaginationArgs, QuantityField, identifier
from .cooperatives import CertificationSchema
from .listings import ListingTermsSchema

MAX_PRICE = 10**15


class CatalogArgs(PaginationArgs):
    """`GET /api/v1/listings` query arguments."""

    q = fields.String(
        validate=validate.Length(max=200),
        metadata={
            "description": "Words or word starts of the title or product, accents ignored",
            "example": "ba kich",
        },
    )
    product = fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$"), metadata={"example": "PT-BA-KICH-KHO"}
    )
    category = fields.Enum(ProductCategory, by_value=True)
    commune = fields.String(validate=validate.Regexp(r"^[0-9]{5}$"), metadata={"example": "08914"})
    region = fields.Enum(Region, by_value=True)
    certification = fields.Enum(
        CertificationKind, by_value=True, metadata={"description": "Valid today"}
    )
    cooperative = identifier(strict=False)
    min_price = fields.Integer(
        validate=validate.Range(min=0, max=MAX_PRICE), metadata={"description": "VND per unit"}
    )
    max_price = fields.Integer(
        validate=validate.Range(min=0, max=MAX_PRICE), metadata={"description": "VND per unit"}
    )
    sort = fields.Enum(Sort, by_value=True, load_default=Sort.NEWEST)


def filters_from(args: dict[str, Any]) -> CatalogFilters:
    """The service's filters from loaded CatalogArgs."""
    names = CatalogFilters.__dataclass_fields__
    return CatalogFilters(**{k: v for k, v in args.items() if k in names})


class CatalogCooperativeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    commune_code = fields.String(required=True)
    commune_name = fields.String(attribute="commune.name", required=True)
    region = fields.Enum(Region, by_value=True, attribute="commune.region", required=True)


class CatalogListingSchema(ListingTermsSchema):
    """A catalog row."""

    description = fields.String(required=True)
    product_code = fields.String(attribute="product.code", required=True)
    product_name_vi = fields.String(attribute="product.name_vi", required=True)
    product_name_en = fields.String(attribute="product.name_en", required=True)
    category = fields.Enum(
        ProductCategory, by_value=True, attribute="product.category", required=True
    )
    unit = fields.Enum(Unit, by_value=True, attribute="product.unit", required=True)
    cooperative = fields.Nested(CatalogCooperativeSchema, required=True)
    certifications = fields.List(fields.Nested(CertificationSchema), required=True)


def trace_url(code: str) -> str:
    """The public trace page of a lot."""
    return f"/trace/{quote(code, safe='')}"


class CatalogLotSchema(Schema):
    code = fields.String(required=True)
    quantity_remaining = QuantityField(required=True)
    trace_url = fields.Function(
        lambda lot: trace_url(lot.code),
        required=True,
        metadata={"type": "string", "example": "/trace/DT-2026-0001"},
    )


class CatalogProvenanceSchema(Schema):
    shipped_lots = fields.List(
        fields.Nested(CatalogLotSchema),
        required=True,
        metadata={"description": "Lots already shipped against orders of this listing"},
    )
    stock_lots = fields.List(
        fields.Nested(CatalogLotSchema),
        required=True,
        metadata={"description": "The cooperative's lots of this product with stock left"},
    )


class CatalogListingDetailSchema(CatalogListingSchema):
    """A listing with the provenance of the lots it ships from."""

    provenance = fields.Nested(CatalogProvenanceSchema, required=True)


class ListingWithProvenance:
    """A listing and its provenance, dumped as one object by CatalogListingDetailSchema."""

    def __init__(self, listing: Listing, provenance: Provenance) -> None:
        self._listing = listing
        self.provenance = provenance

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listing, name)
