"""Projected poverty status (DESIGN 4.3) as pure rules: values in, values out.

Lines and thresholds are arguments (they come from the poverty standards table), never
constants here.
"""

from __future__ import annotations

import enum

from models import OfficialStatus

RANK = {OfficialStatus.POOR: 0, OfficialStatus.NEAR_POOR: 1, OfficialStatus.NOT_POOR: 2}


class Transition(enum.StrEnum):
    EXIT = "exit"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"


def projected_income(
    baseline_income_vnd: int, platform_income_vnd: int, members: int, months: int
) -> int:
    """Income per person per month: the baseline plus the platform income spread evenly."""
    if members < 1 or months < 1:
        raise ValueError("members and months must be at least 1")
    return baseline_income_vnd + platform_income_vnd // (members * months)


def classify(income_vnd: int, line_vnd: int, deprivations: int, threshold: int) -> OfficialStatus:
    """poor: income <= line and deprivations >= threshold; near_poor: income <= line and
    fewer deprivations; otherwise not_poor."""
    if income_vnd <= line_vnd:
        return OfficialStatus.POOR if deprivations >= threshold else OfficialStatus.NEAR_POOR
    return OfficialStatus.NOT_POOR


def transition(official: OfficialStatus, projected: OfficialStatus) -> Transition:
    """How the projection compares with the official status (poor < near_poor < not_poor)."""
    if RANK[projected] > RANK[official]:
        return Transition.EXIT if projected == OfficialStatus.NOT_POOR else Transition.IMPROVED
    if RANK[projected] < RANK[official]:
        return Transition.WORSENED
    return Transition.UNCHANGED
