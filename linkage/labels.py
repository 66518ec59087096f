"""One vocabulary: the translated name of every value of the domain's enumerations, and of
a product.

Pages, forms, exports and services name a unit, a category, a status... through these tables
or `label(value)` (also a template global), so a value reads the same everywhere. A page that
names a value for one purpose (a button, a heading over a count) says so: `label(value,
"action")`; those names are here too.
"""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from models import (
    AuditAction,
    BuyerKind,
    CertificationKind,
    CollectionStatus,
    CooperativeStatus,
    ListingStatus,
    LotOrigin,
    OfficialStatus,
    OrderStatus,
    PaymentKind,
    Process,
    Product,
    ProductCategory,
    Region,
    Role,
    SupportProgramme,
    Unit,
)
from models.reference import shown_names

UNIT_LABELS = {Unit.KG: _l("kg"), Unit.LITRE: _l("litre"), Unit.ITEM: _l("item")}
CATEGORY_LABELS = {
    ProductCategory.MEDICINAL: _l("Medicinal plants"),
    ProductCategory.CROP: _l("Crops"),
    ProductCategory.LIVESTOCK: _l("Livestock"),
    ProductCategory.PROCESSED: _l("Processed products"),
}
REGION_LABELS = {
    Region.URBAN: _l("Urban"),
    Region.MIDLAND: _l("Midland"),
    Region.MOUNTAIN: _l("Mountain"),
}
# proper names of certificates stay as they are; the OCOP stars are translated
CERTIFICATION_LABELS = {
    CertificationKind.VIETGAP: "VietGAP",
    CertificationKind.GACP_WHO: "GACP-WHO",
    CertificationKind.ORGANIC: _l("Organic"),
    CertificationKind.OCOP_3: _l("OCOP 3 stars"),
    CertificationKind.OCOP_4: _l("OCOP 4 stars"),
    CertificationKind.OCOP_5: _l("OCOP 5 stars"),
}
OFFICIAL_STATUS_LABELS = {
    OfficialStatus.POOR: _l("Poor"),
    OfficialStatus.NEAR_POOR: _l("Near poor"),
    OfficialStatus.NOT_POOR: _l("Not poor"),
}
NOT_YET_KNOWN_LABEL = _l("Not yet known")
PROCESS_LABELS = {
    Process.DRYING: _l("Drying"),
    Process.SLICING: _l("Slicing"),
    Process.SORTING: _l("Sorting"),
    Process.PACKING: _l("Packing"),
}
PAYMENT_KIND_LABELS = {
    PaymentKind.FARMGATE: _l("Farmgate payment for a delivery"),
    PaymentKind.SURPLUS: _l("Share of the surplus"),
    PaymentKind.OTHER: _l("Other payment"),
}
LOT_ORIGIN_LABELS = {
    LotOrigin.COLLECTION: _l("Collected from member households"),
    LotOrigin.TRANSFORMATION: _l("Made by processing"),
}
COOPERATIVE_STATUS_LABELS = {
    CooperativeStatus.PENDING: _l("Waiting for approval"),
    CooperativeStatus.APPROVED: _l("Approved"),
    CooperativeStatus.SUSPENDED: _l("Suspended"),
}
BUYER_KIND_LABELS = {
    BuyerKind.TRADER: _l("Trader"),
    BuyerKind.PROCESSOR: _l("Processor"),
    BuyerKind.PHARMACEUTICAL: _l("Pharmaceutical company"),
    BuyerKind.HOSPITAL: _l("Hospital"),
    BuyerKind.RETAILER: _l("Retailer"),
}
SUPPORT_PROGRAMME_LABELS = {
    SupportProgramme.POLICY_LOAN: _l("Policy loan (Bank for Social Policies)"),
    SupportProgramme.CROP_VARIETY: _l("Crop variety"),
    SupportProgramme.LIVESTOCK_BREED: _l("Livestock breed"),
    SupportProgramme.VOCATIONAL_TRAINING: _l("Vocational training"),
    SupportProgramme.HOUSING_REPAIR: _l("Housing repair"),
    SupportProgramme.HEALTH_INSURANCE: _l("Health insurance"),
    SupportProgramme.OTHER: _l("Other support"),
}
# the state of a record typed at a collection point or a commune (a delivery, a support)
RECORD_STATUS_LABELS = {
    CollectionStatus.RECORDED: _l("recorded"),
    CollectionStatus.CORRECTED: _l("corrected"),
    CollectionStatus.VOID: _l("void"),
}
ROLE_LABELS = {
    Role.ADMIN: _l("administrator"),
    Role.MANAGER: _l("cooperative manager"),
    Role.BUYER: _l("buyer"),
    Role.OFFICIAL: _l("official"),
}
# what an entry of the audit log records
AUDIT_ACTION_LABELS = {
    AuditAction.CREATE: _l("created"),
    AuditAction.UPDATE: _l("changed"),
    AuditAction.DELETE: _l("deleted"),
    AuditAction.READ: _l("read"),
    AuditAction.EXPORT: _l("exported"),
    AuditAction.LOGIN: _l("logged in"),
    AuditAction.LOGIN_FAILED: _l("failed login"),
    AuditAction.LOGOUT: _l("logged out"),
    AuditAction.TOKEN_ISSUE: _l("API token issued"),
    AuditAction.TOKEN_REVOKE: _l("API token revoked"),
    AuditAction.DENIED: _l("access refused (403)"),
    AuditAction.NOT_FOUND: _l("missing or out of scope (404)"),
}
ORDER_STATUS_LABELS = {
    OrderStatus.PLACED: _l("Placed"),
    OrderStatus.ACCEPTED: _l("Accepted"),
    OrderStatus.REJECTED: _l("Rejected"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.SHIPPED: _l("Shipped"),
    OrderStatus.DELIVERED: _l("Delivered"),
    OrderStatus.PAID: _l("Paid"),
}
LISTING_STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.ACTIVE: _l("On sale"),
    ListingStatus.PAUSED: _l("Paused"),
    ListingStatus.SOLD_OUT: _l("Sold out"),
    ListingStatus.ARCHIVED: _l("Archived"),
}
# the button that moves a listing into a status (sold out is reached through its stock)
LISTING_ACTION_LABELS = {
    ListingStatus.ACTIVE: _l("Put on sale"),
    ListingStatus.PAUSED: _l("Pause"),
    ListingStatus.ARCHIVED: _l("Archive"),
}
# the manager's overview: what an open order waits for
OPEN_ORDER_LABELS = {
    OrderStatus.PLACED: _l("New, to accept or reject"),
    OrderStatus.ACCEPTED: _l("Accepted, to ship"),
    OrderStatus.SHIPPED: _l("Shipped, awaiting delivery"),
}
# the manager's overview: the month's payments, summed by kind
PAYMENT_TOTAL_LABELS = {
    PaymentKind.FARMGATE: _l("Farmgate payments for collections"),
    PaymentKind.SURPLUS: _l("Surplus shares"),
    PaymentKind.OTHER: _l("Other payments"),
}

