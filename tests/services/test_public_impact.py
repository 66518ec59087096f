"""Public impact figures: small cells are suppressed, and so is the cell that would give one
away (by region; not by product category, whose rows do not add up)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services.impact import member_poverty_share, public_impact
from linkage.services.impact.public import COLUMNS
from linkage.services.income import attribute_order
from linkage.services.periods import Month, Period
from models import (
    Collection,
    Cooperative,
    Lot,
    LotAllocation,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
)

from ..aggregates_helpers import written_directly
from ..factories import (
    CooperativeFactory,
    HouseholdFactory,
    ListingFactory,
    LotFactory,
    MembershipFactory,
    UserFactory,
    product,
)

URBAN, MIDLAND, MOUNTAIN = "07900", "08515", "08914"  # Việt Trì, Hy Cương, Đạo Trù
WHEN = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
PERIOD = Period(Month(2026, 1), Month(2026, 3))
POOR, NEAR, NOT_POOR = (
    OfficialStatus.POOR,
    OfficialStatus.NEAR_POOR,
    OfficialStatus.NOT_POOR,
)


def _households(count: int, commune: str, status: OfficialStatus = NOT_POOR) -> list:
    return HouseholdFactory.create_batch(count, commune_code=commune, official_status=status)


def _deliveries(households: list, code: str, amount: int, cooperative: Cooperative) -> Lot:
    """Each household delivers produce `code` into one lot and is paid `amount` for it."""
    lot = LotFactory(cooperative=cooperative, product=product(code))
    for household in households:
        collection = Collection(
            lot=lot,
            household=household,
            quantity=Decimal(1),
            unit_price_vnd=amount,
            amount_vnd=amount,
            collected_at=WHEN,
        )
        db.session.add(collection)
        db.session.flush()
        db.session.add(
            Payment(
                cooperative_id=cooperative.id,
                household_id=household.id,
                kind=PaymentKind.FARMGATE,
                amount_vnd=amount,
                paid_at=WHEN,
                collection_id=collection.id,
            )
        )
        written_directly()
    db.session.flush()
    return lot


def _sell(lot: Lot, value: int) -> None:
    """A paid order of the whole lot, as the lot's product, attributed to its deliveries."""
    listing = ListingFactory(cooperative=lot.cooperative, product=lot.product)
    order = Order(
        buyer_id=UserFactory(role="buyer").id,
        cooperative_id=lot.cooperative_id,
        status=OrderStatus.PAID,
        total_vnd=value,
        paid_at=WHEN,
    )
    order.lines.append(
        OrderLine(listing=listing, quantity=Decimal(1), unit_price_vnd=value, amount_vnd=value)
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(LotAllocation(order_line_id=order.lines[0].id, lot_id=lot.id, quantity=1))
    db.session.flush()
    attribute_order(order)
    written_directly()


def _rows(table) -> dict[str, dict]:
    return {row["key"]: row for row in table.rows}


@pytest.mark.parametrize(("count", "shown"), [(9, False), (10, True)])
def test_a_region_of_fewer_than_10_households_shows_no_figure(app, count, shown):
    _households(count, URBAN)
    _households(30, MOUNTAIN)  # large enough to show
    _households(25, MIDLAND)
    db.session.commit()
    urban = _rows(public_impact(PERIOD).regions)["urban"]
    if shown:
        assert urban["households"] == count
        assert urban["sales_vnd"] == 0
    else:
        assert all(urban[column] is None for column in COLUMNS)


@pytest.mark.parametrize(
    ("vulnerable", "not_poor", "shown"),
    [(9, 20, False), (10, 20, True), (20, 9, False), (20, 10, True)],
)
def test_shares_need_10_poor_or_near_poor_and_10_others(app, vulnerable, not_poor, shown):
    _households(vulnerable - vulnerable // 2, MOUNTAIN, POOR)
    _households(vulnerable // 2, MOUNTAIN, NEAR)
    _households(not_poor, MOUNTAIN)
    db.session.commit()
    impact = public_impact(PERIOD)
    mountain = _rows(impact.regions)["mountain"]
    assert mountain["households"] == vulnerable + not_poor
    share = mountain["poor_near_poor_share"]
    assert (
        (share == pytest.approx(vulnerable / (vulnerable + not_poor))) if shown else share is None
    )
    assert (mountain["income_to_poor_near_poor_share"] is not None) is shown
    assert (impact.regions.totals["poor_near_poor_share"] is not None) is shown


def test_one_hidden_region_hides_the_smallest_other_too(app):
    _households(9, URBAN, POOR)
    _households(12, MIDLAND)
    _households(15, MOUNTAIN)
    db.session.commit()
    impact = public_impact(PERIOD)
    rows = _rows(impact.regions)
    assert all(rows["urban"][column] is None for column in COLUMNS)
    assert rows["midland"]["households"] is None  # the smallest other region
    assert rows["midland"]["sales_vnd"] is None
    assert rows["mountain"]["households"] == 15
    assert impact.regions.totals["households"] == 36


def test_two_hidden_regions_hide_no_other(app):
    _households(9, URBAN)
    _households(8, MIDLAND)
    _households(15, MOUNTAIN)
    db.session.commit()
    rows = _rows(public_impact(PERIOD).regions)
    assert rows["urban"]["households"] is None and rows["midland"]["households"] is None
    assert rows["mountain"]["households"] == 15


def test_categories_are_not_secondarily_suppressed(app):
    cooperative = CooperativeFactory(commune_code=MOUNTAIN)
    _sell(_deliveries(_households(9, MOUNTAIN), "PT-CHE-BUP-TUOI", 100_000, cooperative), 9)
    _sell(_deliveries(_households(12, MOUNTAIN), "PT-BA-KICH-TUOI", 200_000, cooperative), 12)
    db.session.commit()
    impact = public_impact(PERIOD)
    rows = _rows(impact.categories)
    assert set(rows) == {"crop", "medicinal"}  # by the product as sold: all sold
    assert all(rows["crop"][column] is None for column in COLUMNS)
    assert rows["medicinal"]["households"] == 12
    assert rows["medicinal"]["platform_income_vnd"] == 12 * 200_000
    assert impact.categories.totals["households"] == 21
    # all in one region: its row is shown
    assert _rows(impact.regions)["mountain"]["households"] == 21


def _members(cooperative: Cooperative, statuses: list[OfficialStatus | None]) -> None:
    for status in statuses:
        MembershipFactory(cooperative=cooperative, household__official_status=status)


@pytest.mark.parametrize(
    ("vulnerable", "others", "expected"),
    [(9, 10, None), (10, 9, None), (10, 10, 0.5), (12, 18, 0.4), (9, 30, None), (30, 9, None)],
)
def test_member_share_needs_10_members_on_each_side(app, vulnerable, others, expected):
    """As on /impact: at least 10 poor or near-poor members and at least 10 others."""
    cooperative = CooperativeFactory()
    _members(cooperative, [POOR, NEAR] * (vulnerable // 2) + [POOR] * (vulnerable % 2))
    _members(cooperative, [NOT_POOR] * others)
    for _ in range(3):  # members who left are not counted
        MembershipFactory(
            cooperative=cooperative, household__official_status=POOR, left_on=date(2025, 6, 1)
        )
    MembershipFactory(household__official_status=POOR)  # of another cooperative
    db.session.commit()
    share = member_poverty_share(cooperative.id)
    assert share == (None if expected is None else pytest.approx(expected))


def test_members_whose_status_is_not_known_count_on_neither_side(app):
    cooperative = CooperativeFactory()
    _members(cooperative, [POOR] * 10 + [NOT_POOR] * 9 + [None] * 20)
    db.session.commit()
    assert member_poverty_share(cooperative.id) is None
    _members(cooperative, [NOT_POOR])
    db.session.commit()
    assert member_poverty_share(cooperative.id) == pytest.approx(0.5)


@pytest.mark.parametrize("vulnerable", [0, 12])
def test_member_share_hidden_when_it_would_tell_every_members_status(app, vulnerable):
    """0 % or 100 % would say of each member whether the household is poor or near poor."""
    cooperative = CooperativeFactory()
    for index in range(12):
        status = POOR if index < vulnerable else NOT_POOR
        MembershipFactory(cooperative=cooperative, household__official_status=status)
    db.session.commit()
    assert member_poverty_share(cooperative.id) is None
