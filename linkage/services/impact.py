"""Projected poverty status for every household in scope, as one set-based query.

The rules are those of linkage.services.poverty (DESIGN 4.3), written here as SQL so that
the projection of a whole province is a few queries, whatever the number of households;
tests check the SQL against the pure rules household by household.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
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
)

from linkage.extensions import db
from linkage.services.errors import Invalid, NotFound
from models import (
    Area,
    Collection,
    Commune,
    Cooperative,
    FormerProvince,
    Household,
    IncomeAttribution,
    Lot,
    Membership,
    OfficialStatus,
    Payment,
    PovertyStandard,
    Product,
    ProductCategory,
    Region,
    Role,
    User,
)

from .counted import counted
from .periods import Period
from .poverty import Transition
from .reference import standard_in_force
from .scope import commune_in_scope, household_scope
from .search import contains_folded

POOR, NEAR_POOR, NOT_POOR = (s.value for s in OfficialStatus)


KINH = "01"  # the one ethnic group that is not an ethnic minority


class EthnicityGroup(enum.StrEnum):
    MINORITY = "minority"
    KINH = "kinh"


class Sort(enum.StrEnum):
    """Orders of the household impact list (`-` first means descending)."""

    CODE = "code"
    COMMUNE = "commune"
    PROJECTED_INCOME = "projected_income"
    PROJECTED_INCOME_DESC = "-projected_income"
    PLATFORM_INCOME = "platform_income"
    PLATFORM_INCOME_DESC = "-platform_income"
    ATTRIBUTED_SALES_DESC = "-attributed_sales"
    GAP = "gap"


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
    q: str | None = None  # code or head name contains (case and diacritics ignored)

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set, as plain values (for audit entries and file headers)."""
        values = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value is not None:
                values[name] = value.value if isinstance(value, enum.Enum) else value
        return values


def standard_for(period: Period) -> PovertyStandard:
    """The standard in force on the last day of the period (422 if none is)."""
    standard = standard_in_force(period.end.last_day)
    if standard is None:
        raise Invalid(
            _("No poverty standard is in force on %(day)s.", day=period.end.last_day.isoformat()),
            field="period_end",
        )
    return standard


def check_filters_in_scope(actor: User, filters: ImpactFilters) -> None:
    """A commune or cooperative outside the actor's jurisdiction answers 404."""
    if actor.role not in (Role.OFFICIAL, Role.ADMIN):
        raise NotFound(_("Not found."))
    if filters.commune is not None and (
        db.session.get(Commune, filters.commune) is None
        or not commune_in_scope(actor, filters.commune)
    ):
        raise NotFound(_("Commune not found."))
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
            raise NotFound(_("Cooperative not found."))


def households_limit(actor: User) -> ColumnElement[bool] | None:
    """For an actor who sees part of the province, a condition on a household id column
    source; None when the actor sees every household (no condition needed)."""
    if actor.role == Role.ADMIN or (actor.role == Role.OFFICIAL and actor.province_wide):
        return None
    return household_scope(actor)


def in_scope(household_id: Any, actor: User) -> list[ColumnElement[bool]]:
    """Conditions limiting rows with a household id to the actor's households: summing the
    incomes of one commune then reads that commune's rows only."""
    limit = households_limit(actor)
    if limit is None:
        return []
    return [household_id.in_(select(Household.id).where(limit))]


def _income_in(
    actor: User,
    period: Period,
    amount: Any,
    household: Any,
    paid_at: Any,
    source: Any,
    household_id: int | None,
) -> Any:
    only = [household == household_id] if household_id is not None else in_scope(household, actor)
    return (
        select(household.label("household_id"), func.sum(amount).label("total"))
        .select_from(source)
        .where(paid_at >= period.starts_at, paid_at < period.ends_before, *only, *counted(source))
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
    actor: User,
    period: Period,
    standard: PovertyStandard,
    filters: ImpactFilters,
    household_id: int | None = None,
) -> Select:
    """One row per household in scope with its incomes, line, projection and transition
    (`household_id`: that household's row only, summing its own payments only)."""
    payments = _income_in(
        actor,
        period,
        Payment.amount_vnd,
        Payment.household_id,
        Payment.paid_at,
        Payment,
        household_id,
    )
    attributed = _income_in(
        actor,
        period,
        IncomeAttribution.amount_vnd,
        IncomeAttribution.household_id,
        IncomeAttribution.paid_at,
        IncomeAttribution,
        household_id,
    )
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
        .where(household_scope(actor))
    )
    if household_id is not None:
        statement = statement.where(Household.id == household_id)
    return statement.where(*household_conditions(period, filters))


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
    matches = contains_folded(filters.q or "", Household.code, Household.head_name)
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


