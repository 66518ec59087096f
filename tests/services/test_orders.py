"""The order service: placing with stock reservation, the lifecycle, shipping from lots."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from linkage.extensions import db
from linkage.services import orders
from linkage.services.errors import DomainError
from models import (
    CooperativeStatus,
    IncomeAttribution,
    ListingStatus,
    LotAllocation,
    Notice,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Role,
    utcnow,
)

from ..factories import ListingFactory, product
from ..factories_orders import (
    accepted,
    count,
    make_lot,
    make_market,
    order_in,
    place,
    remaining,
    stock,
)

Line = orders.LineRequest
Alloc = orders.AllocationRequest


pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def market(make_user):
    return make_market(make_user)


@pytest.fixture
def lot(market):
    return make_lot(market.cooperative, "50")


def _refused(status: int, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.status == status, caught.value.message
    db.session.rollback()
    return caught.value


# --- placing ---------------------------------------------------------------------------------


def test_place_reserves_stock_prices_the_lines_and_tells_the_managers(market, make_user):
    second_manager = make_user(Role.MANAGER, cooperatives=[market.cooperative])
    order = place(market.buyer, market.listing, "12.5", note="  Giao trước Tết  ")
    assert order.status == OrderStatus.PLACED
    assert order.cooperative_id == market.cooperative.id
    assert order.note == "Giao trước Tết"
    (line,) = order.lines
    assert (line.quantity, line.unit_price_vnd, line.amount_vnd) == (
        Decimal("12.500"),
        450_000,
        5_625_000,
    )
    assert order.total_vnd == 5_625_000
    assert stock(market.listing) == Decimal("87.500")
    (event,) = order.events
    assert (event.from_status, event.to_status, event.actor_id) == (
        None,
        OrderStatus.PLACED,
        market.buyer.id,
    )
    notices = db.session.scalars(db.select(Notice).order_by(Notice.user_id)).all()
    assert {(n.user_id, n.kind, n.order_id) for n in notices} == {
        (market.manager.id, "order_placed", order.id),
        (second_manager.id, "order_placed", order.id),
    }


def test_amounts_round_half_up_to_whole_dong(make_user):
    market = make_market(make_user, unit_price_vnd=333)
    order = place(market.buyer, market.listing, "1.5")  # 499.5 -> 500
    assert order.lines[0].amount_vnd == 500


def test_lines_of_the_same_listing_are_merged(market):
    order = orders.place_order(
        market.buyer, [Line(market.listing.id, Decimal("2")), Line(market.listing.id, Decimal("3"))]
    )
    db.session.commit()
    assert [line.quantity for line in order.lines] == [Decimal("5.000")]
    assert stock(market.listing) == Decimal("95.000")


def test_taking_the_last_unit_marks_the_listing_sold_out(make_user):
    market = make_market(make_user, stock="5")
    place(market.buyer, market.listing, "5")
    assert stock(market.listing) == 0
    assert market.listing.status == ListingStatus.SOLD_OUT
    error = _refused(409, orders.place_order, market.buyer, [Line(market.listing.id, Decimal(1))])
    assert market.listing.title in error.message


def test_insufficient_stock_is_409_and_writes_nothing(make_user):
    market = make_market(make_user, stock="5")
    error = _refused(
        409, orders.place_order, market.buyer, [Line(market.listing.id, Decimal("5.001"))]
    )
    assert "5" in error.message and "kg" in error.message
    assert error.field == "quantity"
    assert (count(Order), count(OrderLine), count(OrderEvent), count(Notice)) == (0, 0, 0, 0)
    assert stock(market.listing) == Decimal("5.000")


def test_a_second_line_short_of_stock_undoes_the_first(market):
    other = ListingFactory(cooperative=market.cooperative, quantity_available=Decimal("1"))
    db.session.commit()
    _refused(
        409,
        orders.place_order,
        market.buyer,
        [Line(market.listing.id, Decimal("10")), Line(other.id, Decimal("2"))],
    )
    assert count(Order) == 0
    assert stock(market.listing) == Decimal("100.000")


def test_below_the_minimum_order_is_409(make_user):
    market = make_market(make_user, min_order="20")
    error = _refused(
        409, orders.place_order, market.buyer, [Line(market.listing.id, Decimal("19.999"))]
    )
    assert "20" in error.message
    assert count(Order) == 0
    assert stock(market.listing) == Decimal("100.000")


def test_lines_of_two_cooperatives_are_409(market):
    elsewhere = ListingFactory()
    db.session.commit()
    _refused(
        409,
        orders.place_order,
        market.buyer,
        [Line(market.listing.id, Decimal(1)), Line(elsewhere.id, Decimal(1))],
    )
    assert count(Order) == 0


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.ARCHIVED])
def test_listings_not_for_sale_are_404(market, status):
    market.listing.status = status
    db.session.commit()
    _refused(404, orders.place_order, market.buyer, [Line(market.listing.id, Decimal(1))])


def test_a_paused_listing_cannot_be_ordered(market):
    market.listing.status = ListingStatus.PAUSED
    db.session.commit()
    _refused(404, orders.place_order, market.buyer, [Line(market.listing.id, Decimal(1))])
    assert stock(market.listing) == Decimal("100.000")


def test_listings_of_a_suspended_cooperative_are_404(market):
    market.cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    _refused(404, orders.place_order, market.buyer, [Line(market.listing.id, Decimal(1))])


def test_unknown_listing_and_empty_order_are_refused(market):
    _refused(404, orders.place_order, market.buyer, [Line(424242, Decimal(1))])
    _refused(422, orders.place_order, market.buyer, [])
    _refused(422, orders.place_order, market.buyer, [Line(market.listing.id, Decimal(0))])


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OFFICIAL, Role.ADMIN])
def test_only_buyers_place_orders(market, make_user, role):
    _refused(403, orders.place_order, make_user(role), [Line(market.listing.id, Decimal(1))])
    assert count(Order) == 0


# --- the lifecycle ---------------------------------------------------------------------------

ACTIONS = {
    "accept": ("manager", lambda actor, order: orders.accept_order(actor, order)),
    "reject": ("manager", lambda actor, order: orders.reject_order(actor, order, "Hết hàng")),
    "cancel": ("buyer", lambda actor, order: orders.cancel_order(actor, order)),
    "deliver": ("buyer", lambda actor, order: orders.deliver_order(actor, order)),
    "pay": ("manager", lambda actor, order: orders.pay_order(actor, order)),
}
ALLOWED = {
    "accept": {OrderStatus.PLACED},
    "reject": {OrderStatus.PLACED},
    "cancel": {OrderStatus.PLACED, OrderStatus.ACCEPTED},
    "deliver": {OrderStatus.SHIPPED},
    "pay": {OrderStatus.DELIVERED},
}
RESULT = {
    "accept": OrderStatus.ACCEPTED,
    "reject": OrderStatus.REJECTED,
    "cancel": OrderStatus.CANCELLED,
    "deliver": OrderStatus.DELIVERED,
    "pay": OrderStatus.PAID,
}


@pytest.mark.parametrize("start", list(OrderStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_is_allowed_or_refused_as_designed(market, lot, start, action):
    order = order_in(start, market, lot)
    side, call = ACTIONS[action]
    actor = market.manager if side == "manager" else market.buyer
    events_before = count(OrderEvent)
    if start in ALLOWED[action]:
        call(actor, order)
        db.session.commit()
        db.session.expire_all()
        assert order.status == RESULT[action]
        assert count(OrderEvent) == events_before + 1
        assert order.events[-1].from_status == start
        assert order.events[-1].actor_id == actor.id
    else:
        error = _refused(409, call, actor, order)
        assert str(start.value) in error.message or start.value in error.message.lower()
        db.session.expire_all()
        assert order.status == start
        assert count(OrderEvent) == events_before


@pytest.mark.parametrize("start", list(OrderStatus))
def test_shipping_is_allowed_only_from_accepted(market, lot, start):
    order = order_in(start, market, lot, "4")
    allocation = [Alloc(order.lines[0].id, lot.id, Decimal("4"))]
    before = remaining(lot)
    if start == OrderStatus.ACCEPTED:
        orders.ship_order(market.manager, order, allocation)
        db.session.commit()
        assert order.status == OrderStatus.SHIPPED
        assert remaining(lot) == before - 4
    else:
        _refused(409, orders.ship_order, market.manager, order, allocation)
        assert remaining(lot) == before


def test_each_state_change_stamps_its_time(market, lot):
    order = order_in(OrderStatus.PAID, market, lot)
    for stamp in ("placed_at", "accepted_at", "shipped_at", "delivered_at", "paid_at"):
        assert getattr(order, stamp) is not None, stamp
    assert order.payment_reference == "UNC-001"
    assert [e.to_status for e in order.events] == [
        OrderStatus.PLACED,
        OrderStatus.ACCEPTED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.PAID,
    ]


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_reject_and_cancel_give_the_stock_back_and_reopen_a_sold_out_listing(make_user, action):
    market = make_market(make_user, stock="10")
    order = place(market.buyer, market.listing, "10")
    assert market.listing.status == ListingStatus.SOLD_OUT
    side, call = ACTIONS[action]
    call(market.manager if side == "manager" else market.buyer, order)
    db.session.commit()
    assert stock(market.listing) == Decimal("10.000")
    assert market.listing.status == ListingStatus.ACTIVE


def test_returned_stock_keeps_a_paused_listing_paused(market):
    order = place(market.buyer, market.listing, "10")
    market.listing.status = ListingStatus.PAUSED
    db.session.commit()
    orders.cancel_order(market.buyer, order)
    db.session.commit()
    assert stock(market.listing) == Decimal("100.000")
    assert market.listing.status == ListingStatus.PAUSED


def test_cancel_after_acceptance_gives_the_stock_back(market):
    order = accepted(market, "30")
    assert stock(market.listing) == Decimal("70.000")
    orders.cancel_order(market.buyer, order, "Đổi kế hoạch")
    db.session.commit()
    assert stock(market.listing) == Decimal("100.000")
    assert order.events[-1].note == "Đổi kế hoạch"


def test_the_other_side_is_told_of_each_change(market, lot):
    order = order_in(OrderStatus.PAID, market, lot)
    kinds = db.session.execute(
        db.select(Notice.user_id, Notice.kind)
        .where(Notice.order_id == order.id)
        .order_by(Notice.id)
    ).all()
    assert [tuple(k) for k in kinds] == [
        (market.manager.id, "order_placed"),
        (market.buyer.id, "order_accepted"),
        (market.buyer.id, "order_shipped"),
        (market.manager.id, "order_delivered"),
        (market.buyer.id, "order_paid"),
    ]


def test_strangers_cannot_act_on_an_order(market, make_user, lot):
    order = place(market.buyer, market.listing)
    other_manager = make_user(Role.MANAGER)
    other_buyer = make_user(Role.BUYER)
    _refused(404, orders.accept_order, other_manager, order)
    _refused(404, orders.reject_order, other_manager, order)
    _refused(404, orders.cancel_order, other_buyer, order)
    _refused(404, orders.cancel_order, market.manager, order)  # a manager never cancels
    _refused(404, orders.accept_order, market.buyer, order)  # nor does a buyer accept
    order = accepted(market)
    _refused(404, orders.ship_order, other_manager, order, [Alloc(order.lines[0].id, lot.id, 10)])
    assert order.status == OrderStatus.ACCEPTED


def test_an_admin_may_act_for_the_cooperative(market, make_user):
    order = place(market.buyer, market.listing)
    orders.accept_order(make_user(Role.ADMIN), order)
    db.session.commit()
    assert order.status == OrderStatus.ACCEPTED


# --- shipping --------------------------------------------------------------------------------


def test_shipping_from_two_lots_takes_from_each(market, lot):
    second = make_lot(market.cooperative, "8")
    order = accepted(market, "12.5")
    line = order.lines[0]
    orders.ship_order(
        market.manager,
        order,
        [Alloc(line.id, lot.id, Decimal("4.5")), Alloc(line.id, second.id, Decimal("8"))],
    )
    db.session.commit()
    assert remaining(lot) == Decimal("45.500")
    assert remaining(second) == 0
    shipped_from = {a.lot_id: a.quantity for a in line.allocations}
    assert shipped_from == {lot.id: Decimal("4.500"), second.id: Decimal("8.000")}


def test_rows_of_the_same_lot_are_added_up(market, lot):
    order = accepted(market, "10")
    line = order.lines[0]
    orders.ship_order(
        market.manager, order, [Alloc(line.id, lot.id, Decimal(4)), Alloc(line.id, lot.id, 6)]
    )
    db.session.commit()
    assert [a.quantity for a in line.allocations] == [Decimal("10.000")]
    assert remaining(lot) == Decimal("40.000")


@pytest.mark.parametrize("quantities", [["9.999"], ["10", "0.001"], []])
def test_allocations_must_cover_each_line_exactly(market, lot, quantities):
    order = accepted(market, "10")
    allocations = [Alloc(order.lines[0].id, lot.id, Decimal(q)) for q in quantities]
    error = _refused(409, orders.ship_order, market.manager, order, allocations)
    assert "10" in error.message
    assert order.status == OrderStatus.ACCEPTED
    assert remaining(lot) == Decimal("50.000")
    assert count(LotAllocation) == 0


def test_a_lot_of_another_product_is_409(market):
    tea = make_lot(market.cooperative, "50", product=product("PT-CHE-BUP-TUOI"))
    order = accepted(market, "10")
    error = _refused(
        409, orders.ship_order, market.manager, order, [Alloc(order.lines[0].id, tea.id, 10)]
    )
    assert tea.code in error.message
    assert remaining(tea) == Decimal("50.000")


def test_a_lot_of_another_cooperative_or_unknown_lot_is_404(market, make_user):
    foreign = make_lot(make_user(Role.MANAGER).cooperatives[0], "50")
    order = accepted(market, "10")
    line_id = order.lines[0].id
    _refused(404, orders.ship_order, market.manager, order, [Alloc(line_id, foreign.id, 10)])
    _refused(404, orders.ship_order, market.manager, order, [Alloc(line_id, 424242, 10)])
    assert remaining(foreign) == Decimal("50.000")


def test_a_line_of_another_order_is_404(market, lot):
    order = accepted(market, "10")
    other = accepted(market, "10")
    _refused(404, orders.ship_order, market.manager, order, [Alloc(other.lines[0].id, lot.id, 10)])


def test_more_than_a_lot_holds_is_409_and_writes_nothing(market):
    small = make_lot(market.cooperative, "6")
    order = accepted(market, "10")
    events_before, notices_before = count(OrderEvent), count(Notice)
    error = _refused(
        409, orders.ship_order, market.manager, order, [Alloc(order.lines[0].id, small.id, 10)]
    )
    assert small.code in error.message and "6" in error.message
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED
    assert order.shipped_at is None
    assert remaining(small) == Decimal("6.000")
    assert (count(LotAllocation), count(OrderEvent), count(Notice)) == (
        0,
        events_before,
        notices_before,
    )


# --- payment ---------------------------------------------------------------------------------


def test_payment_date_is_kept_and_may_not_be_in_the_future(market, lot):
    order = order_in(OrderStatus.DELIVERED, market, lot)
    order.placed_at = utcnow() - timedelta(days=3)
    db.session.commit()
    _refused(409, orders.pay_order, market.manager, order, paid_at=utcnow() + timedelta(hours=1))
    _refused(
        409, orders.pay_order, market.manager, order, paid_at=order.placed_at - timedelta(days=1)
    )
    when = utcnow() - timedelta(days=2)
    orders.pay_order(market.manager, order, paid_at=when, reference="UNC-2026-001")
    db.session.commit()
    db.session.expire_all()
    assert order.status == OrderStatus.PAID
    assert abs(order.paid_at - when) < timedelta(seconds=1)
    assert order.payment_reference == "UNC-2026-001"


# --- reading ---------------------------------------------------------------------------------


def test_each_side_sees_only_its_orders(market, make_user):
    mine = place(market.buyer, market.listing)
    other_market = make_market(make_user)
    theirs = place(other_market.buyer, other_market.listing)

    def ids(actor, **kwargs):
        return [o.id for o in db.session.scalars(orders.orders_query(actor, **kwargs)).all()]

    assert ids(market.buyer) == [mine.id]
    assert ids(market.manager) == [mine.id]
    assert ids(other_market.manager) == [theirs.id]
    assert set(ids(make_user(Role.ADMIN))) == {mine.id, theirs.id}
    assert ids(make_user(Role.OFFICIAL)) == []
    assert ids(market.buyer, status=OrderStatus.ACCEPTED) == []
    assert ids(market.buyer, status=OrderStatus.PLACED) == [mine.id]
    for stranger in (other_market.buyer, other_market.manager, make_user(Role.OFFICIAL)):
        _refused(404, orders.get_order_for, stranger, mine.id)
    assert orders.get_order_for(market.manager, mine.id) is mine


def test_payment_attributes_the_income_to_the_households_of_the_lots(market):
    lot = make_lot(market.cooperative, "30", households=3)
    order = order_in(OrderStatus.PAID, market, lot, "10")
    rows = db.session.scalars(db.select(IncomeAttribution)).all()
    assert len(rows) == 3
    assert sum(row.amount_vnd for row in rows) == order.total_vnd == 4_500_000
    assert {row.order_id for row in rows} == {order.id}
    assert all(row.paid_at == order.paid_at for row in rows)


def test_a_payment_that_cannot_be_attributed_is_409_and_writes_nothing(market):
    sourceless = make_lot(market.cooperative, "30", households=0)
    order = order_in(OrderStatus.DELIVERED, market, sourceless)
    error = _refused(409, orders.pay_order, market.manager, order)
    assert "no recorded source" in error.message
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED
    assert count(IncomeAttribution) == 0


def test_past_times_can_be_given_for_each_step(market, lot):
    """The demo seed records orders of past months: every stamp follows the given time."""
    start = utcnow() - timedelta(days=400)
    order = orders.place_order(market.buyer, [Line(market.listing.id, Decimal(2))], at=start)
    orders.accept_order(market.manager, order, at=start + timedelta(days=1))
    line = order.lines[0]
    orders.ship_order(
        market.manager, order, [Alloc(line.id, lot.id, Decimal(2))], at=start + timedelta(days=2)
    )
    orders.deliver_order(market.buyer, order, at=start + timedelta(days=5))
    orders.pay_order(market.manager, order, paid_at=start + timedelta(days=9))
    db.session.commit()
    stamps = [order.placed_at, order.accepted_at, order.shipped_at, order.delivered_at]
    assert [(s - start).days for s in stamps] == [0, 1, 2, 5]
    assert [(e.occurred_at - start).days for e in order.events] == [0, 1, 2, 5, 9]
    assert line.allocations[0].allocated_at == order.shipped_at
    notices = db.session.scalars(db.select(Notice).order_by(Notice.id)).all()
    assert [(n.created_at - start).days for n in notices] == [0, 1, 2, 5, 9]


def test_the_history_names_the_state_the_order_really_left(market):
    """A buyer's page may show 'placed' while the manager accepted a moment ago."""
    order = place(market.buyer, market.listing)
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status=OrderStatus.ACCEPTED, accepted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert order.status == OrderStatus.PLACED  # stale in memory
    orders.cancel_order(market.buyer, order)
    db.session.commit()
    assert order.events[-1].from_status == OrderStatus.ACCEPTED
    assert order.status == OrderStatus.CANCELLED
