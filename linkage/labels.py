"""One vocabulary: the translated name of every value of the domain's enumerations.

Pages, forms, exports and services name a unit, a category, a status... through these tables
or `label(value)` (also a template global), so a value reads the same everywhere.
"""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import lazy_gettext as _l

from models import (
    BuyerKind,
    CertificationKind,
    CollectionStatus,
    CooperativeStatus,
    LotOrigin,
    OfficialStatus,
    PaymentKind,
    Process,
    ProductCategory,
    Region,
    SupportProgramme,
    Unit,
)

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
}


def register(enum_class: type[enum.Enum], labels: dict[Any, Any]) -> None:
    """Let `label()` name the values of an enumeration defined outside the models."""
    BY_TYPE[enum_class] = labels


def label(value: enum.Enum | None) -> str:
    """The translated name of an enumeration value ('' for None; the raw value for an
    enumeration without a table, which a test of every model enumeration forbids)."""
    if value is None:
        return ""
    return str(BY_TYPE.get(type(value), {}).get(value, value.value))
