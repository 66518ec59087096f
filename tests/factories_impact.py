"""A small province for the impact tests (API, dashboard, household pages): one data set,
so that the pages and the API are checked against the same figures."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from linkage.extensions import db
from linkage.services.income import attribute_order
from models import (
    Collection,
    LotAllocation,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
)

from .aggregates_helpers import written_directly
from .factories import (
    CooperativeFactory,
    HouseholdFactory,
    ListingFactory,
    LotFactory,
    MembershipFactory,
    UserFactory,
)

RURAL, URBAN = "08914", "07900"  # Đạo Trù (a mountain commune), Việt Trì (an urban ward)
WHEN = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
PERIOD = {"period_start": "2026-01", "period_end": "2026-03"}


def small_province() -> dict[str, Any]:
    """Cooperative A (Đạo Trù) with three households, B (Việt Trì ward) with one; surplus
    payments in March 2026 and a paid order of HTX A whose value is attributed."""
    a = CooperativeFactory(commune_code=RURAL, name="HTX A")
    b = CooperativeFactory(commune_code=URBAN, name="HTX B")
    poor = HouseholdFactory(
        code="H-POOR",
        members=2,
        baseline_income_vnd=1_200_000,
        deprivations=3,
        official_status=OfficialStatus.POOR,
        ethnic_group_code="09",
    )
    near = HouseholdFactory(
        code="H-NEAR",
        members=1,
        baseline_income_vnd=1_400_000,
        deprivations=1,
        official_status=OfficialStatus.NEAR_POOR,
        ethnic_group_code="01",
    )
    rich = HouseholdFactory(
        code="H-RICH",
        members=4,
        baseline_income_vnd=3_000_000,
        deprivations=0,
        official_status=OfficialStatus.NOT_POOR,
        ethnic_group_code="01",
    )
    ward = HouseholdFactory(
        code="H-WARD",
        commune_code=URBAN,
        members=3,
        baseline_income_vnd=1_900_000,
        deprivations=0,
        official_status=OfficialStatus.NOT_POOR,
        ethnic_group_code="01",
    )
    for household in (poor, near, rich):
        MembershipFactory(household=household, cooperative=a)
    MembershipFactory(household=ward, cooperative=b)
    MembershipFactory(household=near, cooperative=b)  # a household in two cooperatives
    for household, cooperative, amount in (
        (poor, a, 1_800_000),
        (near, a, 900_000),
        (near, b, 300_000),
        (ward, b, 600_000),
    ):
        db.session.add(
            Payment(
                cooperative_id=cooperative.id,
                household_id=household.id,
                kind=PaymentKind.SURPLUS,
                amount_vnd=amount,
                paid_at=WHEN,
            )
        )
    # a paid order of HTX A: 5,000,000 VND shipped from a lot of 30 kg (poor) + 20 kg (near)
    # a paid order of HTX A: 5,000,000 VND shipped from a lot of 30 kg (poor) + 20 kg (near)
    listing = ListingFactory(cooperative=a)
    lot = LotFactory(cooperative=a)
    for household, quantity in ((poor, 30), (near, 20)):
        db.session.add(
            Collection(
                lot=lot,
                household=household,
                quantity=Decimal(quantity),
                unit_price_vnd=0,
                amount_vnd=0,
                collected_at=WHEN,
            )
        )
    order = Order(
        buyer_id=UserFactory(role="buyer").id,
        cooperative_id=a.id,
        status=OrderStatus.PAID,
        total_vnd=5_000_000,
        paid_at=WHEN,
    )
    order.lines.append(
        OrderLine(
            listing=listing, quantity=Decimal(10), unit_price_vnd=500_000, amount_vnd=5_000_000
        )
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        LotAllocation(order_line_id=order.lines[0].id, lot_id=lot.id, quantity=Decimal(10))
    )
    db.session.flush()
    attribute_order(order)
    written_directly()
    db.session.commit()
    return {"a": a, "b": b, "poor": poor, "near": near, "rich": rich, "ward": ward, "lot": lot}


# The public impact page's province: households of Việt Trì (URBAN), Hy Cương and Đạo Trù
MIDLAND, MOUNTAIN = "08515", "08914"
# (region key, commune, households, paid to each): urban is too small, midland is then the
# smallest other region and is hidden too, mountain is shown
REGIONS = (
    ("urban", URBAN, 9, 123_457),
    ("midland", MIDLAND, 12, 54_321),
    ("mountain", MOUNTAIN, 15, 200_000),
)


def make_province() -> list:
    """Households in three regions, each paid in the current month by its cooperative."""
    households = []
    for _key, commune, count, amount in REGIONS:
        cooperative = CooperativeFactory(commune_code=commune)
        for index in range(count):
            household = HouseholdFactory(
                commune_code=commune,
                official_status=OfficialStatus.POOR if index % 2 else OfficialStatus.NOT_POOR,
            )
            MembershipFactory(household=household, cooperative=cooperative)
            db.session.add(
                Payment(
                    cooperative_id=cooperative.id,
                    household=household,
                    kind=PaymentKind.SURPLUS,
                    amount_vnd=amount,
                    paid_at=datetime.now(UTC),
                )
            )
            households.append(household)
    written_directly()
    db.session.commit()
    return households
