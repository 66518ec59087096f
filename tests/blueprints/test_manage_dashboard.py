"""The manager's entry page and a cooperative's overview: figures against hand-computed data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.dashboard import cooperative_overview
from linkage.services.periods import Month, current_month
from models import ListingStatus, Order, OrderStatus, PaymentKind

from ..factories import CooperativeFactory, HouseholdFactory, MembershipFactory
from ..factories_listings import (
    ListingFactory,
    make_collection,
    make_lot,
    make_payment,
)


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are checked in English (Vietnamese is the default language)."""
    with client.session_transaction() as session:
        session["locale"] = "en"


MARCH = Month(2026, 3)
# 1 March 2026 00:00 in Vietnam is 28 February 17:00 UTC
MARCH_STARTS = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)


def _order(cooperative, buyer, status, total, placed_at):
    order = Order(
        buyer_id=buyer.id,
        cooperative_id=cooperative.id,
        status=status,
        total_vnd=total,
        placed_at=placed_at,
    )
    db.session.add(order)
    db.session.flush()
    return order


def _build(cooperative, make_user, starts):
    """Collections, payments, lots, orders and listings around the month starting at `starts`."""
    other = CooperativeFactory()
    first = MembershipFactory(cooperative=cooperative, household__needs_review=True).household
    second = MembershipFactory(cooperative=cooperative).household
    MembershipFactory(cooperative=other, household__needs_review=True)  # not ours
    morinda = make_lot(cooperative, "L-BK-1", "150", "PT-BA-KICH-TUOI")
    gynostemma = make_lot(cooperative, "L-GCL-1", "40.5", "PT-GIAO-CO-LAM-TUOI")
    make_lot(cooperative, "L-EMPTY", "0")
    foreign_lot = make_lot(other, "L-OTHER", "999")
    make_collection(morinda, first, "10.5", 120_000, starts)  # first instant: in
    make_collection(morinda, second, "20", 120_000, starts + timedelta(days=3))
    make_collection(gynostemma, first, "5.25", 45_000, starts + timedelta(days=1))
    make_collection(morinda, first, "7", 120_000, starts - timedelta(seconds=1))  # last month
    make_collection(foreign_lot, HouseholdFactory(), "3", 100_000, starts)  # another cooperative
    make_payment(cooperative, second, PaymentKind.SURPLUS, 500_000, starts + timedelta(days=5))
    make_payment(cooperative, second, PaymentKind.SURPLUS, 999, starts - timedelta(days=2))
    buyer = make_user("buyer")
    for status, total, hours in (
        (OrderStatus.SHIPPED, 300_000, 1),
        (OrderStatus.PLACED, 100_000, 3),
        (OrderStatus.ACCEPTED, 200_000, 2),
        (OrderStatus.DELIVERED, 400_000, 0),
    ):
        _order(cooperative, buyer, status, total, starts - timedelta(hours=hours))
    _order(other, buyer, OrderStatus.PLACED, 50_000, starts)
    low = ListingFactory(
        cooperative=cooperative, quantity_available=Decimal("9.999"), min_order_quantity=5
    )
    ListingFactory(cooperative=cooperative, quantity_available=10, min_order_quantity=5)
    ListingFactory(
        cooperative=cooperative,
        status=ListingStatus.PAUSED,
        quantity_available=1,
        min_order_quantity=5,
    )
    db.session.commit()
    return low


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def test_figures_match_hand_computed_values(app, manager, make_user):
    cooperative = manager.cooperatives[0]
    low = _build(cooperative, make_user, MARCH_STARTS)
    with app.test_request_context():
        overview = cooperative_overview(manager, cooperative, month=MARCH)
    rows = {row.product.code: row for row in overview.collections}
    assert set(rows) == {"PT-BA-KICH-TUOI", "PT-GIAO-CO-LAM-TUOI"}
    morinda = rows["PT-BA-KICH-TUOI"]
    assert (morinda.count, morinda.quantity, morinda.amount_vnd) == (
        2,
        Decimal("30.500"),
        1_260_000 + 2_400_000,
    )
    gynostemma = rows["PT-GIAO-CO-LAM-TUOI"]
    assert (gynostemma.count, gynostemma.quantity, gynostemma.amount_vnd) == (
        1,
        Decimal("5.250"),
        236_250,
    )
    assert overview.collections_count == 3
    assert overview.collections_amount_vnd == 3_896_250
    assert overview.payments_by_kind == {
        PaymentKind.FARMGATE: 3_896_250,
        PaymentKind.SURPLUS: 500_000,
        PaymentKind.OTHER: 0,
    }
    assert overview.payments_total_vnd == 4_396_250
    assert overview.open_orders_by_status == {
        OrderStatus.PLACED: 1,
        OrderStatus.ACCEPTED: 1,
        OrderStatus.SHIPPED: 1,
    }
    assert [o.total_vnd for o in overview.open_orders] == [100_000, 200_000, 300_000]
    assert overview.low_stock == [low]
    assert [lot.code for lot in overview.lots] == ["L-BK-1", "L-GCL-1"]
    assert overview.households_needing_review == 1


