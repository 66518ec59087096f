"""Impact figures month by month: sales, payments to households and attributed sales."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from linkage.extensions import db
from linkage.services.periods import Month, Period
from linkage.services.scope import Actor
from models import Commune, Household, IncomeAttribution, Order, OrderLine, Payment

from .filters import ImpactFilters, checked_scope, household_conditions
from .projection import paid_in
from .sales import as_int, sales_lines


def months_of(period: Period) -> list[Month]:
    months, month = [], period.start
    while month <= period.end:
        months.append(month)
        month = month.next()
    return months


def _by_month(column: Any, months: list[Month]) -> Any:
    """The index of the Vietnam-time month a timestamp falls in (within the period)."""
    return case(
        *[(column < month.next().starts_at, index) for index, month in enumerate(months)]
    ).label("month_index")


def monthly(actor: Actor, period: Period, filters: ImpactFilters) -> list[dict[str, Any]]:
    """Sales, payments to households and attributed sales for each month of the period."""
    scope = checked_scope(actor, filters)
    months = months_of(period)
    sales_bucket = _by_month(Order.paid_at, months)
    sales = sales_lines(
        scope, period, filters, sales_bucket, as_int(func.sum(OrderLine.amount_vnd))
    ).group_by(sales_bucket)
    conditions = household_conditions(period, filters)
    if not scope.whole_province:
        conditions.append(scope.households())
    households = (
        select(Household.id)
        .join(Commune, Commune.code == Household.commune_code)
        .where(*conditions)
    )
    # as in the summaries, households whose official status is not yet known are left out
    unknown = select(Household.id).where(Household.official_status.is_(None))
    figures = {"sales_vnd": dict(db.session.execute(sales).all())}
    for name, model in (
        ("platform_income_vnd", Payment),
        ("attributed_sales_vnd", IncomeAttribution),
    ):
        bucket = _by_month(model.paid_at, months)
        statement = (
            select(bucket, as_int(func.sum(model.amount_vnd)))
            .where(
                *paid_in(model, period),
                # every household counts for the whole province, unfiltered
                *([model.household_id.in_(households)] if conditions else []),
                model.household_id.not_in(unknown),
            )
            .group_by(bucket)
        )
        figures[name] = dict(db.session.execute(statement).all())
    return [
        {"month": str(month), **{name: values.get(index, 0) for name, values in figures.items()}}
        for index, month in enumerate(months)
    ]
