"""The floor of each impact scenario: the best single SQL statement one can write on the base
tables (households, payments, attributions, orders) returning the same rows as the app.

A floor is what any implementation reading the records at request time pays; an app figure
near its floor cannot be made much faster by better queries, only by reading less (tables kept
at write time). `check` compares the floor's rows with the app's answer, so a floor that does
not compute the same figures fails the benchmark instead of flattering it.

The rules are the app's own SQL (its projection statement and figure expressions): a floor
differs in where it reads the sums (the payments, attributions and order lines themselves, not
the write-time aggregates the app reads) and how (one statement: the projection a subquery
instead of a temporary table, the grouping and the sales in the same statement), not in what
it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Select, case, cast, func, literal, select, union_all

from linkage.extensions import db
from linkage.services.impact.filters import ImpactFilters
from linkage.services.impact.groups import TRANSITION_COUNTS, household_figures
from linkage.services.impact.projection import in_scope, paid_in, projection_query
from linkage.services.impact.sales import as_int
from linkage.services.periods import Month, Period
from linkage.services.scope import PUBLIC, Scope
from models import (
    Cooperative,
    Household,
    IncomeAttribution,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PovertyStandard,
    Role,
)

POOR, NEAR_POOR = OfficialStatus.POOR.value, OfficialStatus.NEAR_POOR.value
ROW_FIGURES = (
    "households",
    "poor",
    "near_poor",
    "platform_income_vnd",
    "attributed_sales_vnd",
    "income_to_poor_vnd",
    "income_to_near_poor_vnd",
    *TRANSITION_COUNTS.values(),
    "sales_vnd",
)


def _scope(communes: list[str] | None) -> Scope:
    """The province (None) or an official of these communes."""
    if communes is None:
        return PUBLIC
    return Scope(None, Role.OFFICIAL, frozenset(communes), frozenset(), names_households=True)


def record_sums(scope: Scope, period: Period, _household_id: int | None) -> tuple[Any, Any]:
    """Each household's payments and attributed sales in the period, from the records."""

    def total(model: Any) -> Any:
        household = model.household_id
        return (
            select(household.label("household_id"), func.sum(model.amount_vnd).label("total"))
            .where(*paid_in(model, period), *in_scope(household, scope))
            .group_by(household)
            .subquery()
        )

    return total(Payment), total(IncomeAttribution)


def _projection(scope: Scope, period: Period, standard: PovertyStandard) -> Select:
    return projection_query(scope, period, standard, ImpactFilters(), sums=record_sums)


def orders_paid_in(period: Period) -> tuple[Any, ...]:
    """Orders paid in the period (conditions on Order)."""
    return (
        Order.status == OrderStatus.PAID,
        Order.paid_at >= period.starts_at,
        Order.paid_at < period.ends_before,
    )


def sales_by_commune(period: Period, communes: list[str] | None) -> Any:
    """Paid order lines in the period by the selling cooperative's commune, from the records."""
    key = Cooperative.commune_code
    return (
        select(key.label("key"), func.sum(OrderLine.amount_vnd).label("total"))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .where(*orders_paid_in(period), *([key.in_(communes)] if communes is not None else []))
        .group_by(key)
        .subquery("sold")
    )


def _projected(period: Period, standard: PovertyStandard, communes: list[str] | None) -> Any:
    """The households' projection as a subquery of the one statement (no temporary table):
    the households with a known status."""
    statement = _projection(_scope(communes), period, standard)
    projection = statement.subquery("projection")
    return select(projection).where(projection.c.official_status.is_not(None)).subquery("p")


def summary_by_commune(
    period: Period, standard: PovertyStandard, communes: list[str] | None
) -> Select:
    p = _projected(period, standard, communes)
    sold = sales_by_commune(period, communes)
    rows = (
        select(p.c.commune_code.label("key"), *household_figures(p))
        .group_by(p.c.commune_code)
        .subquery("rows")
    )
    return (
        select(rows, as_int(sold.c.total).label("sales_vnd"))
        .outerjoin(sold, sold.c.key == rows.c.key)
        .order_by(rows.c.key)
    )


def commune_incomes(period: Period, standard: PovertyStandard) -> Select:
    """What targeting ranks: households, poor, near poor and linkage income per commune."""
    p = _projected(period, standard, None)
    figures = {column.name: column for column in household_figures(p)}
    return (
        select(
            p.c.commune_code,
            figures["households"],
            figures["poor"],
            figures["near_poor"],
            figures["platform_income_vnd"],
        )
        .group_by(p.c.commune_code)
        .order_by(p.c.commune_code)
    )


def households_by_gap(period: Period, standard: PovertyStandard, per_page: int) -> Select:
    """The first page of households (status known or not) furthest below the line first,
    with the count of all in the same statement."""
    p = _projection(_scope(None), period, standard).subquery("projection")
    return (
        select(
            p.c.code,
            p.c.platform_income_vnd,
            p.c.attributed_sales_vnd,
            p.c.projected_income_vnd,
            func.count().over().label("total"),
        )
        .order_by(p.c.projected_income_vnd - p.c.poverty_line_vnd, p.c.code)
        .limit(per_page)
    )


