"""The household impact list: each household in scope with its projection, sorted and filtered,
a page at a time or streamed for an export. Only an actor who may name households gets it."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from linkage.extensions import db
from linkage.services.errors import NotFound
from linkage.services.periods import Period
from linkage.services.scope import Actor, Scope, of
from models import PovertyStandard

from .cells import cells
from .filters import ImpactFilters
from .projection import Projection, materialised, typed


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


def _may_name(scope: Scope) -> None:
    """Households are listed only for an actor who may name them (never the public)."""
    if not scope.names_households:
        raise NotFound(_("Not found."))


def households_page(
    actor: Actor,
    period: Period,
    filters: ImpactFilters,
    page: int,
    per_page: int,
    sort: Sort = Sort.COMMUNE,
) -> tuple[PovertyStandard, list[dict[str, Any]], int]:
    """A page of household projections and the total count (one projection, read twice)."""
    _may_name(of(actor))
    with materialised(actor, period, filters) as projection:
        query = filtered(select(projection.table), filters, sort)
        total = _counted(projection)
        if total is None:
            total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
        return projection.standard, [typed(row) for row in rows.mappings()], total


def _counted(projection: Projection) -> int | None:
    """The number of households listed, from the kept cells when they can answer (the
    transition is a column of theirs, the projected status is not)."""
    filters = projection.filters
    if filters.projected_status is not None:
        return None
    c = cells(replace(projection, filters=replace(filters, transition=None)), None)
    if c is None:
        return None
    statement = select(func.sum(c.c.households))
    if filters.transition is not None:
        statement = statement.where(c.c.transition == filters.transition.value)
    return db.session.scalar(statement) or 0


def household_rows(projection: Projection, sort: Sort, chunk: int = 1000) -> Iterator[dict]:
    """Every household of a materialised projection, in `sort` order, read `chunk` rows at a
    time (an export of the whole province is never held in memory)."""
    _may_name(projection.scope)
    query = filtered(select(projection.table), projection.filters, sort)
    result = db.session.execute(query.execution_options(yield_per=chunk))
    for row in result.mappings():
        yield typed(row)
