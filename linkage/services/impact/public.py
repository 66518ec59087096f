"""Impact figures for buyers and the public: province aggregates with small cells suppressed.

DESIGN 4.4: figures shown beyond a household's officials are aggregates in which a cell of
fewer than 10 households is suppressed. A row of fewer than 10 households shows no figure;
a share of poor and near-poor households (and the share of income reaching them) shows only
when at least 10 households are poor or near poor and at least 10 are not. When a column
would then hide exactly one row, the smallest other row is hidden too (secondary
suppression), so that no hidden cell can be worked out from the total and the other rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.periods import Period
from linkage.services.scope import PUBLIC
from models import Household, Membership, OfficialStatus, PovertyStandard

from .filters import ImpactFilters
from .groups import GroupBy
from .labels import group_label
from .projection import Projection, materialised
from .summary import summarise

MIN_CELL = 10
VULNERABLE = (OfficialStatus.POOR, OfficialStatus.NEAR_POOR)
COLUMNS = (
    "households",
    "poor_near_poor_share",
    "sales_vnd",
    "platform_income_vnd",
    "income_to_poor_near_poor_share",
)


@dataclass
class PublicTable:
    rows: list[dict[str, Any]] = field(default_factory=list)  # key, label, COLUMNS (None = hidden)
    totals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StandardTerms:
    """The poverty standard of the figures as the page states it: plain values, so that the
    figures can be kept (pickled) and shared between requests and workers."""

    code: str
    rural_line_vnd: int
    urban_line_vnd: int
    deprivation_threshold: int

    @classmethod
    def of(cls, standard: PovertyStandard) -> StandardTerms:
        return cls(
            standard.code,
            standard.rural_line_vnd,
            standard.urban_line_vnd,
            standard.deprivation_threshold,
        )


@dataclass
class PublicImpact:
    """The province's public figures: the same for every visitor, plain values only."""

    period: Period
    standard: StandardTerms
    regions: PublicTable
    categories: PublicTable


def shown_count(households: int) -> int | None:
    """A count of households as the public may see it: None below 10."""
    return households if households >= MIN_CELL else None


def share_shown(vulnerable: int, others: int) -> bool:
    """Whether a share of poor and near-poor households may be shown: at least 10 households
    on each side, or the share would point at households or tell each one's status."""
    return vulnerable >= MIN_CELL and others >= MIN_CELL


def _cells(figures: dict[str, Any]) -> dict[str, Any]:
    households = figures["households"]
    vulnerable = figures["poor"] + figures["near_poor"]
    income = figures["platform_income_vnd"]
    to_vulnerable = figures["income_to_poor_vnd"] + figures["income_to_near_poor_vnd"]
    if shown_count(households) is None:
        return dict.fromkeys(COLUMNS)
    shares_shown = share_shown(vulnerable, households - vulnerable)
    return {
        "households": households,
        "poor_near_poor_share": vulnerable / households if shares_shown else None,
        "sales_vnd": figures["sales_vnd"],
        "platform_income_vnd": income,
        "income_to_poor_near_poor_share": (
            (to_vulnerable / income if income else 0.0) if shares_shown else None
        ),
    }


def _secondary(rows: list[dict[str, Any]], additive: bool) -> None:
    """Hide the smallest other cell of a column that would hide only one."""
    if not additive:
        return
    for column in COLUMNS:
        hidden = [row for row in rows if row[column] is None]
        shown = [row for row in rows if row[column] is not None]
        if len(hidden) == 1 and shown:
            smallest = min(shown, key=lambda row: (row["households"] or 0, row["key"]))
            smallest[column] = None


def _table(projection: Projection, group: GroupBy, additive: bool) -> PublicTable:
    period = projection.period
    summary = summarise(PUBLIC, period, group, ImpactFilters(), projection=projection)
    rows = [{"key": r["key"], "label": r["label"], **_cells(r)} for r in summary.rows]
    _secondary(rows, additive)
    return PublicTable(rows=rows, totals=_cells(summary.totals))


def public_impact(period: Period) -> PublicImpact:
    """By region (each household in one) and by product category (a household may deliver
    several categories, so those rows do not add up to the total), from one projection."""
    with materialised(PUBLIC, period, ImpactFilters()) as projection:
        return PublicImpact(
            period=period,
            standard=StandardTerms.of(projection.standard),
            regions=_table(projection, GroupBy.REGION, additive=True),
            categories=_table(projection, GroupBy.PRODUCT_CATEGORY, additive=False),
        )


def relabelled(impact: PublicImpact) -> PublicImpact:
    """The figures with their rows named in the current language (figures kept for all
    visitors were named in the language of the request that computed them)."""

    def table(figures: PublicTable, group: GroupBy) -> PublicTable:
        rows = [{**row, "label": group_label(group, row["key"], "")} for row in figures.rows]
        return replace(figures, rows=rows)

    return replace(
        impact,
        regions=table(impact.regions, GroupBy.REGION),
        categories=table(impact.categories, GroupBy.PRODUCT_CATEGORY),
    )


def member_poverty_share(cooperative_id: int) -> float | None:
    """The share of a cooperative's current members that are poor or near poor, by the same
    rule as the public impact figures: None unless at least 10 members are poor or near poor
    and at least 10 are not. Members whose status is not yet known count on neither side."""
    vulnerable, others = db.session.execute(
        select(
            func.count().filter(Household.official_status.in_(VULNERABLE)),
            func.count().filter(Household.official_status == OfficialStatus.NOT_POOR),
        )
        .select_from(Membership)
        .join(Household, Household.id == Membership.household_id)
        .where(Membership.cooperative_id == cooperative_id, Membership.left_on.is_(None))
    ).one()
    if not share_shown(vulnerable, others):
        return None
    return vulnerable / (vulnerable + others)