def _month_index(column: Any, months: list[Month]) -> Any:
    return case(*[(column < month.next().starts_at, index) for index, month in enumerate(months)])


def monthly(period: Period, months: list[Month]) -> Select:
    """Sales, payments and attributed sales by month in one pass over the three tables."""
    known = select(Household.id).where(Household.official_status.is_not(None))
    zero = cast(literal(0), BigInteger)
    sales = (
        select(
            _month_index(Order.paid_at, months).label("m"),
            OrderLine.amount_vnd.label("sales"),
            zero.label("paid"),
            zero.label("attributed"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(*orders_paid_in(period))
    )
    paid = select(_month_index(Payment.paid_at, months), zero, Payment.amount_vnd, zero).where(
        *paid_in(Payment, period), Payment.household_id.in_(known)
    )
    attributed = select(
        _month_index(IncomeAttribution.paid_at, months), zero, zero, IncomeAttribution.amount_vnd
    ).where(*paid_in(IncomeAttribution, period), IncomeAttribution.household_id.in_(known))
    every = union_all(sales, paid, attributed).subquery("every")
    return (
        select(
            every.c.m,
            as_int(func.sum(every.c.sales)),
            as_int(func.sum(every.c.paid)),
            as_int(func.sum(every.c.attributed)),
        )
        .group_by(every.c.m)
        .order_by(every.c.m)
    )


@dataclass(frozen=True)
class Floor:
    """A scenario's floor: its statement, and how to read the same figures from the answer."""

    statement: Callable[[Period, PovertyStandard, dict[str, Any]], Select]
    expected: Callable[[dict[str, Any]], list[tuple[Any, ...]]]


def _summary_rows(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(row["key"], *(row[name] for name in ROW_FIGURES)) for row in answer["rows"]]


def _monthly_rows(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (index, m["sales_vnd"], m["platform_income_vnd"], m["attributed_sales_vnd"])
        for index, m in enumerate(answer["months"])
    ]


def _household_rows(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            item["code"],
            item["platform_income_vnd"],
            item["attributed_sales_vnd"],
            item["projected_income_vnd"],
            answer["total"],
        )
        for item in answer["items"]
    ]


def _targeting_rows(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The ranked communes' figures, in commune order (the ranking itself is arithmetic on
    them, done in Python by the app)."""
    rows = [
        (r["commune_code"], r["households"], r["poor"], r["near_poor"], r["platform_income_vnd"])
        for r in answer["rows"]
    ]
    return sorted(rows)


def _floor_monthly(period: Period, _standard: PovertyStandard, _values: dict[str, Any]) -> Select:
    return monthly(period, period.each_month())


def _floor_monthly_rows(rows: list[tuple[Any, ...]], period: Period) -> list[tuple[Any, ...]]:
    """Months without any row are zero in the answer: fill them in."""
    found = {row[0]: row for row in rows}
    return [found.get(index, (index, 0, 0, 0)) for index in range(len(period.each_month()))]


FLOORS: dict[str, Floor] = {
    "impact by commune": Floor(
        lambda period, standard, _values: summary_by_commune(period, standard, None),
        _summary_rows,
    ),
    "impact, commune official": Floor(
        lambda period, standard, values: summary_by_commune(
            period, standard, [values["commune_code"]]
        ),
        _summary_rows,
    ),
    "impact households by gap": Floor(
        lambda period, standard, _values: households_by_gap(period, standard, 50),
        _household_rows,
    ),
    "impact monthly": Floor(_floor_monthly, _monthly_rows),
    "impact targeting": Floor(
        lambda period, standard, _values: commune_incomes(period, standard), _targeting_rows
    ),
}


def floor_rows(
    name: str, period: Period, standard: PovertyStandard, values: dict[str, Any]
) -> list[tuple[Any, ...]]:
    rows = [
        tuple(row) for row in db.session.execute(FLOORS[name].statement(period, standard, values))
    ]
    if name == "impact monthly":
        return _floor_monthly_rows(rows, period)
    return rows


def check(name: str, answer: dict[str, Any], rows: list[tuple[Any, ...]]) -> None:
    """Fail when the floor's rows are not the app's (the floor would not be a floor)."""
    expected = FLOORS[name].expected(answer)
    got = [tuple(int(v) if isinstance(v, int) else v for v in row) for row in rows]
    if got != expected:
        first = next(
            (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None
        )
        raise SystemExit(
            f"floor of {name!r} differs from the app: {len(got)} rows against {len(expected)}; "
            f"first difference at row {first}: {got[first] if first is not None else None} "
            f"against {expected[first] if first is not None else None}"
        )


def period_of(answer: dict[str, Any]) -> Period:
    return Period(Month.parse(answer["period_start"]), Month.parse(answer["period_end"]))
