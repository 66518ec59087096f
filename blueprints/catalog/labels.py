"""Translated names of the catalog's enumerations, for filters and pages."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from linkage.labels import CATEGORY_LABELS, CERTIFICATION_LABELS, REGION_LABELS, UNIT_LABELS
from linkage.services.listings.catalog import Sort
from models import CertificationKind, ProductCategory, Region, Unit

SORT_LABELS = {
    Sort.NEWEST: _l("Newest first"),
    Sort.PRICE_ASC: _l("Price: low to high"),
    Sort.PRICE_DESC: _l("Price: high to low"),
}

_BY_TYPE: dict[type, dict] = {
    ProductCategory: CATEGORY_LABELS,
    Region: REGION_LABELS,
    CertificationKind: CERTIFICATION_LABELS,
    Sort: SORT_LABELS,
    Unit: UNIT_LABELS,
}


def label(value: enum.Enum | None) -> str:
    """The translated name of an enumeration value of the catalog ('' for None)."""
    if value is None:
        return ""
    labels = _BY_TYPE.get(type(value), {})
    return str(labels.get(value, value.value))


def choices(labels: dict, everything: str) -> list[tuple[str, str]]:
    """Select choices: the empty 'everything' option, then each value with its label."""
    return [("", everything), *((str(k.value), str(v)) for k, v in labels.items())]
