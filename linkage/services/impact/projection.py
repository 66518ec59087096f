"""Projected poverty status for every household in scope, as one set-based query.

The rules are those of `poverty` (DESIGN 4.3), written here as SQL so that the projection of a
whole province is a few queries, whatever the number of households; tests check the SQL
against the pure rules household by household.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    FromClause,
    MetaData,
    Select,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
)

from linkage.extensions import db
from linkage.formats import format_day
from linkage.services.aggregates.keys import in_period, number_of
from linkage.services.counted import counted
from linkage.services.errors import Conflict
from linkage.services.periods import Period
from linkage.services.reference import standard_in_force
from linkage.services.scope import Actor, Scope
from models import (
    Area,
    Commune,
    Household,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
    ImpactOutbox,
    KeptPeriod,
    KeptProjection,
    OfficialStatus,
    PovertyStandard,
)

from .filters import ImpactFilters, checked_scope, household_conditions
from .poverty import Transition

POOR, NEAR_POOR, NOT_POOR = (s.value for s in OfficialStatus)


def standard_for(period: Period) -> PovertyStandard:
    """The standard in force on the last day of the period (409 if none is: the standards
    recorded do not reach that day)."""
    standard = standard_in_force(period.end.last_day)
    if standard is None:
        raise Conflict(
            _("No poverty standard is in force on %(day)s.", day=format_day(period.end.last_day)),
            field="period_end",
        )
    return standard


def in_scope(household_id: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions limiting rows with a household id to the households the scope covers (none
    for the whole province): summing the incomes of one commune then reads its rows only."""
    if scope.whole_province:
        return []
    return [household_id.in_(select(Household.id).where(scope.households()))]


def paid_in(model: Any, period: Period) -> list[ColumnElement[bool]]:
    """Payments or attributions (`model`) dated in the period and counted (not void)."""
    return [model.paid_at >= period.starts_at, model.paid_at < period.ends_before, *counted(model)]


# which households a projection covers beyond its scope: one (its id), a set (ids or a
# subquery of ids), or all in scope (None)
Households = int | Select | Collection[int] | None


