"""Households whose official status is not yet known are left out of projections and impact
figures (and counted as left out); an ethnicity not yet known is in neither ethnicity group."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from linkage.services.impact import (
    GroupBy,
    ImpactFilters,
    build,
    households_page,
    member_poverty_share,
    monthly,
    rank_communes,
    summarise,
)
from linkage.services.periods import Month, Period
from models import OfficialStatus, Payment, PaymentKind

from ..aggregates_helpers import written_directly
from ..factories import CooperativeFactory, HouseholdFactory, MembershipFactory
from ..factories_impact import PERIOD, WHEN, small_province

MARCH = Period(Month.parse(PERIOD["period_start"]), Month.parse(PERIOD["period_end"]))


@pytest.fixture
def official(app, make_user):
    return make_user("official", province_wide=True)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def _unknown_status(cooperative, **kwargs):
    """A household registered in a hurry: poor by its income, status not yet known, paid."""
    values = {
        "code": "H-UNKNOWN",
        "head_name": "Dương Thị Liên",
        "members": 1,
        "baseline_income_vnd": 500_000,
        "deprivations": 5,
        "official_status": None,
        "official_status_on": None,
        "needs_review": True,
        **kwargs,
    }
    household = HouseholdFactory(**values)
    MembershipFactory(household=household, cooperative=cooperative)
    db.session.add(
        Payment(
            cooperative_id=cooperative.id,
            household_id=household.id,
            kind=PaymentKind.SURPLUS,
            amount_vnd=700_000,
            paid_at=WHEN,
        )
    )
    written_directly()
    db.session.commit()
    return household


def _figures(official) -> dict:
    totals = summarise(official, MARCH, GroupBy.COMMUNE, ImpactFilters()).totals
    return {key: value for key, value in totals.items() if key != "not_yet_known"}


def test_summary_figures_leave_out_a_status_not_yet_known(official, request_context):
    places = small_province()
    before = _figures(official)
    _unknown_status(places["a"])
    totals = summarise(official, MARCH, GroupBy.COMMUNE, ImpactFilters()).totals
    assert totals["not_yet_known"] == 1
    # were it counted, there would be one more household, one more poor, more income
    assert _figures(official) == before
    assert (before["households"], before["poor"]) == (4, 1)


@pytest.mark.parametrize("group", list(GroupBy))
def test_no_grouping_counts_a_status_not_yet_known(official, request_context, group):
    places = small_province()
    before = summarise(official, MARCH, group, ImpactFilters()).rows
    _unknown_status(places["a"])
    after = summarise(official, MARCH, group, ImpactFilters()).rows
    assert after == before
    assert all(row["key"] not in ("None", "") for row in after)


def test_monthly_income_leaves_out_a_status_not_yet_known(official, request_context):
    places = small_province()
    mountain = ImpactFilters(region=places["a"].commune.region)
    before = monthly(official, MARCH, ImpactFilters()), monthly(official, MARCH, mountain)
    _unknown_status(places["a"])
    assert (monthly(official, MARCH, ImpactFilters()), monthly(official, MARCH, mountain)) == before
    assert sum(m["platform_income_vnd"] for m in before[0]) == 3_600_000


def test_targeting_shares_leave_out_a_status_not_yet_known(official, request_context):
    places = small_province()
    before = rank_communes(official, MARCH, ImpactFilters())
    _unknown_status(places["a"])
    after = rank_communes(official, MARCH, ImpactFilters())
    assert after.scope_poor_near_poor_share == before.scope_poor_near_poor_share
    assert [(r.commune_code, r.households, r.poor_near_poor_share) for r in after.rows] == [
        (r.commune_code, r.households, r.poor_near_poor_share) for r in before.rows
    ]


def test_the_dashboard_says_how_many_were_left_out(official, request_context):
    places = small_province()
    assert build(official, MARCH, ImpactFilters()).figures["not_yet_known"] == 0
    _unknown_status(places["a"])
    dashboard = build(official, MARCH, ImpactFilters())
    assert dashboard.figures["not_yet_known"] == 1
    assert dashboard.figures["households"] == 4


def test_the_household_list_shows_it_without_projection(official, request_context):
    places = small_province()
    unknown = _unknown_status(places["a"])
    _standard, rows, total = households_page(official, MARCH, ImpactFilters(), 1, 50)
    assert total == 5
    row = next(row for row in rows if row["household_id"] == unknown.id)
    assert (row["official_status"], row["projected_status"], row["transition"]) == (
        None,
        None,
        None,
    )
    assert row["platform_income_vnd"] == 700_000
    for filters in (
        ImpactFilters(projected_status=OfficialStatus.POOR),
        ImpactFilters(official_status=OfficialStatus.POOR),
    ):
        _standard, rows, _total = households_page(official, MARCH, filters, 1, 50)
        assert unknown.id not in {row["household_id"] for row in rows}
    _standard, rows, total = households_page(
        official, MARCH, ImpactFilters(needs_review=True), 1, 50
    )
    assert [row["household_id"] for row in rows] == [unknown.id]


@pytest.mark.parametrize("q", ["lien", "LIEN", "Liên", "h-unknown"])
def test_the_household_list_searches_code_and_name(official, request_context, q):
    places = small_province()
    unknown = _unknown_status(places["a"])
    _standard, rows, _total = households_page(official, MARCH, ImpactFilters(q=q), 1, 50)
    assert [row["household_id"] for row in rows] == [unknown.id]


def test_an_ethnicity_not_yet_known_is_in_neither_group(official, request_context):
    places = small_province()
    household = HouseholdFactory(
        code="H-NO-ETHNICITY", ethnic_group_code=None, official_status=OfficialStatus.POOR
    )
    MembershipFactory(household=household, cooperative=places["a"])
    db.session.commit()
    groups = summarise(official, MARCH, GroupBy.ETHNICITY_GROUP, ImpactFilters())
    rows = {row["key"]: row for row in groups.rows}
    assert {key: row["households"] for key, row in rows.items()} == {
        "kinh": 3,
        "minority": 1,
        "not_yet_known": 1,
    }
    assert rows["not_yet_known"]["label"] == "Chưa rõ"  # "Not yet known" in the default language
    assert sum(row["households"] for row in groups.rows) == groups.totals["households"] == 5
    by_group = summarise(official, MARCH, GroupBy.ETHNICITY, ImpactFilters())
    assert {row["key"]: row["label"] for row in by_group.rows}["not_yet_known"] == rows[
        "not_yet_known"
    ]["label"]
    for group, count in (("minority", 1), ("kinh", 3)):
        _standard, rows_, total = households_page(
            official, MARCH, ImpactFilters(ethnicity_group=group), 1, 50
        )
        assert total == count
        assert household.id not in {row["household_id"] for row in rows_}


def test_a_cooperative_share_of_poor_members_leaves_out_the_unknown(app):
    cooperative = CooperativeFactory()
    for status, count in (
        (OfficialStatus.POOR, 10),
        (OfficialStatus.NOT_POOR, 10),
        (None, 5),
    ):
        for household in HouseholdFactory.create_batch(count, official_status=status):
            MembershipFactory(household=household, cooperative=cooperative)
    db.session.commit()
    assert member_poverty_share(cooperative.id) == 0.5
