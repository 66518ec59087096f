"""Kept cells: the kept rows of a period summed by commune, ethnic group, official status and
transition (and by the product as sold, or by month), so that the summaries and the monthly
series of a province sum a few thousand cells instead of 200,000 households
(`models.KeptCell`).

The worker (`kept`) keeps the cells with the rows they sum, in the same transaction: it
subtracts a household's kept rows from its cells before recomputing them, and adds the new
rows after. A reader then takes the stored cells, less the outbox's households as they were
kept and plus the same households computed now, in one statement (`cells`): the figures equal
those grouped from the rows, whatever waits in the outbox.

Cells serve the groupings that are columns of a cell (places, ethnicity, official status,
product and category, month) for a jurisdiction of communes and the filters on those
columns; any other grouping, scope or filter reads the rows (`projection`) or the aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    func,
    literal,
    select,
    union_all,
)

from linkage.extensions import db
from linkage.services.aggregates.increments import upsert
from linkage.services.periods import Period
from linkage.services.scope import Scope
from models import Commune, ImpactOutbox, KeptCell, KeptProjection, PovertyStandard

from .by_month import per_month
from .filters import KINH, EthnicityGroup, ImpactFilters
from .grouping import PLACES, PRODUCTS, GroupBy
from .projection import Households, Projection, projection_query
from .sold_as import per_product, stored_product_rows

HOUSEHOLD = "household"  # the cells of the projections (no product)
MONTH = "month"  # the cells of each household's incomes by month
UNKNOWN = ""  # a cell's key for a value not known
# the groupings read from the household cells
HOUSEHOLD_GROUPINGS = (
    *PLACES,
    GroupBy.ETHNICITY,
    GroupBy.ETHNICITY_GROUP,
    GroupBy.OFFICIAL_STATUS,
)
# the rows kept beside the projections: each household's income by product as sold, by
# category, and by month (`rows_of`)
ROW_GROUPINGS = (*(group.value for group in PRODUCTS), MONTH)
PLACE_FILTERS = ("commune", "former_province", "region")
KEYS = ("commune_code", "ethnic_group_code", "official_status", "transition", "pkey")
SUMS = ("households", "platform_vnd", "attributed_vnd")


def rows_of(grouping: str, scope: Scope, period: Period, households: Households = None) -> Select:
    """The rows of a grouping kept beside the projections (hid, pkey, paid, attributed),
    computed now."""
    if grouping == MONTH:
        return per_month(scope, period, households)
    return per_product(GroupBy(grouping), scope, period, households)


def grouping_of(group: GroupBy | None) -> str:
    """The cells a grouping of the summary reads (None: the totals, the household cells)."""
    return group.value if group in PRODUCTS else HOUSEHOLD


def served(scope: Scope, filters: ImpactFilters, grouping: str) -> bool:
    """Whether the cells of a grouping can answer for the scope and filters: a
    jurisdiction of communes (not a manager's members), and filters on a cell's columns (the
    ethnicity group a column of the household cells only)."""
    if scope.communes is not None and scope.cooperatives:
        return False
    allowed = {*PLACE_FILTERS, "official_status"}
    if grouping == HOUSEHOLD:
        allowed.add("ethnicity_group")
    return set(filters.as_dict()) <= allowed


def answers(projection: Projection, group: GroupBy | None) -> bool:
    """Whether the cells answer a grouping of the summary (None: its totals)."""
    if projection.kept_id is None:
        return False
    if group is not None and group not in HOUSEHOLD_GROUPINGS and group not in PRODUCTS:
        return False
    return served(projection.scope, projection.filters, grouping_of(group))


def grouped(p: Any, rows: Any, grouping: str, sign: int = 1) -> Select:
    """Projection rows `p` (joined with `rows` by product or month for those groupings)
    summed into cells, each sum multiplied by `sign`. The household cells keep the ethnic
    group, those by product the transition, those by month neither."""
    known = [
        p.c.commune_code,
        func.coalesce(p.c.ethnic_group_code, UNKNOWN) if rows is None else literal(UNKNOWN),
        func.coalesce(p.c.official_status, UNKNOWN),
        literal(UNKNOWN) if grouping == MONTH else func.coalesce(p.c.transition, UNKNOWN),
        rows.c.pkey if rows is not None else literal(UNKNOWN),
    ]
    platform = p.c.platform_income_vnd if rows is None else rows.c.paid
    attributed = p.c.attributed_sales_vnd if rows is None else rows.c.attributed
    statement = select(
        literal(grouping).label("grouping"),
        *(column.label(name) for column, name in zip(known, KEYS, strict=True)),
        (func.count() * sign).label("households"),
        (func.sum(platform) * sign).label("platform_vnd"),
        (func.sum(attributed) * sign).label("attributed_vnd"),
    ).select_from(p)
    if rows is not None:
        statement = statement.join(rows, rows.c.hid == p.c.household_id)
    return statement.group_by(*known)


def _kept(kept_id: int, households: Any = None) -> FromClause:
    """A kept period's projection rows (of `households`, a list or a subquery of ids)."""
    k = KeptProjection
    statement = select(k).where(k.period_id == kept_id)
    if households is not None:
        statement = statement.where(k.household_id.in_(households))
    return statement.subquery("kept")


def _kept_rows(grouping: str, kept_id: int, households: Any = None) -> FromClause:
    statement = stored_product_rows(grouping, kept_id)
    if households is not None:
        statement = statement.where(statement.selected_columns.hid.in_(households))
    return statement.subquery("rows")


def kept_groupings(kept_id: int, households: Any = None, sign: int = 1) -> list[Select]:
    """The cells of a kept period's rows (of `households`), for every grouping."""
    p = _kept(kept_id, households)
    statements = [grouped(p, None, HOUSEHOLD, sign)]
    for grouping in ROW_GROUPINGS:
        statements.append(grouped(p, _kept_rows(grouping, kept_id, households), grouping, sign))
    return statements


def add(kept_id: int, households: Sequence[int] | None = None, sign: int = 1) -> None:
    """Add (`sign` -1: take out) the kept rows of `households` (None: every household) to
    the period's cells; cells left with no household are deleted (flushes; the worker's)."""
    table = KeptCell.__table__
    columns = ["period_id", "grouping", *KEYS, *SUMS]
    dialect = db.session.connection().dialect.name
    for statement in kept_groupings(kept_id, households, sign):
        rows = statement.subquery()
        # WHERE: SQLite reads an upsert from a SELECT only with one
        source = select(literal(kept_id), *rows.c).where(rows.c.households != 0)
        db.session.execute(upsert(table, SUMS, dialect, source=(columns, source)))
    db.session.execute(table.delete().where(table.c.period_id == kept_id, table.c.households == 0))


def cells(projection: Projection, group: GroupBy | None) -> FromClause | None:
    """The cells of the projection's kept period for a grouping of the summary (None: the
    totals), within its scope and filters (None when they cannot answer: `answers`)."""
    if not answers(projection, group):
        return None
    kept_id = projection.kept_id
    assert kept_id is not None
    return kept_cells(
        kept_id,
        projection.scope,
        projection.period,
        projection.standard,
        projection.filters,
        grouping_of(group),
    )


def kept_cells(
    kept_id: int,
    scope: Scope,
    period: Period,
    standard: PovertyStandard,
    filters: ImpactFilters,
    grouping: str,
) -> FromClause:
    """A kept period's cells of a grouping within the scope and filters (`served`): the
    stored cells, less the outbox's households as kept, plus the same households computed
    now. The columns are named as the projection's, a value not known null; the cells by
    product or month have the key in `pkey`."""
    c = KeptCell
    stored = select(c.grouping, *(c.__table__.c[name] for name in (*KEYS, *SUMS))).where(
        c.period_id == kept_id, c.grouping == grouping
    )
    changed = select(ImpactOutbox.household_id)
    was = _kept(kept_id, changed)
    now = projection_query(scope, period, standard, filters, changed).subquery("now")
    if grouping == HOUSEHOLD:
        before, after = grouped(was, None, grouping, -1), grouped(now, None, grouping)
    else:
        before = grouped(was, _kept_rows(grouping, kept_id, changed), grouping, -1)
        live = rows_of(grouping, scope, period, changed).subquery("rows")
        after = grouped(now, live, grouping)
    every = union_all(stored, before, after).subquery("parts")
    # the stored cells and those kept of the outbox's households within scope and filters
    # (those computed now are already)
    return (
        select(
            every.c.commune_code,
            *(
                func.nullif(every.c[name], UNKNOWN).label(name)
                for name in ("ethnic_group_code", "official_status", "transition")
            ),
            every.c.pkey,
            every.c.households,
            every.c.platform_vnd.label("platform_income_vnd"),
            every.c.attributed_vnd.label("attributed_sales_vnd"),
        )
        .where(*_within(every, scope, filters))
        .subquery("cells")
    )


def _within(cells: Any, scope: Scope, filters: ImpactFilters) -> list[ColumnElement[bool]]:
    """Conditions on cells for the scope and filters (`served` ones only)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.communes is not None:
        conditions.append(cells.c.commune_code.in_(sorted(scope.communes)))
    if filters.commune:
        conditions.append(cells.c.commune_code == filters.commune)
    for name in ("former_province", "region"):
        value = getattr(filters, name)
        if value:
            place = select(Commune.code).where(getattr(Commune, name) == value)
            conditions.append(cells.c.commune_code.in_(place))
    if filters.official_status:
        conditions.append(cells.c.official_status == filters.official_status.value)
    ethnic = cells.c.ethnic_group_code
    if filters.ethnicity_group == EthnicityGroup.KINH:
        conditions.append(ethnic == KINH)
    elif filters.ethnicity_group == EthnicityGroup.MINORITY:
        conditions.append((ethnic != UNKNOWN) & (ethnic != KINH))
    return conditions
