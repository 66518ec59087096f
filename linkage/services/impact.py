"""Projected poverty status for every household in scope, as one set-based query.

The rules are those of linkage.services.poverty (DESIGN 4.3), written here as SQL so that
the projection of a whole province is a few queries, whatever the number of households;
tests check the SQL against the pure rules household by household.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
)

from linkage.errors import DomainError
from linkage.extensions import db
from models import (
    Area,
    Commune,
    Cooperative,
    Household,
    IncomeAttribution,
    Membership,
    OfficialStatus,
    Payment,
    PovertyStandard,
    Role,
    User,
)

from .periods import Period
from .poverty import Transition
from .reference import standard_in_force
from .scope import commune_in_scope, household_scope

POOR, NEAR_POOR, NOT_POOR = (s.value for s in OfficialStatus)


@dataclass(frozen=True)
class ImpactFilters:
    commune: str | None = None
    cooperative: int | None = None
    projected_status: OfficialStatus | None = None
    transition: Transition | None = None


def standard_for(period: Period) -> PovertyStandard:
    """The standard in force on the last day of the period (422 if none is)."""
    standard = standard_in_force(period.end.last_day)
    if standard is None:
        raise DomainError(
            _("No poverty standard is in force on %(day)s.", day=period.end.last_day.isoformat()),
            status=422,
            field="period_end",
        )
    return standard


def check_filters_in_scope(actor: User, filters: ImpactFilters) -> None:
    """A commune or cooperative outside the actor's jurisdiction answers 404."""
    if actor.role not in (Role.OFFICIAL, Role.ADMIN):
        raise DomainError(_("Not found."), status=404)
    if filters.commune is not None and (
        db.session.get(Commune, filters.commune) is None
        or not commune_in_scope(actor, filters.commune)
    ):
        raise DomainError(_("Commune not found."), status=404)
    if filters.cooperative is not None:
        cooperative = db.session.get(Cooperative, filters.cooperative)
        visible = cooperative is not None and (
            commune_in_scope(actor, cooperative.commune_code)
            or db.session.scalar(
                select(
                    exists().where(
                        Membership.cooperative_id == cooperative.id,
                        Membership.household_id == Household.id,
                        household_scope(actor),
                    )
                )
            )
        )
        if not visible:
            raise DomainError(_("Cooperative not found."), status=404)


def _income_in(period: Period, amount: Any, household: Any, paid_at: Any, source: Any) -> Any:
    return (
        select(household.label("household_id"), func.sum(amount).label("total"))
        .select_from(source)
        .where(paid_at >= period.starts_at, paid_at < period.ends_before)
        .group_by(household)
        .subquery()
    )


def status_expression(
    income: ColumnElement, line: ColumnElement, deprivations: ColumnElement, threshold: int
) -> ColumnElement[str]:
    """classify() as SQL."""
    return case(
        (and_(income <= line, deprivations >= threshold), literal(POOR)),
        (income <= line, literal(NEAR_POOR)),
        else_=literal(NOT_POOR),
    )


def _rank(status: ColumnElement) -> ColumnElement[int]:
    return case((status == POOR, 0), (status == NEAR_POOR, 1), else_=2)


def transition_expression(official: ColumnElement, projected: ColumnElement) -> ColumnElement:
    """transition() as SQL."""
    up = _rank(projected) > _rank(official)
    return case(
        (and_(up, projected == NOT_POOR), literal(Transition.EXIT.value)),
        (up, literal(Transition.IMPROVED.value)),
        (_rank(projected) < _rank(official), literal(Transition.WORSENED.value)),
        else_=literal(Transition.UNCHANGED.value),
    )


def projection_query(
    actor: User, period: Period, standard: PovertyStandard, filters: ImpactFilters
) -> Select:
    """One row per household in scope with its incomes, line, projection and transition."""
    payments = _income_in(
        period, Payment.amount_vnd, Payment.household_id, Payment.paid_at, Payment
    )
    attributed = _income_in(
        period,
        IncomeAttribution.amount_vnd,
        IncomeAttribution.household_id,
        IncomeAttribution.paid_at,
        IncomeAttribution,
    )
    platform = cast(func.coalesce(payments.c.total, 0), BigInteger)
    sales = cast(func.coalesce(attributed.c.total, 0), BigInteger)
    projected = Household.baseline_income_vnd + platform // (Household.members * period.months)
    line = case(
        (Commune.area == Area.URBAN.value, literal(standard.urban_line_vnd)),
        else_=literal(standard.rural_line_vnd),
    )
    status = status_expression(
        projected, line, Household.deprivations, standard.deprivation_threshold
    )
    official = Household.official_status
    statement = (
        select(
            Household.id.label("household_id"),
            Household.code.label("code"),
            Household.commune_code.label("commune_code"),
            Household.ethnic_group_code.label("ethnic_group_code"),
            Household.members.label("members"),
            official.label("official_status"),
            Household.deprivations.label("deprivations"),
            Household.baseline_income_vnd.label("baseline_income_vnd"),
            Household.meritorious.label("meritorious"),
            Household.needs_review.label("needs_review"),
            platform.label("platform_income_vnd"),
            sales.label("attributed_sales_vnd"),
            projected.label("projected_income_vnd"),
            line.label("poverty_line_vnd"),
            status.label("projected_status"),
            transition_expression(cast(official, db.String), status).label("transition"),
        )
        .join(Commune, Commune.code == Household.commune_code)
        .outerjoin(payments, payments.c.household_id == Household.id)
        .outerjoin(attributed, attributed.c.household_id == Household.id)
        .where(household_scope(actor))
    )
    if filters.commune:
        statement = statement.where(Household.commune_code == filters.commune)
    if filters.cooperative:
        statement = statement.where(
            exists().where(
                Membership.household_id == Household.id,
                Membership.cooperative_id == filters.cooperative,
            )
        )
    return statement


def filtered(statement: Select, filters: ImpactFilters) -> Select:
    """Filters on computed columns (projected status, transition) over the projection."""
    projection = statement.subquery("projection")
    query = select(projection)
    conditions = []
    if filters.projected_status:
        conditions.append(projection.c.projected_status == filters.projected_status.value)
    if filters.transition:
        conditions.append(projection.c.transition == filters.transition.value)
    if conditions:
        query = query.where(*conditions)
    return query.order_by(projection.c.commune_code, projection.c.code)


def households_page(
    actor: User, period: Period, filters: ImpactFilters, page: int, per_page: int
) -> tuple[PovertyStandard, list[dict[str, Any]], int]:
    """A page of household projections and the total count (two queries)."""
    check_filters_in_scope(actor, filters)
    standard = standard_for(period)
    query = filtered(projection_query(actor, period, standard, filters), filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings()
    return standard, [dict(row) for row in rows], total
