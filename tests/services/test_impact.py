"""The SQL projection agrees with the pure rules, household by household, at the boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.impact import (
    ImpactFilters,
    Sort,
    household_rows,
    households_page,
    materialised,
)
from linkage.services.impact.poverty import Transition, classify, projected_income, transition
from linkage.services.periods import Month, Period
from models import OfficialStatus, Payment, PaymentKind, PovertyStandard

from ..aggregates_helpers import written_directly
from ..factories import CooperativeFactory, HouseholdFactory, MembershipFactory, UserFactory

URBAN_WARD = "07900"  # Việt Trì ward: urban area
RURAL = "08914"  # Đạo Trù


def _pay(household, cooperative, amount, when):
    db.session.add(
        Payment(
            cooperative_id=cooperative.id,
            household_id=household.id,
            kind=PaymentKind.SURPLUS,
            amount_vnd=amount,
            paid_at=when,
        )
    )
    written_directly()


def _official(**kwargs):
    return UserFactory(role="official", province_wide=True, **kwargs)


def _project(actor, start, end, **filters):
    period = Period(Month.parse(start), Month.parse(end))
    return households_page(actor, period, ImpactFilters(**filters), 1, 200)


def test_income_exactly_at_the_line_stays_poor(app):
    cooperative = CooperativeFactory()
    # 3 months, 2 people: 1,800,000 VND / 6 = 300,000 a person-month; 1,200,000 + 300,000
    # = 1,500,000 = the rural line of VN-2022-2025: still poor (<= line).
    at_line = HouseholdFactory(members=2, baseline_income_vnd=1_200_000, deprivations=3)
    above = HouseholdFactory(members=2, baseline_income_vnd=1_200_001, deprivations=3)
    for household in (at_line, above):
        MembershipFactory(household=household, cooperative=cooperative)
        _pay(household, cooperative, 1_800_000, datetime(2026, 2, 10, tzinfo=UTC))
    db.session.commit()
    standard, rows, total = _project(_official(), "2026-01", "2026-03")
    assert standard.code == "VN-2022-2025"
    by_id = {row["household_id"]: row for row in rows}
    assert by_id[at_line.id]["projected_income_vnd"] == 1_500_000
    assert by_id[at_line.id]["projected_status"] == "poor"
    assert by_id[at_line.id]["transition"] == "unchanged"
    assert by_id[above.id]["projected_status"] == "not_poor"
    assert by_id[above.id]["transition"] == "exit"
    assert total == 2


def test_deprivations_exactly_at_the_threshold(app):
    cooperative = CooperativeFactory()
    at = HouseholdFactory(
        deprivations=3, baseline_income_vnd=1_000_000, official_status=OfficialStatus.NEAR_POOR
    )
    below = HouseholdFactory(
        deprivations=2, baseline_income_vnd=1_000_000, official_status=OfficialStatus.POOR
    )
    for household in (at, below):
        MembershipFactory(household=household, cooperative=cooperative)
    db.session.commit()
    _standard, rows, _total = _project(_official(), "2026-01", "2026-01")
    by_id = {row["household_id"]: row for row in rows}
    assert (by_id[at.id]["projected_status"], by_id[at.id]["transition"]) == ("poor", "worsened")
    assert (by_id[below.id]["projected_status"], by_id[below.id]["transition"]) == (
        "near_poor",
        "improved",
    )


def test_a_period_crossing_into_2027_uses_the_2027_standard(app):
    household = HouseholdFactory(
        baseline_income_vnd=2_000_000, deprivations=4, official_status=OfficialStatus.NOT_POOR
    )
    MembershipFactory(household=household)
    db.session.commit()
    standard, rows, _ = _project(_official(), "2026-11", "2027-01")
    assert standard.code == "VN-2027-2030"
    assert rows[0]["poverty_line_vnd"] == 2_200_000
    assert rows[0]["projected_status"] == "poor"
    assert rows[0]["transition"] == "worsened"
    standard, rows, _ = _project(_official(), "2026-10", "2026-12")
    assert standard.code == "VN-2022-2025"
    assert rows[0]["projected_status"] == "not_poor"


def test_urban_and_rural_lines(app):
    urban = HouseholdFactory(
        commune_code=URBAN_WARD,
        baseline_income_vnd=1_800_000,
        deprivations=0,
        official_status=OfficialStatus.NOT_POOR,
    )
    rural = HouseholdFactory(
        commune_code=RURAL,
        baseline_income_vnd=1_800_000,
        deprivations=0,
        official_status=OfficialStatus.NOT_POOR,
    )
    for household in (urban, rural):
        MembershipFactory(household=household)
    db.session.commit()
    _standard, rows, _ = _project(_official(), "2026-05", "2026-05")
    by_id = {row["household_id"]: row for row in rows}
    assert by_id[urban.id]["poverty_line_vnd"] == 2_000_000
    assert by_id[urban.id]["projected_status"] == "near_poor"
    assert by_id[rural.id]["poverty_line_vnd"] == 1_500_000
    assert by_id[rural.id]["projected_status"] == "not_poor"


def test_a_household_in_two_cooperatives_counts_all_its_income_once(app):
    household = HouseholdFactory(members=1, baseline_income_vnd=1_000_000)
    first, second = CooperativeFactory(), CooperativeFactory()
    for cooperative in (first, second):
        MembershipFactory(household=household, cooperative=cooperative)
        _pay(household, cooperative, 300_000, datetime(2026, 4, 2, tzinfo=UTC))
    db.session.commit()
    _standard, rows, total = _project(_official(), "2026-04", "2026-04")
    assert total == 1
    assert rows[0]["platform_income_vnd"] == 600_000
    assert rows[0]["projected_income_vnd"] == 1_600_000
    _standard, rows, total = _project(_official(), "2026-04", "2026-04", cooperative=first.id)
    assert total == 1


def test_payments_are_counted_by_vietnam_month(app):
    household = HouseholdFactory(members=1, baseline_income_vnd=0)
    MembershipFactory(household=household)
    # 31 Jan 20:00 UTC is 1 February 03:00 in Vietnam
    _pay(
        household, household.memberships[0].cooperative, 100, datetime(2026, 1, 31, 20, tzinfo=UTC)
    )
    db.session.commit()
    assert _project(_official(), "2026-01", "2026-01")[1][0]["platform_income_vnd"] == 0
    assert _project(_official(), "2026-02", "2026-02")[1][0]["platform_income_vnd"] == 100


def test_the_sql_agrees_with_the_pure_rules(app):
    cooperative = CooperativeFactory()
    standards = {s.code: s for s in db.session.scalars(db.select(PovertyStandard))}
    cases = []
    for index in range(40):
        household = HouseholdFactory(
            members=1 + index % 5,
            baseline_income_vnd=900_000 + index * 37_000,
            deprivations=index % 6,
            official_status=list(OfficialStatus)[index % 3],
            commune_code=URBAN_WARD if index % 4 == 0 else RURAL,
        )
        MembershipFactory(household=household, cooperative=cooperative)
        amount = index * 123_457
        _pay(household, cooperative, amount, datetime(2026, 6, 15, tzinfo=UTC))
        cases.append((household, amount))
    db.session.commit()
    standard, rows, _ = _project(_official(), "2026-04", "2026-09")
    assert standard == standards["VN-2022-2025"]
    by_id = {row["household_id"]: row for row in rows}
    for household, amount in cases:
        line = 2_000_000 if household.commune_code == URBAN_WARD else 1_500_000
        income = projected_income(household.baseline_income_vnd, amount, household.members, 6)
        status = classify(income, line, household.deprivations, 3)
        row = by_id[household.id]
        assert row["projected_income_vnd"] == income
        assert row["projected_status"] == status.value
        assert row["transition"] == transition(household.official_status, status).value


def test_officials_see_only_their_communes(app):
    inside = HouseholdFactory(commune_code=RURAL)
    outside = HouseholdFactory(commune_code=URBAN_WARD)
    for household in (inside, outside):
        MembershipFactory(household=household)
    commune_official = UserFactory(role="official")  # Đạo Trù only
    db.session.commit()
    _standard, rows, _ = _project(commune_official, "2026-01", "2026-01")
    assert [row["household_id"] for row in rows] == [inside.id]
    from linkage.services.errors import DomainError

    with pytest.raises(DomainError) as refused:
        _project(commune_official, "2026-01", "2026-01", commune=URBAN_WARD)
    assert refused.value.status == 404


def test_the_number_of_queries_does_not_grow_with_households(app):
    cooperative = CooperativeFactory()
    official = _official()
    counts = []
    for batch in (5, 60):
        for _ in range(batch):
            household = HouseholdFactory()
            MembershipFactory(household=household, cooperative=cooperative)
            _pay(household, cooperative, 1000, datetime(2026, 1, 5, tzinfo=UTC))
        db.session.commit()
        statements: list[str] = []
        listener = statements_listener(statements)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            _project(official, "2026-01", "2026-03")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1], statements
    # whether the period's projections are kept (they are not here), then the projection is
    # materialised once (create, fill, drop), then counted and paged
    assert counts[1] <= 9, statements
    assert sum(s.lstrip().upper().startswith("INSERT") for s in statements) == 1


def statements_listener(statements: list[str]):
    def listen(*args):
        statements.append(args[2])

    return listen


def test_transition_filter(app):
    household = HouseholdFactory(baseline_income_vnd=5_000_000, deprivations=0)
    MembershipFactory(household=household)
    db.session.commit()
    _s, rows, total = _project(_official(), "2026-01", "2026-01", transition=Transition.EXIT)
    assert total == 1 and rows[0]["household_id"] == household.id
    _s, rows, total = _project(
        _official(), "2026-01", "2026-01", projected_status=OfficialStatus.POOR
    )
    assert total == 0


def test_an_export_reads_every_row_of_one_projection_in_chunks(app):
    cooperative = CooperativeFactory()
    for amount in range(7):
        household = HouseholdFactory()
        MembershipFactory(household=household, cooperative=cooperative)
        _pay(household, cooperative, 1000 * (amount + 1), datetime(2026, 1, 5, tzinfo=UTC))
    db.session.commit()
    official = _official()
    period = Period(Month(2026, 1), Month(2026, 3))
    _standard, page, total = households_page(
        official, period, ImpactFilters(), 1, 50, Sort.PLATFORM_INCOME_DESC
    )
    statements: list[str] = []
    listener = statements_listener(statements)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with materialised(official, period, ImpactFilters()) as projection:
            rows = list(household_rows(projection, Sort.PLATFORM_INCOME_DESC, chunk=2))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert total == 7
    assert rows == page  # the same rows in the same order as the paged list
    assert [row["platform_income_vnd"] for row in rows] == [
        7000,
        6000,
        5000,
        4000,
        3000,
        2000,
        1000,
    ]
    assert sum(s.lstrip().upper().startswith("INSERT") for s in statements) == 1
