"""Which households and sales the impact figures cover: the filters, checked against the scope
and written as WHERE conditions."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, select

from linkage.extensions import db
from linkage.services.counted import counted
from linkage.services.errors import NotFound
from linkage.services.periods import Period
from linkage.services.scope import Actor, Scope, of
from linkage.services.search import code_or_name
from models import (
    Collection,
    Commune,
    Cooperative,
    FormerProvince,
    Household,
    Lot,
    Membership,
    OfficialStatus,
    Product,
    ProductCategory,
    Region,
)

from .poverty import Transition

KINH = "01"  # the one ethnic group that is not an ethnic minority


class EthnicityGroup(enum.StrEnum):
    MINORITY = "minority"
    KINH = "kinh"


@dataclass(frozen=True)
class ImpactFilters:
    """Which households (and cooperatives) the figures cover, within the actor's scope.

    Place filters (former province, region, commune) and cooperative and product category
    narrow both the households and the market sales; household filters (ethnicity group,
    official status, meritorious, needs review, and `q` on code or name) narrow the households
    only; projected status and transition apply to the household list.
    """

    commune: str | None = None
    cooperative: int | None = None
    projected_status: OfficialStatus | None = None
    transition: Transition | None = None
    former_province: FormerProvince | None = None
    region: Region | None = None
    product_category: ProductCategory | None = None
    ethnicity_group: EthnicityGroup | None = None
    official_status: OfficialStatus | None = None
    meritorious: bool | None = None
    needs_review: bool | None = None
    q: str | None = None  # in the code, or word starts of the head's name (search.code_or_name)

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, as plain values (for audit entries and file headers)."""
        values = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value is not None:
                values[name] = value.value if isinstance(value, enum.Enum) else value
        return values


def checked_scope(actor: Actor, filters: ImpactFilters) -> Scope:
    """The actor's scope, when it has a jurisdiction (officials, admins, the public's
    province); a commune or cooperative outside it answers 404, and so does a search by code
    or name from a scope that may not name households (the public's)."""
    scope = of(actor)
    if not scope.has_jurisdiction:
        raise NotFound(_("Not found."))
    if filters.q and not scope.names_households:
        # a search by code or name would tell whether such a household exists
        raise NotFound(_("Not found."))
    if filters.commune is not None and (
        db.session.get(Commune, filters.commune) is None or not scope.has_commune(filters.commune)
    ):
        raise NotFound(_("Commune not found."))
    if filters.cooperative is not None:
        cooperative = db.session.get(Cooperative, filters.cooperative)
        visible = cooperative is not None and (
            scope.has_commune(cooperative.commune_code)
            or db.session.scalar(
                select(
                    exists().where(
                        Membership.cooperative_id == cooperative.id,
                        Membership.household_id == Household.id,
                        scope.households(),
                    )
                )
            )
        )
        if not visible:
            raise NotFound(_("Cooperative not found."))
    return scope


def household_conditions(period: Period, filters: ImpactFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions on Household (joined with its Commune) for the filters."""
    conditions: list[ColumnElement[bool]] = []
    if filters.commune:
        conditions.append(Household.commune_code == filters.commune)
    if filters.former_province:
        conditions.append(Commune.former_province == filters.former_province)
    if filters.region:
        conditions.append(Commune.region == filters.region)
    if filters.cooperative:
        conditions.append(
            exists().where(
                Membership.household_id == Household.id,
                Membership.cooperative_id == filters.cooperative,
            )
        )
    if filters.product_category:
        # households that delivered produce of the category in the period
        conditions.append(
            exists()
            .where(
                Collection.household_id == Household.id,
                *counted(Collection),
                Collection.collected_at >= period.starts_at,
                Collection.collected_at < period.ends_before,
                Lot.id == Collection.lot_id,
                Product.id == Lot.product_id,
                Product.category == filters.product_category,
            )
            .correlate(Household)
        )
    matches = code_or_name(filters.q, Household.code, Household.head_name)
    if matches is not None:
        conditions.append(matches)
    # an ethnicity not yet known is in neither group
    if filters.ethnicity_group == EthnicityGroup.KINH:
        conditions.append(Household.ethnic_group_code == KINH)
    elif filters.ethnicity_group == EthnicityGroup.MINORITY:
        conditions.append(Household.ethnic_group_code.is_not(None))
        conditions.append(Household.ethnic_group_code != KINH)
    if filters.official_status:
        conditions.append(Household.official_status == filters.official_status)
    if filters.meritorious is not None:
        conditions.append(Household.meritorious == filters.meritorious)
    if filters.needs_review is not None:
        conditions.append(Household.needs_review == filters.needs_review)
    return conditions
