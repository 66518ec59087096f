"""Enumerations of the domain, stored as constrained strings."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum as SAEnum


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    BUYER = "buyer"
    OFFICIAL = "official"


class FormerProvince(enum.StrEnum):
    PHU_THO = "phu_tho"
    VINH_PHUC = "vinh_phuc"
    HOA_BINH = "hoa_binh"


class Region(enum.StrEnum):
    URBAN = "urban"
    MIDLAND = "midland"
    MOUNTAIN = "mountain"


class Area(enum.StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class CommuneKind(enum.StrEnum):
    COMMUNE = "xa"
    WARD = "phuong"


class ProductCategory(enum.StrEnum):
    MEDICINAL = "medicinal"
    CROP = "crop"
    LIVESTOCK = "livestock"
    PROCESSED = "processed"


class Unit(enum.StrEnum):
    KG = "kg"
    LITRE = "l"
    ITEM = "item"


class CertificationKind(enum.StrEnum):
    VIETGAP = "vietgap"
    GACP_WHO = "gacp_who"
    ORGANIC = "organic"
    OCOP_3 = "ocop_3"
    OCOP_4 = "ocop_4"
    OCOP_5 = "ocop_5"


class CooperativeStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class BuyerKind(enum.StrEnum):
    TRADER = "trader"
    PROCESSOR = "processor"
    PHARMACEUTICAL = "pharmaceutical"
    HOSPITAL = "hospital"
    RETAILER = "retailer"


class OfficialStatus(enum.StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    NOT_POOR = "not_poor"


class SupportProgramme(enum.StrEnum):
    POLICY_LOAN = "policy_loan"
    CROP_VARIETY = "crop_variety"
    LIVESTOCK_BREED = "livestock_breed"
    VOCATIONAL_TRAINING = "vocational_training"
    HOUSING_REPAIR = "housing_repair"
    HEALTH_INSURANCE = "health_insurance"
    OTHER = "other"


class ListingStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    SOLD_OUT = "sold_out"
    ARCHIVED = "archived"


class LotOrigin(enum.StrEnum):
    COLLECTION = "collection"
    TRANSFORMATION = "transformation"


class Process(enum.StrEnum):
    DRYING = "drying"
    SLICING = "slicing"
    SORTING = "sorting"
    PACKING = "packing"


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PAID = "paid"


class PaymentKind(enum.StrEnum):
    FARMGATE = "farmgate"
    SURPLUS = "surplus"
    OTHER = "other"


class CollectionStatus(enum.StrEnum):
    RECORDED = "recorded"
    CORRECTED = "corrected"
    VOID = "void"


class ChangeAction(enum.StrEnum):
    CORRECT = "correct"
    VOID = "void"


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    READ = "read"
    EXPORT = "export"
    # authentication and access (issue 14): who came in, who was turned away
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    TOKEN_ISSUE = "token_issue"  # noqa: S105 (an action, not a token)
    TOKEN_REVOKE = "token_revoke"  # noqa: S105
    DENIED = "denied"  # 403: the caller's role may not use the route
    NOT_FOUND = "not_found"  # 404 on an object route: missing or outside the caller's scope


def str_enum(enum_class: type[enum.StrEnum], name: str) -> SAEnum:
    """A string column constrained by CHECK to the enum's values (no native DB enum)."""
    return SAEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=_values,
        validate_strings=True,
    )


def _values(enum_class: Any) -> list[str]:
    return [member.value for member in enum_class]