def test_the_month_is_taken_in_vietnam_time(app, manager, make_user):
    cooperative = manager.cooperatives[0]
    _build(cooperative, make_user, MARCH_STARTS)
    with app.test_request_context():
        february = cooperative_overview(manager, cooperative, month=Month(2026, 2))
    assert february.collections_count == 1  # the one a second before 1 March, Vietnam time
    assert february.collections_amount_vnd == 840_000
    assert february.payments_by_kind[PaymentKind.SURPLUS] == 999


def test_the_page_shows_this_months_figures(client, login_as, make_user):
    manager = login_as("manager")
    cooperative = manager.cooperatives[0]
    _build(cooperative, make_user, current_month().starts_at)
    client.get("/language/vi")
    page = client.get(f"/manage/{cooperative.id}/").get_data(as_text=True)
    assert "3.896.250" in page  # collections amount, Vietnamese number format
    assert "4.396.250" in page  # payments total
    assert "30,5" in page  # kg of Morinda collected
    in_stock = page.split('id="lots-heading"')[1].split("</section>")[0]
    assert "L-BK-1" in in_stock and "L-EMPTY" not in in_stock
    assert f"/manage/{cooperative.id}/households?needs_review=yes" in page


def test_empty_cooperative_shows_empty_states(client, login_as):
    cooperative = login_as("manager").cooperatives[0]
    page = client.get(f"/manage/{cooperative.id}/").get_data(as_text=True)
    assert "No open orders" in page
    assert "No lot holds produce" in page
    assert "No collection recorded this month yet" in page
    assert "No household needs re-checking" in page


def test_the_overview_takes_a_bounded_number_of_queries(client, login_as, make_user):
    manager = login_as("manager")
    cooperative = manager.cooperatives[0]
    _build(cooperative, make_user, current_month().starts_at)
    buyer = make_user("buyer")
    for n in range(30):
        lot = make_lot(cooperative, f"L-MANY-{n}", str(n + 1), "PT-CHE-BUP-TUOI")
        household = MembershipFactory(cooperative=cooperative).household
        make_collection(lot, household, "1", 10_000, current_month().starts_at)
        _order(cooperative, buyer, OrderStatus.PLACED, 1_000, current_month().starts_at)
        ListingFactory(cooperative=cooperative, quantity_available=1, min_order_quantity=1)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(f"/manage/{cooperative.id}/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 14, "\n".join(statements)  # 12, and 2 for the delivery panel


def test_access_to_the_overview(client, make_user, login_as):
    theirs = make_user("manager").cooperatives[0]
    url = f"/manage/{theirs.id}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as("manager")
    assert client.get(url).status_code == 404
    assert client.get("/manage/424242/").status_code == 404
    for role in ("buyer", "official"):
        login_as(role)
        assert client.get(url).status_code == 403
    login_as("admin")
    assert client.get(url).status_code == 200


def test_a_manager_of_one_cooperative_goes_straight_to_it(client, login_as):
    cooperative = login_as("manager").cooperatives[0]
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/{cooperative.id}/")


def test_a_manager_of_several_cooperatives_chooses(client, login_as):
    manager = login_as("manager")
    second = CooperativeFactory(name="HTX Chè Long Cốc")
    manager.cooperatives.append(second)
    db.session.commit()
    page = client.get("/manage/").get_data(as_text=True)
    assert f"/manage/{manager.cooperatives[0].id}/" in page
    assert f"/manage/{second.id}/" in page


def test_a_manager_without_cooperative_is_told_how_to_register_one(client, login_as, make_user):
    manager = make_user("manager")
    manager.cooperatives.clear()
    db.session.commit()
    login_as(user=manager)
    response = client.get("/manage/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No cooperative yet" in page
    assert "/manage/cooperatives/new" in page


def test_admins_see_all_cooperatives_paginated(client, login_as):
    login_as("admin")
    for _ in range(26):
        CooperativeFactory()
    db.session.commit()
    page = client.get("/manage/").get_data(as_text=True)
    assert "26 cooperatives" in page
    assert 'rel="next"' in page
    assert client.get("/manage/?page=2").status_code == 200


def test_access_to_the_entry_page(client, login_as):
    anonymous = client.get("/manage/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("buyer", "official"):
        login_as(role)
        assert client.get("/manage/").status_code == 403
