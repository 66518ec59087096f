"""The names of the impact figures' own values (transitions, ethnicity groups, key figures),
registered with `linkage.labels` so that `label()` names them as it names the models' values,
and the label of a summary row."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from linkage.labels import NOT_YET_KNOWN_LABEL, label, register
from models import OfficialStatus, ProductCategory, Region, SupportProgramme
from models.reference import FORMER_PROVINCE_NAMES

from .figures import Figure
from .filters import EthnicityGroup
from .grouping import NOT_YET_KNOWN, NOT_YET_SOLD, OTHER_PAYMENTS, PRODUCTS, GroupBy
from .poverty import Transition

TRANSITION_LABELS = {
    Transition.EXIT: _l("Exit from poverty"),
    Transition.IMPROVED: _l("Improved"),
    Transition.UNCHANGED: _l("Unchanged"),
    Transition.WORSENED: _l("Worsened"),
}
ETHNICITY_GROUP_LABELS = {
    EthnicityGroup.MINORITY: _l("Ethnic minorities"),
    EthnicityGroup.KINH: _l("Kinh"),
}
FIGURE_LABELS = {
    Figure.COOPERATIVES: _l("Cooperatives"),
    Figure.HOUSEHOLDS: _l("Member households"),
    Figure.POOR_SHARE: _l("Share of households poor"),
    Figure.NEAR_POOR_SHARE: _l("Share of households near poor"),
    Figure.SALES: _l("Sales"),
    Figure.PAID: _l("Paid to households"),
    Figure.ATTRIBUTED: _l("Attributed sales"),
    Figure.TO_VULNERABLE: _l("Share of income reaching poor and near-poor households"),
    Figure.FARMER_SHARE: _l("Farmer share of the end price"),
    Figure.EXITS: _l("Projected exits from poverty"),
    Figure.WORSENED: _l("Households that worsened"),
    Figure.NOT_YET_KNOWN: _l("Households left out: official status not yet known"),
}
# the rows of the grouping by product that are no product
PRODUCT_ROW_LABELS = {
    OTHER_PAYMENTS: _l("Payments for no delivery"),
    NOT_YET_SOLD: _l("Deliveries not yet sold"),
}
# one line each: how a key figure is computed (shown under its tile)
FIGURE_NOTES = {
    Figure.COOPERATIVES: _l("Cooperatives with at least one of these households as a member."),
    Figure.HOUSEHOLDS: _l("Member households in scope whose official status is known."),
    Figure.POOR_SHARE: _l("Households officially poor ÷ member households."),
    Figure.NEAR_POOR_SHARE: _l("Households officially near poor ÷ member households."),
    Figure.SALES: _l("Orders paid to the cooperatives in scope during the period."),
    Figure.PAID: _l("Payments of the cooperatives to these households dated in the period."),
    Figure.TO_VULNERABLE: _l("Paid to poor and near-poor households ÷ paid to households."),
    Figure.FARMER_SHARE: _l("Paid to households ÷ the sales traced back to their produce."),
    Figure.EXITS: _l("Poor or near poor officially, not poor by the projected income."),
    Figure.WORSENED: _l("Households whose projected status is below their official status."),
    Figure.NOT_YET_KNOWN: _l("Households without an official status: left out of every figure."),
}
register(Transition, TRANSITION_LABELS)
register(EthnicityGroup, ETHNICITY_GROUP_LABELS)
register(Figure, FIGURE_LABELS)

# groupings whose keys are values of an enumeration named by `label()`
KEYED_BY = {
    GroupBy.REGION: Region,
    GroupBy.OFFICIAL_STATUS: OfficialStatus,
    GroupBy.ETHNICITY_GROUP: EthnicityGroup,
    GroupBy.PRODUCT_CATEGORY: ProductCategory,
    GroupBy.SUPPORT_PROGRAMME: SupportProgramme,
}


def group_label(group: GroupBy, key: Any, name: str) -> str:
    """The label of a summary row: its enumeration value's name, the former province's name,
    or the name the query gave (a commune, cooperative, ethnic group or product)."""
    if key == NOT_YET_KNOWN and group in (GroupBy.ETHNICITY, GroupBy.ETHNICITY_GROUP):
        return str(NOT_YET_KNOWN_LABEL)
    if key in PRODUCT_ROW_LABELS and group in PRODUCTS:
        return str(PRODUCT_ROW_LABELS[key])
    if group in KEYED_BY:
        return label(KEYED_BY[group](key))
    if group == GroupBy.FORMER_PROVINCE:
        return FORMER_PROVINCE_NAMES.get(key, str(key))
    return name or str(key)
