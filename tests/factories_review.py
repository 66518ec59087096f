"""A hand-built review queue: one household for each reason to review, and households that
must not be listed (in the commune of the default official, Đạo Trù, and one outside it)."""

from __future__ import annotations

from datetime import UTC, datetime

from linkage.extensions import db
from models import Household, Payment, PaymentKind

from .aggregates_helpers import written_directly
from .factories import CooperativeFactory, HouseholdFactory

RURAL, URBAN = "08914", "07900"  # Đạo Trù, Việt Trì
PERIOD = {"period_start": "2026-01", "period_end": "2026-03"}
NOW = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)
BEFORE = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)  # in the period before (2025-10..12)
EXPECTED = {
    "BOUNDARY": "boundary_change",
    "NO-STATUS": "status_not_yet_known",
    "NO-ETHNICITY": "ethnicity_not_yet_known",
    "DISAGREES": "projection_disagrees",
    "DISAGREES-FLAGGED": "boundary_change projection_disagrees",
}


def _pay(household, cooperative, when, amount=12_000_000):
    # poor, 4 members, baseline 1,200,000: 12,000,000 over 3 months lifts the projection to
    # 2,200,000 per person per month, above the rural line of 1,500,000 (not poor)
    db.session.add(
        Payment(
            cooperative_id=cooperative.id,
            household_id=household.id,
            kind=PaymentKind.SURPLUS,
            amount_vnd=amount,
            paid_at=when,
        )
    )


def review_setting() -> dict[str, Household]:
    """The queue's households by code (committed)."""
    coop = CooperativeFactory(commune_code=RURAL)
    made = {
        "BOUNDARY": HouseholdFactory(code="BOUNDARY", needs_review=True),
        "NO-STATUS": HouseholdFactory(
            code="NO-STATUS", official_status=None, official_status_on=None, needs_review=True
        ),
        "NO-ETHNICITY": HouseholdFactory(
            code="NO-ETHNICITY", ethnic_group_code=None, needs_review=True
        ),
        "DISAGREES": HouseholdFactory(code="DISAGREES"),
        "DISAGREES-FLAGGED": HouseholdFactory(code="DISAGREES-FLAGGED", needs_review=True),
        "ONCE": HouseholdFactory(code="ONCE"),  # disagrees in the period only
        "CALM": HouseholdFactory(code="CALM"),  # poor, projected poor
        "OUTSIDE": HouseholdFactory(
            code="OUTSIDE", commune_code=URBAN, ethnic_group_code="01", needs_review=True
        ),
    }
    db.session.flush()
    for code in ("DISAGREES", "DISAGREES-FLAGGED"):
        _pay(made[code], coop, NOW)
        _pay(made[code], coop, BEFORE)
    _pay(made["ONCE"], coop, NOW)
    written_directly()
    db.session.commit()
    return made
