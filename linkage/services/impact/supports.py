"""Support and income: for each support programme, the households that received it, their
platform income, the income from the support's purpose product and their projected
transitions, beside a comparison group that did not receive it (issue 16, DESIGN 3).

The figures are descriptive: a difference between the two groups says nothing of its cause.

- Supported: households in scope (with the dashboard's filters) with a support of the
  programme that counts (not void) received on or before the last day of the period. A
  household with several programmes is in each.
- Comparison group: households in scope that did not receive the programme by then, in the
  same commune and with the same official status at the start of the period as at least one
  supported household (commune and status as a pair).
- Official status at the period start: the status before the first re-classification
  effective after the period's first day, else the current one.
- Purpose income: farmgate payments for deliveries of the support's purpose product, from the
  day the support was received (Vietnam time) to the end of the period.
- Loans: a household with policy loans that have a purpose product reaches its loans when its
  purpose income since the loans were disbursed is at least their amount; households with no
  such income at all are the ones a cooperative should reach first.

Like every impact figure, households whose official status is not yet known are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, select

from linkage.extensions import db
from linkage.labels import label
from linkage.services.counted import counted
from linkage.services.periods import Period
from linkage.services.scope import Actor
from linkage.services.supports.queries import purpose_income
from models import OfficialStatusChange, PovertyStandard, Support, SupportProgramme

from .filters import ImpactFilters
from .groups import supported
from .poverty import Transition
from .projection import Projection, known, materialised
from .sales import as_int

GROUP_FIGURES = ("households", "platform_income_vnd", "projected_exits", "worsened")


@dataclass
class SupportReport:
    period: Period
    standard: PovertyStandard
    items: list[dict[str, Any]] = field(default_factory=list)


def support_report(
    actor: Actor,
    period: Period,
    filters: ImpactFilters,
    *,
    projection: Projection | None = None,
) -> SupportReport:
    """One item per programme received by at least one household in scope (five grouped
    queries over the projection, one when no household in scope received any;
    `projection`: when the caller has materialised it)."""
    if projection is None:
        with materialised(actor, period, filters) as made:
            return support_report(actor, period, filters, projection=made)
    base = _base(known(projection.table), period)
    given = supported(period)
    report = SupportReport(period=period, standard=projection.standard)
    figures = _figures(base, given)
    if not figures:  # no programme reached a household in scope: nothing to compare
        return report
    comparison = _comparison(base, given, period)
    amounts = _amounts(base, period)
    purpose = _purpose_income(base, period)
    loans = _loans(base, period) if SupportProgramme.POLICY_LOAN.value in figures else None
    for programme in SupportProgramme:
        row = figures.get(programme.value)
        if row is None:
            continue
        other = comparison.get(programme.value) or dict.fromkeys(GROUP_FIGURES, 0)
        item = {
            "programme": programme.value,
            "label": label(programme),
            **row,
            "amount_vnd": amounts.get(programme.value, 0),
            "purpose_income_vnd": purpose.get(programme.value, 0),
            "comparison": {**other, **_rates(other)},
        }
        item.update(_rates(row))
        item["difference"] = _difference(item, item["comparison"])
        item["loans"] = loans if programme == SupportProgramme.POLICY_LOAN else None
        report.items.append(item)
    return report


def _base(p: Any, period: Period) -> Any:
    """The projection rows with the official status at the period's start."""
    after_start = (
        OfficialStatusChange.household_id == p.c.household_id,
        OfficialStatusChange.effective_on > period.start.first_day,
    )
    before_change = (
        select(cast(OfficialStatusChange.previous_status, String(20)))
        .where(*after_start)
        .order_by(OfficialStatusChange.effective_on, OfficialStatusChange.id)
        .limit(1)
        .correlate(p)
        .scalar_subquery()
    )
    start_status = case(
        (exists().where(*after_start).correlate(p), before_change),
        else_=cast(p.c.official_status, String(20)),
    )
    return select(
        p.c.household_id,
        p.c.commune_code,
        p.c.platform_income_vnd,
        p.c.attributed_sales_vnd,
        p.c.transition,
        start_status.label("start_status"),
    ).subquery("base")


def _group_figures(base: Any) -> list[Any]:
    def count_if(condition: Any) -> Any:
        return as_int(func.sum(case((condition, 1), else_=0)))

    return [
        func.count(func.distinct(base.c.household_id)).label("households"),
        as_int(func.sum(base.c.platform_income_vnd)).label("platform_income_vnd"),
        as_int(func.sum(base.c.attributed_sales_vnd)).label("attributed_sales_vnd"),
        count_if(base.c.transition == Transition.EXIT.value).label("projected_exits"),
        count_if(base.c.transition == Transition.WORSENED.value).label("worsened"),
    ]