def only(household_id: Any, households: Households, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions limiting rows with a household id to `households` (else to the scope)."""
    if households is None:
        return in_scope(household_id, scope)
    if isinstance(households, int):
        return [household_id == households]
    return [household_id.in_(households)]


def kept_totals(
    amount: Any,
    scope: Scope,
    period: Period,
    *,
    household_id: Households = None,
    by_cooperative: bool = False,
) -> Any:
    """Each household's sum in the period of an aggregate column (`amount`: its platform
    income, or its attributed sales), read from the write-time aggregates: a subquery of
    household_id (cooperative_id, `by_cooperative`) and total (`household_id`: that
    household's only, or those households')."""
    model = amount.class_
    household = model.household_id
    keys = [household, *([model.cooperative_id] if by_cooperative else [])]
    return (
        select(*keys, func.sum(amount).label("total"))
        # a household's rows of a month hold nothing to add for the other column (most
        # product rows are farmgate payments without attributed sales): leave them out
        .where(in_period(model.month, period), amount != 0, *only(household, household_id, scope))
        .group_by(*keys)
        .subquery()
    )


def kept_sums(scope: Scope, period: Period, household_id: Households) -> tuple[Any, Any]:
    """Each household's platform income and attributed sales in the period (two subqueries:
    household_id, total), read from the write-time aggregates."""
    return (
        kept_totals(HouseholdMonthIncome.amount_vnd, scope, period, household_id=household_id),
        kept_totals(HouseholdMonthProduct.attributed_vnd, scope, period, household_id=household_id),
    )


# where the sums of projection_query come from: kept_sums, or (the benchmark's floor) the
# same sums taken from the payments and attributions themselves
IncomeSums = Callable[[Scope, Period, Households], tuple[Any, Any]]


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
    scope: Scope,
    period: Period,
    standard: PovertyStandard,
    filters: ImpactFilters,
    household_id: Households = None,
    *,
    sums: IncomeSums = kept_sums,
) -> Select:
    """One row per household the scope covers with its incomes, line, projection and
    transition (`household_id`: that household's row only, or those households' rows,
    summing their own payments only)."""
    payments, attributed = sums(scope, period, household_id)
    platform = cast(func.coalesce(payments.c.total, 0), BigInteger)
    sales = cast(func.coalesce(attributed.c.total, 0), BigInteger)
    projected = Household.baseline_income_vnd + platform // (Household.members * period.months)
    line = case(
        (Commune.area == Area.URBAN.value, literal(standard.urban_line_vnd)),
        else_=literal(standard.rural_line_vnd),
    )
    official = Household.official_status
    # a household whose official status is not yet known is left out of projections: it is
    # listed (to be found and set) with its incomes, but no projected status or transition
    known = official.is_not(None)
    status = case(
        (
            known,
            status_expression(
                projected, line, Household.deprivations, standard.deprivation_threshold
            ),
        ),
        else_=null(),
    )
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
            case(
                (known, transition_expression(cast(official, db.String), status)), else_=null()
            ).label("transition"),
        )
        .join(Commune, Commune.code == Household.commune_code)
        .outerjoin(payments, payments.c.household_id == Household.id)
        .outerjoin(attributed, attributed.c.household_id == Household.id)
        .where(scope.households())
    )
    if household_id is not None:
        statement = statement.where(*only(Household.id, household_id, scope))
    return statement.where(*household_conditions(period, filters))


# beyond this many households changed and not yet recomputed, reading them live would cost
# more than computing the projection whole
LIVE_LIMIT = 20_000


def kept_period(period: Period, standard: PovertyStandard) -> KeptPeriod | None:
    """The period's kept projections, when they are kept under the standard in force and
    can be read: no outbox row for every household, and at most LIVE_LIMIT households to
    read live."""
    kept = db.session.scalar(
        select(KeptPeriod).where(
            KeptPeriod.first_month == number_of(period.start),
            KeptPeriod.last_month == number_of(period.end),
        )
    )
    if kept is None or kept.standard_id != standard.id:
        return None
    everyone, changed = db.session.execute(
        select(
            func.count().filter(ImpactOutbox.household_id.is_(None)),
            func.count(func.distinct(ImpactOutbox.household_id)),
        )
    ).one()
    return None if everyone or changed > LIVE_LIMIT else kept


def kept_projection(
    scope: Scope, period: Period, standard: PovertyStandard, filters: ImpactFilters
) -> FromClause | None:
    """The projection of a kept period as one subquery (None when the period is not kept or
    cannot be read)."""
    kept = kept_period(period, standard)
    return None if kept is None else kept_rows(kept, scope, period, standard, filters)


def stored_and_live(stored: Select, household_id: Any, live: Callable[[Select], Any]) -> Any:
    """Kept rows read with the households changed since computed live, as one statement:
    `stored` without the rows (`household_id`: their household column) of households in the
    outbox, and `live(changed)`: the rows of the households `changed` (a subquery of the
    outbox). Both parts read the outbox in the same statement, so each household is in
    exactly one."""
    changed = exists().where(ImpactOutbox.household_id == household_id)
    return union_all(stored.where(~changed), live(select(ImpactOutbox.household_id)))


def kept_rows(
    kept: KeptPeriod,
    scope: Scope,
    period: Period,
    standard: PovertyStandard,
    filters: ImpactFilters,
) -> FromClause:
    """The projection of a kept period as one subquery: the stored row of each household in
    scope and filters, but for the households in the outbox, computed live."""
    k = KeptProjection
    stored = select(*(k.__table__.c[c.name] for c in COLUMNS)).where(k.period_id == kept.id)
    conditions = household_conditions(period, filters)
    if not scope.whole_province:
        conditions.append(scope.households())
    if conditions:
        stored = (
            stored.join(Household, Household.id == k.household_id)
            .join(Commune, Commune.code == Household.commune_code)
            .where(*conditions)
        )
    return stored_and_live(
        stored,
        k.household_id,
        lambda changed: projection_query(scope, period, standard, filters, changed),
    ).subquery("projection")


# the columns of projection_query, in its order: those of a kept projection row
COLUMNS = [c for c in KeptProjection.__table__.columns if c.name != "period_id"]


def _projection_table() -> Table:
    """A temporary table with the columns of projection_query (a fresh name each time)."""
    return Table(
        f"impact_projection_{uuid.uuid4().hex[:16]}",
        MetaData(),
        *(
            Column(c.name, c.type, primary_key=c.name == "household_id", autoincrement=False)
            for c in COLUMNS
        ),
        prefixes=["TEMPORARY"],
    )


@dataclass(frozen=True)
class Projection:
    """The projection of every household in scope, computed once and read many times
    (`table`: a temporary table, or the kept rows and the live ones as one subquery)."""

    period: Period
    standard: PovertyStandard
    filters: ImpactFilters
    table: FromClause
    scope: Scope
    kept_id: int | None = None  # the kept period read, if any


@contextmanager
def materialised(actor: Actor, period: Period, filters: ImpactFilters) -> Iterator[Projection]:
    """The projection for the length of the block: a dashboard groups the same households
    several ways, and each grouping then reads it instead of summing the payments again.
    For a kept period (`kept`), the kept rows with the households changed since read live;
    else a temporary table, which lives in the request's transaction and is dropped at the
    end of the block."""
    scope = checked_scope(actor, filters)
    standard = standard_for(period)
    kept = kept_period(period, standard)
    if kept is not None:
        rows = kept_rows(kept, scope, period, standard, filters)
        yield Projection(period, standard, filters, rows, scope, kept.id)
        return
    table = _projection_table()
    connection = db.session.connection()
    table.create(connection)
    try:
        statement = projection_query(scope, period, standard, filters)
        db.session.execute(insert(table).from_select([c.name for c in table.columns], statement))
        yield Projection(period, standard, filters, table, scope)
    finally:
        table.drop(connection)


def known(table: Any) -> Any:
    """The rows of a projection whose official status is known (the others are left out)."""
    return select(table).where(table.c.official_status.is_not(None)).subquery("known")


def typed(row: Mapping[str, Any]) -> dict[str, Any]:
    """A projection row with its statuses and transition as enumerations (None stays None),
    so that pages name them with `label()`."""
    values = dict(row)
    for name, kind in STATUS_COLUMNS.items():
        if values.get(name) is not None:
            values[name] = kind(values[name])
    return values


STATUS_COLUMNS: dict[str, type] = {
    "official_status": OfficialStatus,
    "projected_status": OfficialStatus,
    "transition": Transition,
}
