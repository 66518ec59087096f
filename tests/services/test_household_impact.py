"""One household's impact: projection, deliveries, payments, attributed sales, history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.errors import DomainError
from linkage.services.impact import ImpactFilters, household_impact, households_page
from linkage.services.income import attribute_order
from linkage.services.periods import Month, Period
from models import (
    Collection,
    LotAllocation,
    OfficialStatus,
    OfficialStatusChange,
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
)

WHEN = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
BEFORE = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)  # outside the period
PERIOD = Period(Month(2026, 1), Month(2026, 3))


def _deliver(lot, household, quantity: int, price: int, when: datetime) -> Collection:
    collection = Collection(
        lot=lot,
        household=household,
        quantity=Decimal(quantity),
        unit_price_vnd=price,
        amount_vnd=quantity * price,
        collected_at=when,
    )
    db.session.add(collection)
    return collection


def _pay(cooperative, household, amount: int, when: datetime) -> None:
    db.session.add(
        Payment(
            cooperative_id=cooperative.id,
            household_id=household.id,
            kind=PaymentKind.SURPLUS,
            amount_vnd=amount,
            paid_at=when,
            note="Chia lãi",
        )
    )
    written_directly()


@pytest.fixture
def farm(app):
    """A poor household of Đạo Trù delivering to HTX A, one paid order, one ward household."""
    a = CooperativeFactory(commune_code="08914", name="HTX A")
    household = HouseholdFactory(code="H-1", members=2, baseline_income_vnd=1_200_000)
    other = HouseholdFactory(code="H-2", members=1)
    ward = HouseholdFactory(code="H-WARD", commune_code="07900")
    for member in (household, other):
        MembershipFactory(household=member, cooperative=a)
    lot = LotFactory(cooperative=a)
    _deliver(lot, household, 30, 100_000, WHEN)
    _deliver(lot, other, 20, 100_000, WHEN)
    _deliver(LotFactory(cooperative=a), household, 7, 90_000, BEFORE)
    _pay(a, household, 1_800_000, WHEN)
    _pay(a, household, 999_000, BEFORE)
    order = Order(
        buyer_id=UserFactory(role="buyer").id,
        cooperative_id=a.id,
        status=OrderStatus.PAID,
        total_vnd=5_000_000,
        paid_at=WHEN,
    )
    order.lines.append(
        OrderLine(
            listing=ListingFactory(cooperative=a),
            quantity=Decimal(10),
            unit_price_vnd=500_000,
            amount_vnd=5_000_000,
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
    return {"a": a, "household": household, "ward": ward, "order": order, "lot": lot}


def test_the_period_rows_of_one_household(farm, make_user):
    official = make_user("official")
    household = farm["household"]
    impact = household_impact(official, household.id, PERIOD)
    assert impact.household.id == household.id
    assert [m.cooperative.name for m in impact.memberships] == ["HTX A"]
    assert [(c.lot.code, c.quantity) for c in impact.deliveries] == [
        (farm["lot"].code, Decimal(30))
    ]
    assert impact.deliveries_total_vnd == 3_000_000
    assert [(p.amount_vnd, name) for p, name in impact.payments] == [(1_800_000, "HTX A")]
    assert impact.payments_total_vnd == 1_800_000
    (sale,) = impact.sales
    assert (sale.order_id, sale.cooperative, sale.amount_vnd) == (
        farm["order"].id,
        "HTX A",
        3_000_000,
    )
    assert [p.code for p in sale.products] == ["PT-BA-KICH-KHO"]
    assert impact.sales_total_vnd == 3_000_000
    assert impact.standard.code == "VN-2022-2025"


def test_the_projection_is_the_lists_row(farm, make_user):
    official = make_user("official")
    household = farm["household"]
    impact = household_impact(official, household.id, PERIOD)
    _standard, rows, _total = households_page(official, PERIOD, ImpactFilters(), 1, 50)
    (row,) = [r for r in rows if r["household_id"] == household.id]
    assert impact.projection == row
    assert impact.projection["platform_income_vnd"] == 1_800_000
    assert impact.projection["projected_income_vnd"] == 1_200_000 + 1_800_000 // (2 * 3)


def test_the_history_is_newest_first_with_who_recorded_it(farm, make_user):
    official = make_user("official", name="Cán bộ Hà")
    household = farm["household"]
    for day, status in ((date(2024, 1, 5), OfficialStatus.NEAR_POOR), (date(2025, 6, 1), None)):
        db.session.add(
            OfficialStatusChange(
                household_id=household.id,
                previous_status=status,
                status=OfficialStatus.POOR,
                effective_on=day,
                reason=f"Rà soát {day.year}",
                recorded_by_id=official.id,
            )
        )
    db.session.commit()
    history = household_impact(official, household.id, PERIOD).history
    assert [c.reason for c in history] == ["Rà soát 2025", "Rà soát 2024"]
    assert history[0].recorded_by.name == "Cán bộ Hà"


def test_outside_the_scope_is_404(farm, make_user):
    official = make_user("official")  # Đạo Trù only
    with pytest.raises(DomainError) as error:
        household_impact(official, farm["ward"].id, PERIOD)
    assert error.value.status == 404
    for role in ("manager", "buyer"):
        with pytest.raises(DomainError) as error:
            household_impact(make_user(role), farm["household"].id, PERIOD)
        assert error.value.status == 404
    province = make_user("official", province_wide=True)
    assert household_impact(province, farm["ward"].id, PERIOD).household.code == "H-WARD"


def _queries(call) -> int:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        impact = call()
        for c in impact.deliveries:  # what the page reads
            assert c.lot.cooperative.name and c.lot.product.name_vi
        for m in impact.memberships:
            assert m.cooperative.name
        for change in impact.history:
            assert change.recorded_by is None or change.recorded_by.email
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_a_fixed_number_of_queries(farm, make_user):
    official = make_user("official")
    household, a = farm["household"], farm["a"]
    db.session.expire_all()
    few = _queries(lambda: household_impact(official, household.id, PERIOD))
    for n in range(6):
        _deliver(LotFactory(cooperative=CooperativeFactory()), household, 1 + n, 1_000, WHEN)
        _pay(a, household, 10_000 + n, WHEN)
        db.session.add(
            OfficialStatusChange(
                household_id=household.id,
                status=OfficialStatus.POOR,
                effective_on=date(2025, 1, 1 + n),
                reason="Rà soát",
                recorded_by_id=make_user("official").id,
            )
        )
    db.session.commit()
    db.session.expire_all()
    many = _queries(lambda: household_impact(official, household.id, PERIOD))
    assert many == few
    assert len(household_impact(official, household.id, PERIOD).deliveries) == 7
