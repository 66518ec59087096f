"""Schemas of the reference data."""

from __future__ import annotations

from marshmallow import fields, validate

from models import Area, CommuneKind, FormerProvince, ProductCategory, Region, Unit

from .base import Schema
from .common import PaginationArgs


class CommuneSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.Enum(CommuneKind, by_value=True)
    province = fields.String()
    former_province = fields.Enum(FormerProvince, by_value=True)
    region = fields.Enum(Region, by_value=True)
    area = fields.Enum(Area, by_value=True)
    disadvantaged = fields.Boolean()


class CommuneArgs(PaginationArgs):
    region = fields.Enum(Region, by_value=True)
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Name contains"})


class ProductSchema(Schema):
    id = fields.Integer()
    code = fields.String(required=True)
    name_vi = fields.String()
    name_en = fields.String()
    scientific_name = fields.String(allow_none=True)
    category = fields.Enum(ProductCategory, by_value=True)
    unit = fields.Enum(Unit, by_value=True)
    form = fields.String(allow_none=True)


class ProductArgs(PaginationArgs):
    category = fields.Enum(ProductCategory, by_value=True)


class PovertyStandardSchema(Schema):
    code = fields.String(required=True)
    valid_from = fields.Date()
    valid_to = fields.Date()
    rural_line_vnd = fields.Integer()
    urban_line_vnd = fields.Integer()
    deprivation_threshold = fields.Integer()
