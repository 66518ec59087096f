"""Schemas of accounts and tokens."""

from __future__ import annotations

from marshmallow import fields, validate

from models import Role

from .base import Schema
from .common import PRINTABLE


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=[validate.Length(min=3, max=254), PRINTABLE])
    password = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), PRINTABLE],
        metadata={"secret": True},  # compared as typed (linkage.schemas.base)
    )


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


class TokenInfoSchema(Schema):
    """A live token as its user sees it in the list: never the token itself."""

    id = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(
        required=True, allow_none=True, metadata={"description": "null before its first use"}
    )
    expires_at = fields.AwareDateTime(
        required=True, metadata={"description": "absolute limit: 90 days after it was issued"}
    )
    idle_expires_at = fields.AwareDateTime(
        required=True,
        metadata={"description": "when it stops working unless used before (14 days idle)"},
    )
    current = fields.Boolean(
        required=True, metadata={"description": "true for the token of this request"}
    )


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.Enum(Role, by_value=True)
    cooperative_ids = fields.Function(lambda u: [c.id for c in u.cooperatives])
    commune_codes = fields.Function(lambda u: [c.code for c in u.communes])
    province_wide = fields.Boolean()
