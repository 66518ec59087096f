"""Targeting ranks communes on figures it reads in one statement (households, poor, near
poor and linkage income by commune, no projection): the same figures as the summary by
commune, for every scope and filter, so a ranking never differs from the table beside it."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from linkage.services.impact import GroupBy, ImpactFilters, kept, rank_communes, summarise
from linkage.services.impact.filters import EthnicityGroup
from linkage.services.impact.projection import kept_period, standard_for
from linkage.services.impact.targeting import ranked_figures
from linkage.services.periods import Month, Period
from models import Household, OfficialStatus, Payment, PaymentKind

from ..aggregates_helpers import written_directly
from ..factories import HouseholdFactory, MembershipFactory
from ..factories_impact import PERIOD, RURAL, WHEN, small_province

MARCH = Period(Month.parse(PERIOD["period_start"]), Month.parse(PERIOD["period_end"]))
RANKED = ("households", "poor", "near_poor", "platform_income_vnd")


@pytest.fixture
def province(app):
    made = small_province()
    # a household not yet classified, paid in March: left out of both, as in every summary
    unknown = HouseholdFactory(code="H-UNKNOWN", official_status=None, commune_code=RURAL)
    MembershipFactory(cooperative=made["a"], household=unknown)
    db.session.add(
        Payment(
            cooperative_id=made["a"].id,
            household_id=unknown.id,
            kind=PaymentKind.OTHER,
            amount_vnd=123_456,
            paid_at=WHEN,
        )
    )
    written_directly()
    db.session.commit()
    return made


FILTERS = [
    ImpactFilters(),
    ImpactFilters(commune=RURAL),
    ImpactFilters(ethnicity_group=EthnicityGroup.MINORITY),
    ImpactFilters(official_status=OfficialStatus.POOR),
    ImpactFilters(meritorious=False),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: str(f.as_dict() or "none"))
@pytest.mark.parametrize("who", ["province", "commune"])
@pytest.mark.parametrize("stored", [False, True], ids=["computed", "kept"])
def test_the_ranked_figures_are_the_summary_by_commune(province, make_user, who, filters, stored):
    if stored:  # the period's projections kept, one household changed since (read live)
        kept.keep([MARCH])
        kept.drain()
        db.session.get(Household, province["poor"].id).members += 2
        db.session.commit()
        assert kept_period(MARCH, standard_for(MARCH)) is not None
    if who == "province":
        official = make_user("official", province_wide=True)
    else:
        official = make_user("official")  # Đạo Trù only
    summary = summarise(official, MARCH, GroupBy.COMMUNE, filters)
    figures = ranked_figures(official, MARCH, filters)
    assert [{"key": r["key"], **{n: r[n] for n in RANKED}} for r in summary.rows] == [
        {"key": r["key"], **{n: r[n] for n in RANKED}} for r in figures.rows
    ]
    assert {n: figures.totals[n] for n in RANKED[:3]} == {n: summary.totals[n] for n in RANKED[:3]}
    assert figures.rows, "the small province has linked households in March"
    assert rank_communes(official, MARCH, filters) == rank_communes(
        official, MARCH, filters, summary
    )