BY_TYPE: dict[type[enum.Enum], dict[Any, Any]] = {
    Unit: UNIT_LABELS,
    ProductCategory: CATEGORY_LABELS,
    Region: REGION_LABELS,
    CertificationKind: CERTIFICATION_LABELS,
    OfficialStatus: OFFICIAL_STATUS_LABELS,
    Process: PROCESS_LABELS,
    PaymentKind: PAYMENT_KIND_LABELS,
    LotOrigin: LOT_ORIGIN_LABELS,
    CooperativeStatus: COOPERATIVE_STATUS_LABELS,
    BuyerKind: BUYER_KIND_LABELS,
    SupportProgramme: SUPPORT_PROGRAMME_LABELS,
    CollectionStatus: RECORD_STATUS_LABELS,
    OrderStatus: ORDER_STATUS_LABELS,
    Role: ROLE_LABELS,
    AuditAction: AUDIT_ACTION_LABELS,
    ListingStatus: LISTING_STATUS_LABELS,
}
BY_PURPOSE: dict[str, dict[Any, Any]] = {
    "action": LISTING_ACTION_LABELS,
    "to_do": OPEN_ORDER_LABELS,
    "totals": PAYMENT_TOTAL_LABELS,
}


def register(enum_class: type[enum.Enum], labels: dict[Any, Any]) -> None:
    """Let `label()` name the values of an enumeration defined outside the models."""
    BY_TYPE[enum_class] = labels


def label(value: enum.Enum | None, purpose: str | None = None) -> str:
    """The translated name of an enumeration value ('' for None; the raw value for an
    enumeration without a table, which a test of every model enumeration forbids); with a
    `purpose` (a key of BY_PURPOSE), its name for that purpose."""
    if value is None:
        return ""
    table = BY_PURPOSE[purpose] if purpose else BY_TYPE.get(type(value), {})
    return str(table.get(value, value.value))


def product_name(product: Product) -> str:
    """A product's name in the page's language (Product.display_name)."""
    return product.display_name(str(get_locale()))


def product_names(name_vi: str, name_en: str) -> list[tuple[str, str]]:
    """A product's names shown on this page, each with its language (for `lang`)."""
    return shown_names(name_vi, name_en, str(get_locale()))


def template_globals() -> dict[str, Any]:
    """What templates name things with: `label()`, the products' names, and the enumerations
    with names (for the pages that list their values, such as a status filter)."""
    names: dict[str, Any] = {cls.__name__: cls for cls in BY_TYPE}
    return {**names, "label": label, "product_names": product_names}
