"""The support and income report: its figures for a hand-built commune equal the figures
worked out by hand (tests/factories_support_report.py), within the actor's scope."""

from __future__ import annotations

import pytest

from linkage.labels import label
from linkage.services.errors import NotFound
from linkage.services.impact import GroupBy, ImpactFilters, summarise
from linkage.services.impact.supports import support_report
from models import SupportProgramme

from ..factories_support_report import (
    EXPECTED,
    EXPECTED_LOANS,
    LOAN,
    PERIOD,
    VARIETY,
    figures,
    report_setting,
)


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def _items(actor, filters=None):
    report = support_report(actor, PERIOD, filters or ImpactFilters())
    return {item["programme"]: item for item in report.items}


def test_the_figures_equal_those_worked_out_by_hand(app, request_context):
    setting = report_setting()
    items = _items(setting.official)
    # the void livestock breed makes no row; no other programme was received
    assert sorted(items) == sorted([LOAN, VARIETY])
    for programme, expected in EXPECTED.items():
        assert figures(items[programme]) == expected
    assert items[LOAN]["loans"] == EXPECTED_LOANS
    assert items[VARIETY]["loans"] is None


def test_per_household_figures_and_the_difference(app, request_context):
    setting = report_setting()
    loan = _items(setting.official)[LOAN]
    assert loan["income_per_household_vnd"] == 2_150_000  # 4,300,000 / 2
    assert loan["comparison"]["income_per_household_vnd"] == 500_000  # 1,500,000 / 3
    assert loan["difference"]["income_per_household_vnd"] == 1_650_000
    assert loan["difference"]["exit_share"] == pytest.approx(0.5)
    assert loan["difference"]["worsened_share"] == pytest.approx(-1 / 3)


def test_a_commune_official_sees_only_their_communes(app, request_context):
    setting = report_setting()
    town = _items(setting.town_official)
    assert list(town) == [LOAN]
    assert figures(town[LOAN])["households"] == 1
    assert town[LOAN]["amount_vnd"] == 7_000_000
    assert town[LOAN]["purpose_income_vnd"] == 800_000
    assert town[LOAN]["comparison"]["households"] == 0
    assert town[LOAN]["difference"]["income_per_household_vnd"] is None
    with pytest.raises(NotFound):
        support_report(setting.official, PERIOD, ImpactFilters(commune="07900"))


def test_the_province_counts_both_communes_apart(app, request_context):
    setting = report_setting()
    loan = _items(setting.admin)[LOAN]
    assert loan["households"] == 3
    assert loan["amount_vnd"] == 12_000_000
    assert loan["purpose_income_vnd"] == 4_300_000
    # E's ward has no household without a loan: the comparison group is still Đạo Trù's
    assert loan["comparison"]["households"] == 3
    assert loan["loans"] == {
        "households": 3,
        "reached": 1,
        "reached_share": pytest.approx(1 / 3),
        "no_purpose_sales": 1,
    }


def test_filters_narrow_the_report(app, request_context):
    setting = report_setting()
    assert _items(setting.admin, ImpactFilters(commune="07900"))[LOAN]["households"] == 1


def test_the_summary_groups_by_programme(app, request_context):
    setting = report_setting()
    summary = summarise(setting.official, PERIOD, GroupBy.SUPPORT_PROGRAMME, ImpactFilters())
    rows = {row["key"]: row for row in summary.rows}
    assert sorted(rows) == sorted([LOAN, VARIETY])
    # B has both: it counts in each
    assert (rows[LOAN]["households"], rows[VARIETY]["households"]) == (2, 1)
    assert rows[LOAN]["platform_income_vnd"] == 4_300_000
    assert rows[LOAN]["projected_exits"] == 1
    assert rows[LOAN]["label"] == label(SupportProgramme.POLICY_LOAN)
