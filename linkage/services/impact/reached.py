"""Households that policy reached and the market did not: poor and near-poor households that
received a loan or a variety but sold nothing through a cooperative in the period."""

from __future__ import annotations

from sqlalchemy import exists, func, select

from linkage.extensions import db
from linkage.services.aggregates.keys import in_period
from linkage.services.periods import Period
from linkage.services.scope import Actor
from models import Commune, Household, HouseholdMonthIncome, OfficialStatus, SupportProgramme

from .filters import ImpactFilters, checked_scope, household_conditions
from .groups import supported

# a loan to invest, or a variety or breed to grow: support meant to produce for a market
PRODUCTIVE = (
    SupportProgramme.POLICY_LOAN,
    SupportProgramme.CROP_VARIETY,
    SupportProgramme.LIVESTOCK_BREED,
)


def supported_without_sales(actor: Actor, period: Period, filters: ImpactFilters) -> dict[str, int]:
    """By commune code: the households in scope (and filters) whose official status is poor or
    near poor, that received a counted loan or variety on or before the period's last day,
    and that have no counted payment (farmgate, surplus or other) dated in the period."""
    scope = checked_scope(actor, filters)
    given = supported(period)
    productive = exists().where(
        given.c.household_id == Household.id, given.c.programme.in_(PRODUCTIVE)
    )
    sold = exists().where(
        HouseholdMonthIncome.household_id == Household.id,
        in_period(HouseholdMonthIncome.month, period),
        HouseholdMonthIncome.payments > 0,
    )
    statement = (
        select(Household.commune_code, func.count(Household.id))
        .join(Commune, Commune.code == Household.commune_code)
        .where(
            scope.households(),
            Household.official_status.in_((OfficialStatus.POOR, OfficialStatus.NEAR_POOR)),
            productive,
            ~sold,
            *household_conditions(period, filters),
        )
        .group_by(Household.commune_code)
    )
    return {code: int(count) for code, count in db.session.execute(statement)}
