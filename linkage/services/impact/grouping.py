"""The groupings of the impact summary (`GroupBy`) and the keys of the rows that are no
value of their grouping."""

from __future__ import annotations

import enum
from typing import Any

NOT_YET_KNOWN = "not_yet_known"  # the key of the row of households whose ethnicity is unknown
# by product: the rows of payments for no delivery, and for deliveries not yet sold
OTHER_PAYMENTS = "other_payments"
NOT_YET_SOLD = "not_yet_sold"


class GroupBy(enum.StrEnum):
    COMMUNE = "commune"
    REGION = "region"
    FORMER_PROVINCE = "former_province"
    COOPERATIVE = "cooperative"
    ETHNICITY = "ethnicity"
    ETHNICITY_GROUP = "ethnicity_group"
    PRODUCT = "product"
    PRODUCT_CATEGORY = "product_category"
    OFFICIAL_STATUS = "official_status"
    # a household with several programmes counts in each: the rows do not add up
    SUPPORT_PROGRAMME = "support_programme"


PLACES = (GroupBy.COMMUNE, GroupBy.REGION, GroupBy.FORMER_PROVINCE)
PRODUCTS = (GroupBy.PRODUCT, GroupBy.PRODUCT_CATEGORY)


def product_key(group: GroupBy, product: Any) -> Any:
    """What names a product's row: its code (by product) or its category."""
    return product.code if group == GroupBy.PRODUCT else product.category
