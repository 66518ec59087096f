"""Targeting: communes ranked by need, with the reasons for each rank.

The province's principle is to steer support to the places left behind. A commune's need
score (0 to 100) is the mean of three parts, each from 0 to 1, so that the reason for a rank
can be read off the figures shown beside it:
- the share of its member households that are poor or near poor;
- how far its linkage income per household (payments in the period) falls below the average
  of the communes in scope (0 at or above the average, 1 with no income at all);
- whether it is a disadvantaged commune (1) or not (0).
Communes in scope where no household is linked yet are listed apart: nothing is known of
their households, and reaching them is the first step.

A fourth figure, `supported_without_sales`, counts the poor and near-poor households that
received a loan or a variety (a counted policy loan, crop variety or livestock breed, received
on or before the period's last day) but sold nothing through a cooperative in the period (no
counted payment dated in it). It is a reason a commune ranks high: policy reached those
households and the market did not yet, so a cooperative should reach them first. It breaks
ties between equal need scores and does not enter the score itself, whose three parts stay
comparable from one period to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.formats import format_share
from linkage.services.jurisdiction import communes_of
from linkage.services.periods import Period
from linkage.services.scope import Actor
from models import Commune, Household, HouseholdMonthIncome, OfficialStatus, PovertyStandard

from .filters import ImpactFilters, checked_scope, household_conditions
from .groups import GroupBy
from .projection import kept_projection, kept_totals, standard_for
from .reached import supported_without_sales
from .sales import as_int
from .summary import Summary


@dataclass(frozen=True)
class Reason:
    # high_poverty, low_income, no_income, supported_without_sales, disadvantaged, lower_need
    code: str
    text: str


@dataclass
class RankedCommune:
    rank: int
    commune_code: str
    name: str
    disadvantaged: bool
    households: int
    poor: int
    near_poor: int
    poor_near_poor_share: float
    platform_income_vnd: int
    income_per_household_vnd: int
    need_score: int
    reasons: list[Reason]
    supported_without_sales: int = 0


@dataclass
class Targeting:
    period: Period
    standard: PovertyStandard
    scope_poor_near_poor_share: float
    scope_income_per_household_vnd: int
    rows: list[RankedCommune] = field(default_factory=list)
    not_reached: list[Commune] = field(default_factory=list)


def _percent(share: float) -> str:
    return format_share(share)


def _money(value: int) -> str:
    return format_decimal(value, format="#,##0")


def _reasons(
    share: float,
    per_household: int,
    disadvantaged: bool,
    scope_share: float,
    scope_income: int,
    without_sales: int = 0,
) -> list[Reason]:
    reasons = []
    if share > scope_share:
        reasons.append(
            Reason(
                "high_poverty",
                _(
                    "%(share)s of member households are poor or near poor (%(scope)s in scope).",
                    share=_percent(share),
                    scope=_percent(scope_share),
                ),
            )
        )
    if per_household == 0:
        reasons.append(
            Reason("no_income", _("No linkage income reached its households in the period."))
        )
    elif per_household < scope_income:
        reasons.append(
            Reason(
                "low_income",
                _(
                    "Linkage income of %(income)s ₫ per household, below the average of "
                    "%(scope)s ₫ in scope.",
                    income=_money(per_household),
                    scope=_money(scope_income),
                ),
            )
        )
    if without_sales:
        reasons.append(
            Reason(
                "supported_without_sales",
                ngettext(
                    "%(num)d poor or near-poor household received a loan or a variety but "
                    "sold nothing through a cooperative in the period.",
                    "%(num)d poor or near-poor households received a loan or a variety but "
                    "sold nothing through a cooperative in the period.",
                    without_sales,
                ),
            )
        )
    if disadvantaged:
        reasons.append(Reason("disadvantaged", _("A disadvantaged commune.")))
    if not reasons:
        reasons.append(
            Reason(
                "lower_need",
                _("Poverty share and linkage income are at or better than the scope average."),
            )
        )
    return reasons


def _communes_in_scope(actor: Actor, filters: ImpactFilters) -> list[Commune]:
    """The communes of the jurisdiction within the place filters."""
    return [
        commune
        for commune in communes_of(actor)
        if (filters.commune is None or commune.code == filters.commune)
        and (filters.former_province is None or commune.former_province == filters.former_province)
        and (filters.region is None or commune.region == filters.region)
    ]


def ranked_figures(actor: Actor, period: Period, filters: ImpactFilters) -> Summary:
    """What the ranking reads, by commune: the households whose official status is known,
    how many are poor and near poor, and their linkage income in the period (as in the
    summary by commune, and its totals for these three counts). One statement: on the kept
    projections of the period when they can be read, else on the households and the
    write-time aggregates (the ranking takes official statuses: it needs no projection)."""
    scope = checked_scope(actor, filters)
    standard = standard_for(period)
    kept = kept_projection(scope, period, standard, filters)
    if kept is not None:
        key, official, income = (
            kept.c.commune_code,
            kept.c.official_status,
            kept.c.platform_income_vnd,
        )
        statement = select().select_from(kept)
    else:
        sums = kept_totals(HouseholdMonthIncome.amount_vnd, scope, period)
        key, official, income = Household.commune_code, Household.official_status, sums.c.total
        statement = (
            select()
            .select_from(Household)
            .join(Commune, Commune.code == Household.commune_code)
            .outerjoin(sums, sums.c.household_id == Household.id)
            .where(scope.households(), *household_conditions(period, filters))
        )
    statement = (
        statement.add_columns(
            key.label("key"),
            func.count().label("households"),
            func.count().filter(official == OfficialStatus.POOR).label("poor"),
            func.count().filter(official == OfficialStatus.NEAR_POOR).label("near_poor"),
            as_int(func.sum(income)).label("platform_income_vnd"),
        )
        .where(official.is_not(None))
        .group_by(key)
        .order_by(key)
    )
    rows = [dict(row) for row in db.session.execute(statement).mappings()]
    totals = {name: sum(row[name] for row in rows) for name in ("households", "poor", "near_poor")}
    return Summary(period, standard, GroupBy.COMMUNE, rows=rows, totals=totals)


def rank_communes(
    actor: Actor, period: Period, filters: ImpactFilters, summary: Summary | None = None
) -> Targeting:
    """Communes in scope with linked households, most in need first (`summary`: the figures
    by commune when the caller has them already)."""
    if summary is None or summary.group_by != GroupBy.COMMUNE:
        summary = ranked_figures(actor, period, filters)
    communes = {c.code: c for c in _communes_in_scope(actor, filters)}
    without_sales = supported_without_sales(actor, period, filters)
    totals = summary.totals
    scope_share = (
        (totals["poor"] + totals["near_poor"]) / totals["households"] if totals["households"] else 0
    )
    # the mean over communes of income per household, so that big communes do not set the bar
    per_household = {
        row["key"]: row["platform_income_vnd"] // row["households"]
        for row in summary.rows
        if row["households"]
    }
    scope_income = sum(per_household.values()) // len(per_household) if per_household else 0
    ranked: list[dict[str, Any]] = []
    for row in summary.rows:
        if not row["households"]:
            continue
        commune = communes.get(row["key"]) or db.session.get(Commune, row["key"])
        share = (row["poor"] + row["near_poor"]) / row["households"]
        income = per_household[row["key"]]
        shortfall = 1 - min(income / scope_income, 1) if scope_income else 0
        score = (share + shortfall + (1 if commune.disadvantaged else 0)) / 3
        ranked.append(
            {
                "commune": commune,
                "row": row,
                "share": share,
                "income": income,
                "score": round(score * 100),
                "raw": score,
                "without_sales": without_sales.get(row["key"], 0),
            }
        )
    ranked.sort(key=lambda item: (-item["raw"], -item["without_sales"], item["commune"].code))
    targeting = Targeting(
        period=period,
        standard=summary.standard,
        scope_poor_near_poor_share=scope_share,
        scope_income_per_household_vnd=scope_income,
    )
    for position, item in enumerate(ranked, start=1):
        commune, row = item["commune"], item["row"]
        targeting.rows.append(
            RankedCommune(
                rank=position,
                commune_code=commune.code,
                name=commune.name,
                disadvantaged=commune.disadvantaged,
                households=row["households"],
                poor=row["poor"],
                near_poor=row["near_poor"],
                poor_near_poor_share=item["share"],
                platform_income_vnd=row["platform_income_vnd"],
                income_per_household_vnd=item["income"],
                need_score=item["score"],
                reasons=_reasons(
                    item["share"],
                    item["income"],
                    commune.disadvantaged,
                    scope_share,
                    scope_income,
                    item["without_sales"],
                ),
                supported_without_sales=item["without_sales"],
            )
        )
    reached = {row.commune_code for row in targeting.rows}
    targeting.not_reached = sorted(
        (c for code, c in communes.items() if code not in reached),
        key=lambda c: (not c.disadvantaged, c.name),
    )
    return targeting
