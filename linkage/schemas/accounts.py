"""Schemas of accounts and tokens."""

from __future__ import annotations

from marshmallow import fields, validate

from models import Role

from .base import Schema
from .common import PRINTABLE


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=[validate.Length(min=3, max=254), PRINTABLE])
    password = fields.String(required=True, validate=[validate.Length(min=1, max=200), PRINTABLE])


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True)
    cooperative_ids = fields.Function(lambda u: [c.id for c in u.cooperatives])
    commune_codes = fields.Function(lambda u: [c.code for c in u.communes])
    province_wide = fields.Boolean()