def _projection_table() -> Table:
    """A temporary table with the columns of projection_query (a fresh name each time)."""
    return Table(
        f"impact_projection_{uuid.uuid4().hex[:16]}",
        MetaData(),
        Column("household_id", Integer, primary_key=True),
        Column("code", String(40)),
        Column("commune_code", String(5)),
        Column("ethnic_group_code", String(2)),
        Column("members", Integer),
        Column("official_status", String(20)),
        Column("deprivations", Integer),
        Column("baseline_income_vnd", BigInteger),
        Column("meritorious", Boolean),
        Column("needs_review", Boolean),
        Column("platform_income_vnd", BigInteger),
        Column("attributed_sales_vnd", BigInteger),
        Column("projected_income_vnd", BigInteger),
        Column("poverty_line_vnd", BigInteger),
        Column("projected_status", String(20)),
        Column("transition", String(20)),
        prefixes=["TEMPORARY"],
    )


@dataclass(frozen=True)
class Projection:
    """The projection of every household in scope, computed once and read many times."""

    period: Period
    standard: PovertyStandard
    filters: ImpactFilters
    table: Table


@contextmanager
def materialised(actor: User, period: Period, filters: ImpactFilters) -> Iterator[Projection]:
    """The projection in a temporary table for the length of the block: a dashboard groups
    the same households several ways, and each grouping then reads the table instead of
    summing the payments again. The table lives in the request's transaction and is
    dropped at the end of the block."""
    check_filters_in_scope(actor, filters)
    standard = standard_for(period)
    table = _projection_table()
    connection = db.session.connection()
    table.create(connection)
    try:
        statement = projection_query(actor, period, standard, filters)
        db.session.execute(insert(table).from_select([c.name for c in table.columns], statement))
        yield Projection(period=period, standard=standard, filters=filters, table=table)
    finally:
        table.drop(connection)


def _order(projection: Any, sort: Sort) -> list[Any]:
    c = projection.c
    return {
        Sort.CODE: [c.code],
        Sort.COMMUNE: [c.commune_code, c.code],
        Sort.PROJECTED_INCOME: [c.projected_income_vnd, c.code],
        Sort.PROJECTED_INCOME_DESC: [c.projected_income_vnd.desc(), c.code],
        Sort.PLATFORM_INCOME: [c.platform_income_vnd, c.code],
        Sort.PLATFORM_INCOME_DESC: [c.platform_income_vnd.desc(), c.code],
        Sort.ATTRIBUTED_SALES_DESC: [c.attributed_sales_vnd.desc(), c.code],
        # furthest below the line first
        Sort.GAP: [(c.projected_income_vnd - c.poverty_line_vnd), c.code],
    }[sort]


def filtered(statement: Select, filters: ImpactFilters, sort: Sort = Sort.COMMUNE) -> Select:
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
    return query.order_by(*_order(projection, sort))


def households_page(
    actor: User,
    period: Period,
    filters: ImpactFilters,
    page: int,
    per_page: int,
    sort: Sort = Sort.COMMUNE,
) -> tuple[PovertyStandard, list[dict[str, Any]], int]:
    """A page of household projections and the total count (one projection, read twice)."""
    with materialised(actor, period, filters) as projection:
        query = filtered(select(projection.table), filters, sort)
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
        return projection.standard, [dict(row) for row in rows.mappings()], total


def household_rows(projection: Projection, sort: Sort, chunk: int = 1000) -> Iterator[dict]:
    """Every household of a materialised projection, in `sort` order, read `chunk` rows at a
    time (an export of the whole province is never held in memory)."""
    query = filtered(select(projection.table), projection.filters, sort)
    result = db.session.execute(query.execution_options(yield_per=chunk))
    for row in result.mappings():
        yield dict(row)
