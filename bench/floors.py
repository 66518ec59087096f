"""The floor of each impact scenario: the best single SQL statement one can write on the base
tables (households, payments, attributions, orders) returning the same rows as the app.

A floor is what any implementation reading the records at request time pays; an app figure
near its floor cannot be made much faster by better queries, only by reading less (tables kept
at write time). `check` compares the floor's rows with the app's answer, so a floor that does
not compute the same figures fails the benchmark instead of flattering it.

The rules (classification, transition) are the app's SQL expressions: a floor differs in how
it reads the rows (one statement, no temporary table, each base table read once), not in what
it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Select, case, cast, func, literal, select, union_all

from linkage.extensions import db
from linkage.services.impact.groups import TRANSITION_COUNTS
from linkage.services.impact.projection import status_expression, transition_expression
from linkage.services.periods import Month, Period
from models import (
    Area,
    Commune,
    Cooperative,
    Household,
    IncomeAttribution,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PovertyStandard,
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


def _int(expression: Any) -> Any:
    return cast(func.coalesce(expression, 0), BigInteger)


def _paid(model: Any, period: Period) -> list[Any]:
    conditions = [model.paid_at >= period.starts_at, model.paid_at < period.ends_before]
    if model is Payment:
        conditions.append(Payment.voided_at.is_(None))
    return conditions


def _totals(model: Any, period: Period, communes: list[str] | None) -> Any:
    only = []
    if communes is not None:
        only = [
            model.household_id.in_(select(Household.id).where(Household.commune_code.in_(communes)))
        ]
    return (
        select(model.household_id.label("hid"), func.sum(model.amount_vnd).label("total"))
        .where(*_paid(model, period), *only)
        .group_by(model.household_id)
        .subquery()
    )


def _projected(period: Period, standard: PovertyStandard, communes: list[str] | None) -> Any:
    """Households with a known status, their incomes, projected status and transition."""
    paid, attributed = (
        _totals(Payment, period, communes),
        _totals(IncomeAttribution, period, communes),
    )
    platform = _int(paid.c.total)
    income = Household.baseline_income_vnd + platform // (Household.members * period.months)
    line = case(
        (Commune.area == Area.URBAN.value, literal(standard.urban_line_vnd)),
        else_=literal(standard.rural_line_vnd),
    )
    status = status_expression(income, line, Household.deprivations, standard.deprivation_threshold)
    statement = (
        select(
            Household.id.label("household_id"),
            Household.code.label("code"),
            Household.commune_code.label("commune_code"),
            Household.official_status.label("official_status"),
            platform.label("platform"),
            _int(attributed.c.total).label("attributed"),
            income.label("projected_income_vnd"),
            line.label("line"),
            transition_expression(cast(Household.official_status, db.String), status).label(
                "transition"
            ),
        )
        .join(Commune, Commune.code == Household.commune_code)
        .outerjoin(paid, paid.c.hid == Household.id)
        .outerjoin(attributed, attributed.c.hid == Household.id)
        .where(Household.official_status.is_not(None))
    )
    if communes is not None:
        statement = statement.where(Household.commune_code.in_(communes))
    return statement.subquery("p")


def summary_by_commune(
    period: Period, standard: PovertyStandard, communes: list[str] | None
) -> Select:
    p = _projected(period, standard, communes)
    official = p.c.official_status

    def count_if(condition: Any) -> Any:
        return _int(func.sum(case((condition, 1), else_=0)))

    sold = (
        select(Cooperative.commune_code.label("key"), func.sum(OrderLine.amount_vnd).label("total"))
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .where(
            Order.status == OrderStatus.PAID,
            Order.paid_at >= period.starts_at,
            Order.paid_at < period.ends_before,
            *([Cooperative.commune_code.in_(communes)] if communes is not None else []),
        )
        .group_by(Cooperative.commune_code)
        .subquery("sold")
    )
    rows = (
        select(
            p.c.commune_code.label("key"),
            func.count().label("households"),
            count_if(official == POOR).label("poor"),
            count_if(official == NEAR_POOR).label("near_poor"),
            _int(func.sum(p.c.platform)).label("platform_income_vnd"),
            _int(func.sum(p.c.attributed)).label("attributed_sales_vnd"),
            _int(func.sum(case((official == POOR, p.c.platform), else_=0))).label(
                "income_to_poor_vnd"
            ),
            _int(func.sum(case((official == NEAR_POOR, p.c.platform), else_=0))).label(
                "income_to_near_poor_vnd"
            ),
            *(
                count_if(p.c.transition == transition.value).label(name)
                for transition, name in TRANSITION_COUNTS.items()
            ),
        )
        .group_by(p.c.commune_code)
        .subquery("rows")
    )
    return (
        select(rows, _int(sold.c.total).label("sales_vnd"))
        .outerjoin(sold, sold.c.key == rows.c.key)
        .order_by(rows.c.key)
    )


def commune_incomes(period: Period, standard: PovertyStandard) -> Select:
    """What targeting ranks: households, poor, near poor and linkage income per commune."""
    p = _projected(period, standard, None)
    official = p.c.official_status
    return (
        select(
            p.c.commune_code,
            func.count(),
            _int(func.sum(case((official == POOR, 1), else_=0))),
            _int(func.sum(case((official == NEAR_POOR, 1), else_=0))),
            _int(func.sum(p.c.platform)),
        )
        .group_by(p.c.commune_code)
        .order_by(p.c.commune_code)
    )


def households_by_gap(period: Period, standard: PovertyStandard, per_page: int) -> Select:
    """The first page of households (status known or not) furthest below the line first."""
    paid, attributed = _totals(Payment, period, None), _totals(IncomeAttribution, period, None)
    income = Household.baseline_income_vnd + _int(paid.c.total) // (
        Household.members * period.months
    )
    line = case(
        (Commune.area == Area.URBAN.value, literal(standard.urban_line_vnd)),
        else_=literal(standard.rural_line_vnd),
    )
    return (
        select(
            Household.code,
            _int(paid.c.total).label("platform_income_vnd"),
            _int(attributed.c.total).label("attributed_sales_vnd"),
            income.label("projected_income_vnd"),
            func.count().over().label("total"),
        )
        .join(Commune, Commune.code == Household.commune_code)
        .outerjoin(paid, paid.c.hid == Household.id)
        .outerjoin(attributed, attributed.c.hid == Household.id)
        .order_by(income - line, Household.code)
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
        .where(
            Order.status == OrderStatus.PAID,
            Order.paid_at >= period.starts_at,
            Order.paid_at < period.ends_before,
        )
    )
    paid = select(_month_index(Payment.paid_at, months), zero, Payment.amount_vnd, zero).where(
        *_paid(Payment, period), Payment.household_id.in_(known)
    )
    attributed = select(
        _month_index(IncomeAttribution.paid_at, months), zero, zero, IncomeAttribution.amount_vnd
    ).where(*_paid(IncomeAttribution, period), IncomeAttribution.household_id.in_(known))
    every = union_all(sales, paid, attributed).subquery("every")
    return (
        select(
            every.c.m,
            _int(func.sum(every.c.sales)),
            _int(func.sum(every.c.paid)),
            _int(func.sum(every.c.attributed)),
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


def _months(period: Period) -> list[Month]:
    months, month = [], period.start
    while month <= period.end:
        months.append(month)
        month = month.next()
    return months


def _floor_monthly(period: Period, _standard: PovertyStandard, _values: dict[str, Any]) -> Select:
    return monthly(period, _months(period))


def _floor_monthly_rows(rows: list[tuple[Any, ...]], period: Period) -> list[tuple[Any, ...]]:
    """Months without any row are zero in the answer: fill them in."""
    found = {row[0]: row for row in rows}
    return [found.get(index, (index, 0, 0, 0)) for index in range(len(_months(period)))]


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
