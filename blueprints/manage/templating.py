"""What the templates of every manager page may use: labels of enumerations, names, days."""

from __future__ import annotations

from blueprints.common import day
from blueprints.manage import bp
from linkage.labels import LOT_ORIGIN_LABELS, PAYMENT_KIND_LABELS, PROCESS_LABELS

from .listing_forms import STATUS_LABELS, UNIT_LABELS
from .profile_forms import kind_label
from .valuechain_forms import UNIT_NAMES, product_name


@bp.context_processor
def page_globals() -> dict[str, object]:
    return {
        "listing_status_labels": STATUS_LABELS,
        "unit_labels": UNIT_LABELS,
        "kind_label": kind_label,
        "process_labels": PROCESS_LABELS,
        "origin_labels": LOT_ORIGIN_LABELS,
        "payment_kind_labels": PAYMENT_KIND_LABELS,
        "unit_names": UNIT_NAMES,
        "product_name": product_name,
        "day": day,
    }
