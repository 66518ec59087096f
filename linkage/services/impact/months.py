"""Impact figures month by month: sales, payments to households and attributed sales."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.aggregates.keys import in_period, number_of
from linkage.services.periods import Period
from linkage.services.reference import standard_in_force
from linkage.services.scope import Actor, Scope
from models import (
    Commune,
    CooperativeMonthSales,
    Household,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
)

from . import cells
from .filters import ImpactFilters, checked_scope, household_conditions
from .projection import kept_period
from .sales import as_int, sales_lines


def monthly(actor: Actor, period: Period, filters: ImpactFilters) -> list[dict[str, Any]]:
    """Sales, payments to households and attributed sales for each month of the period, read
    from the kept cells by month when they can answer, else from the write-time aggregates
    (one GROUP BY month each)."""
    scope = checked_scope(actor, filters)
    sales = sales_lines(
        scope,
        period,
        filters,
        CooperativeMonthSales.month,
        as_int(func.sum(CooperativeMonthSales.sales_vnd)),
    ).group_by(CooperativeMonthSales.month)
    figures = {"sales_vnd": dict(db.session.execute(sales).all())}
    kept = _kept_months(scope, period, filters)
    figures.update(_household_months(scope, period, filters) if kept is None else kept)
    return [
        {
            "month": str(month),
            **{name: values.get(number_of(month), 0) for name, values in figures.items()},
        }
        for month in period.each_month()
    ]


def _kept_months(
    scope: Scope, period: Period, filters: ImpactFilters
) -> dict[str, dict[int, int]] | None:
    """Platform income and attributed sales by month from the kept cells (None when the
    period is not kept or the cells cannot answer the scope and filters)."""
    standard = standard_in_force(period.end.last_day)
    kept = None if standard is None else kept_period(period, standard)
    if kept is None or not cells.served(scope, filters, cells.MONTH):
        return None
    c = cells.kept_cells(kept.id, scope, period, standard, filters, cells.MONTH)
    statement = (
        select(
            c.c.pkey,
            as_int(func.sum(c.c.platform_income_vnd)),
            as_int(func.sum(c.c.attributed_sales_vnd)),
        )
        .where(c.c.official_status.is_not(None))
        .group_by(c.c.pkey)
    )
    figures: dict[str, dict[int, int]] = {"platform_income_vnd": {}, "attributed_sales_vnd": {}}
    for month, platform, attributed in db.session.execute(statement):
        figures["platform_income_vnd"][int(month)] = platform
        figures["attributed_sales_vnd"][int(month)] = attributed
    return figures


def _household_months(
    scope: Scope, period: Period, filters: ImpactFilters
) -> dict[str, dict[int, int]]:
    """Platform income and attributed sales by month from the write-time aggregates."""
    conditions = household_conditions(period, filters)
    if not scope.whole_province:
        conditions.append(scope.households())
    # as in the summaries, households whose official status is not yet known are left out
    unknown = select(Household.id).where(Household.official_status.is_(None))
    figures = {}
    for name, amount in (
        ("platform_income_vnd", HouseholdMonthIncome.amount_vnd),
        ("attributed_sales_vnd", HouseholdMonthProduct.attributed_vnd),
    ):
        model = amount.class_
        statement = select(model.month, as_int(func.sum(amount))).where(
            in_period(model.month, period)
        )
        if conditions:
            # from the households asked to their rows (the aggregates' key starts with the
            # household): a commune's months read its households' rows only
            statement = (
                statement.join(Household, Household.id == model.household_id)
                .join(Commune, Commune.code == Household.commune_code)
                .where(*conditions, Household.official_status.is_not(None))
            )
        else:  # every household counts for the whole province, unfiltered
            statement = statement.where(model.household_id.not_in(unknown))
        figures[name] = dict(db.session.execute(statement.group_by(model.month)).all())
    return figures
