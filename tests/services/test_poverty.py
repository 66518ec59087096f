"""Projected poverty status: the pure rules of DESIGN 4.3 at their boundaries."""

from __future__ import annotations

import pytest

from linkage.services.impact.poverty import Transition, classify, projected_income, transition
from models import OfficialStatus

POOR, NEAR, NOT = OfficialStatus.POOR, OfficialStatus.NEAR_POOR, OfficialStatus.NOT_POOR
RURAL_2025, URBAN_2025, RURAL_2027 = 1_500_000, 2_000_000, 2_200_000


@pytest.mark.parametrize(
    ("income", "line", "deprivations", "threshold", "expected"),
    [
        (1_500_000, RURAL_2025, 3, 3, POOR),  # income exactly at the line: still poor
        (1_500_001, RURAL_2025, 3, 3, NOT),  # one VND above: not poor
        (1_500_000, RURAL_2025, 2, 3, NEAR),  # deprivations just below the threshold
        (1_499_999, RURAL_2025, 3, 3, POOR),  # deprivations exactly at the threshold
        (1_800_000, URBAN_2025, 0, 3, NEAR),  # urban line is higher: near poor in a ward
        (1_800_000, RURAL_2025, 5, 3, NOT),  # the same income in a rural commune: not poor
        (2_100_000, RURAL_2027, 4, 3, POOR),  # the 2027 line: poor again at 2.1 million
        (0, RURAL_2025, 12, 3, POOR),
    ],
)
def test_classify(income, line, deprivations, threshold, expected):
    assert classify(income, line, deprivations, threshold) == expected


@pytest.mark.parametrize(
    ("official", "projected", "expected"),
    [
        (POOR, NOT, Transition.EXIT),
        (NEAR, NOT, Transition.EXIT),
        (POOR, NEAR, Transition.IMPROVED),
        (POOR, POOR, Transition.UNCHANGED),
        (NOT, NOT, Transition.UNCHANGED),
        (NOT, NEAR, Transition.WORSENED),
        (NEAR, POOR, Transition.WORSENED),
        (NOT, POOR, Transition.WORSENED),
    ],
)
def test_transition(official, projected, expected):
    assert transition(official, projected) == expected


def test_projected_income_spreads_platform_income_over_people_and_months():
    # 4 people, 3 months, 1,000,000 VND of payments: 83,333.33 per person-month, floored
    assert projected_income(1_200_000, 1_000_000, 4, 3) == 1_283_333
    assert projected_income(1_200_000, 0, 1, 1) == 1_200_000


def test_projected_income_needs_people_and_months():
    with pytest.raises(ValueError):
        projected_income(1, 1, 0, 1)
    with pytest.raises(ValueError):
        projected_income(1, 1, 1, 0)