def _by_programme(statement: Any) -> dict[str, dict[str, Any]]:
    found = {}
    for row in db.session.execute(statement).mappings():
        values = dict(row)
        key = values.pop("programme")
        found[_key(key)] = values
    return found


def _figures(base: Any, given: Any) -> dict[str, dict[str, Any]]:
    """The supported households' figures by programme."""
    statement = (
        select(given.c.programme, *_group_figures(base))
        .select_from(given)
        .join(base, base.c.household_id == given.c.household_id)
        .group_by(given.c.programme)
    )
    return _by_programme(statement)


def _comparison(base: Any, given: Any, period: Period) -> dict[str, dict[str, Any]]:
    """By programme: the households of the supported households' (commune, status at the
    period start) pairs that did not receive the programme."""
    strata = (
        select(given.c.programme, base.c.commune_code, base.c.start_status)
        .distinct()
        .select_from(given)
        .join(base, base.c.household_id == given.c.household_id)
        .where(base.c.start_status.is_not(None))
        .subquery("strata")
    )
    again = supported(period, "received")
    received = exists().where(
        again.c.programme == strata.c.programme, again.c.household_id == base.c.household_id
    )
    statement = (
        select(strata.c.programme, *_group_figures(base))
        .select_from(strata)
        .join(
            base,
            and_(
                base.c.commune_code == strata.c.commune_code,
                base.c.start_status == strata.c.start_status,
            ),
        )
        .where(~received)
        .group_by(strata.c.programme)
    )
    return {
        key: {name: values[name] for name in GROUP_FIGURES}
        for key, values in _by_programme(statement).items()
    }


def _counted_in(base: Any, period: Period) -> list[Any]:
    """Supports that count, received by the period's end, of the households of `base`."""
    return [
        *counted(Support),
        Support.received_on <= period.end.last_day,
        Support.household_id.in_(select(base.c.household_id)),
    ]


def _amounts(base: Any, period: Period) -> dict[str, int]:
    """The value of the supports by programme."""
    statement = (
        select(Support.programme, as_int(func.sum(Support.amount_vnd)))
        .where(*_counted_in(base, period))
        .group_by(Support.programme)
    )
    return {_key(k): int(v) for k, v in db.session.execute(statement)}


def _purpose_rows(base: Any, period: Period, programme: SupportProgramme | None = None) -> Any:
    """Each support's income from its purpose product, from its day to the period's end."""
    income = purpose_income(until=period.ends_before, programme=programme).subquery("purpose")
    return (
        select(income)
        .select_from(income)
        .join(Support, Support.id == income.c.support_id)
        .where(*_counted_in(base, period))
        .subquery("purpose_rows")
    )


def _purpose_income(base: Any, period: Period) -> dict[str, int]:
    rows = _purpose_rows(base, period)
    statement = select(rows.c.programme, as_int(func.sum(rows.c.purpose_income_vnd))).group_by(
        rows.c.programme
    )
    return {_key(k): int(v) for k, v in db.session.execute(statement)}


def _loans(base: Any, period: Period) -> dict[str, Any]:
    """Households with policy loans for a purpose product: how many, how many whose purpose
    income reaches the amount of their loans, and how many sold none of it."""
    rows = _purpose_rows(base, period, SupportProgramme.POLICY_LOAN)
    per_household = (
        select(
            rows.c.household_id,
            func.sum(rows.c.purpose_income_vnd).label("income"),
            func.sum(rows.c.amount_vnd).label("amount"),
        )
        .group_by(rows.c.household_id)
        .subquery("per_household")
    )
    households, reached, none = db.session.execute(
        select(
            func.count(),
            as_int(func.sum(case((per_household.c.income >= per_household.c.amount, 1), else_=0))),
            as_int(func.sum(case((per_household.c.income == 0, 1), else_=0))),
        ).select_from(per_household)
    ).one()
    return {
        "households": int(households),
        "reached": int(reached),
        "reached_share": reached / households if households else None,
        "no_purpose_sales": int(none),
    }


def _key(value: Any) -> str:
    return getattr(value, "value", value)


def _rates(figures: dict[str, Any]) -> dict[str, Any]:
    """Per household: platform income (whole đồng, rounded down), shares that exit, worsen."""
    households = figures["households"]
    if not households:
        return {"income_per_household_vnd": None, "exit_share": None, "worsened_share": None}
    return {
        "income_per_household_vnd": figures["platform_income_vnd"] // households,
        "exit_share": figures["projected_exits"] / households,
        "worsened_share": figures["worsened"] / households,
    }


def _difference(supported_: dict[str, Any], comparison: dict[str, Any]) -> dict[str, Any]:
    """Supported minus comparison, per household (None without a comparison group)."""
    return {
        name: None
        if comparison[name] is None or supported_[name] is None
        else supported_[name] - comparison[name]
        for name in ("income_per_household_vnd", "exit_share", "worsened_share")
    }
