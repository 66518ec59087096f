"""Schemas of cooperatives."""

from __future__ import annotations

from marshmallow import fields, validate

from models import CertificationKind, CooperativeStatus, Region

from . import codes
from .base import Schema
from .common import PaginationArgs


class CertificationSchema(Schema):
    kind = fields.Enum(CertificationKind, by_value=True)
    number = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date()


class CooperativeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    registration_no = fields.String()
    commune_code = fields.String(required=True)
    commune_name = fields.Function(lambda c: c.commune.name)
    region = fields.Function(
        lambda c: c.commune.region.value,
        metadata={"type": "string", "enum": [r.value for r in Region]},
    )
    description = fields.String()
    status = fields.Enum(CooperativeStatus, by_value=True)
    certifications = fields.List(fields.Nested(CertificationSchema))


class CooperativeArgs(PaginationArgs):
    region = fields.Enum(Region, by_value=True)


class CooperativeCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    commune_code = codes.commune_code(required=True)
    registration_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    address = fields.String(validate=validate.Length(max=300))
    contact_name = fields.String(validate=validate.Length(max=120))
    contact_phone = fields.String(validate=validate.Length(max=20))
    contact_email = fields.Email()


class StatusChangeSchema(Schema):
    reason = fields.String(validate=validate.Length(max=1000))
