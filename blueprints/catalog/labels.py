"""The names of the catalog's own enumeration (the order of the results), and select choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from linkage.labels import register
from linkage.services.listings.catalog import Sort

SORT_LABELS = {
    Sort.NEWEST: _l("Newest first"),
    Sort.PRICE_ASC: _l("Price: low to high"),
    Sort.PRICE_DESC: _l("Price: high to low"),
}

register(Sort, SORT_LABELS)  # label(sort) names the order of the results too


def choices(labels: dict, everything: str) -> list[tuple[str, str]]:
    """Select choices: the empty 'everything' option, then each value with its label."""
    return [("", everything), *((str(k.value), str(v)) for k, v in labels.items())]
