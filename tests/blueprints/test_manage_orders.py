"""Manager order pages: the list, one order, accept, reject, ship from lots, record payment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.periods import VIETNAM
from linkage.services.periods import current_day as today
from models import (
    Collection,
    ListingStatus,
    LotAllocation,
    Notice,
    OrderEvent,
    OrderStatus,
    Role,
)

from ..factories import product
from ..factories_orders import (
    SECRET_HEAD_NAME,
    SECRET_HOUSEHOLD_CODE,
    accepted,
    count,
    make_lot,
    make_market,
    order_in,
    place,
    remaining,
    stock,
)


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the source messages."""
    client.get("/language/en")


@pytest.fixture
def market(make_user):
    return make_market(make_user)


@pytest.fixture
def lot(market):
    return make_lot(market.cooperative, "50", households=3)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _url(market, order=None, action=""):
    base = f"/manage/{market.cooperative.id}/orders"
    if order is None:
        return base
    return f"{base}/{order.id}" + (f"/{action}" if action else "")


def _ship_rows(order, *rows):
    """Form data: rows of (lot id, quantity text) for the first line."""
    line_id = order.lines[0].id
    data = {}
    for index, (lot_id, quantity) in enumerate(rows):
        data[f"ship-line_{line_id}-{index}-lot"] = str(lot_id)
        data[f"ship-line_{line_id}-{index}-quantity"] = quantity
    return data


# --- the list --------------------------------------------------------------------------------


def test_the_empty_list_explains_where_orders_come_from(client, login_as, market):
    login_as(user=market.manager)
    page = _text(client.get(_url(market)))
    assert "No orders yet" in page
    assert "listing" in page


def test_the_list_shows_the_buyers_organisation_and_filters_by_status(client, login_as, market):
    placed = place(market.buyer, market.listing, "2")
    kept = accepted(market, "3")
    login_as(user=market.manager)
    page = _text(client.get(_url(market)))
    organisation = market.buyer.buyer_organisation
    assert organisation.name in page
    assert "Pharmaceutical company" in page
    assert f'"{_url(market, placed)}"' in page and f'"{_url(market, kept)}"' in page
    filtered = _text(client.get(_url(market) + "?status=accepted"))
    assert f'"{_url(market, kept)}"' in filtered
    assert f'"{_url(market, placed)}"' not in filtered
    assert client.get(_url(market) + "?status=odd&page=-3").status_code == 200


def test_the_list_is_paginated_with_a_bounded_number_of_queries(client, login_as, market):
    for _ in range(22):
        place(market.buyer, market.listing, "1")
    login_as(user=market.manager)
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        first = _text(client.get(_url(market)))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "22 orders" in first
    assert "Page 1 of 2" in first
    assert len(statements) <= 16, "\n".join(s[:80] for s in statements)
    assert "Page 2 of 2" in _text(client.get(_url(market) + "?page=2"))


def test_only_the_cooperatives_orders_are_listed(client, login_as, market, make_user):
    other = make_market(make_user)
    theirs = place(other.buyer, other.listing)
    login_as(user=market.manager)
    assert f'/orders/{theirs.id}"' not in _text(client.get(_url(market)))


# --- one order -------------------------------------------------------------------------------


def test_the_order_page_shows_the_buyer_and_the_actions_of_a_new_order(client, login_as, market):
    market.buyer.phone = "0912 345 678"
    order = place(market.buyer, market.listing, "12.5", note="Giao trước Tết")
    login_as(user=market.manager)
    page = _text(client.get(_url(market, order)))
    organisation = market.buyer.buyer_organisation
    assert organisation.name in page and "Pharmaceutical company" in page
    assert market.buyer.email in page and "0912 345 678" in page
    assert "Giao trước Tết" in page
    assert "5,625,000 ₫" in page
    assert _url(market, order, "accept") in page
    assert _url(market, order, "reject") in page
    assert _url(market, order, "ship") not in page
    assert _url(market, order, "pay") not in page


def test_the_ship_form_offers_lots_of_the_product_with_their_stock(client, login_as, market, lot):
    tea = make_lot(market.cooperative, "40", product=product("PT-CHE-BUP-TUOI"))
    empty = make_lot(market.cooperative, "0")
    order = accepted(market, "10")
    login_as(user=market.manager)
    page = _text(client.get(_url(market, order)))
    assert _url(market, order, "ship") in page
    assert f"{lot.code} (50 kg left)" in page
    assert tea.code not in page
    assert empty.code not in page


def test_a_lotless_product_says_what_to_do(client, login_as, market):
    order = accepted(market, "10")
    login_as(user=market.manager)
    assert "No lot of this product has stock." in _text(client.get(_url(market, order)))


# --- actions ---------------------------------------------------------------------------------


def test_accepting_tells_the_buyer(client, login_as, market):
    order = place(market.buyer, market.listing)
    login_as(user=market.manager)
    response = client.post(_url(market, order, "accept"))
    assert response.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED
    notice = db.session.scalars(db.select(Notice).where(Notice.user_id == market.buyer.id)).one()
    assert notice.kind == "order_accepted"
    again = client.post(_url(market, order, "accept"), follow_redirects=True)
    assert "cannot be accepted" in _text(again)


def test_rejecting_needs_a_reason_and_gives_the_stock_back(client, login_as, make_user):
    market = make_market(make_user, stock="10")
    order = place(market.buyer, market.listing, "10")
    login_as(user=market.manager)
    refused = client.post(_url(market, order, "reject"), data={"reason": ""})
    assert refused.status_code == 422
    assert "Tell the buyer why" in _text(refused)
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED
    response = client.post(_url(market, order, "reject"), data={"reason": "Hết hàng loại 1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.REJECTED
    assert order.events[-1].note == "Hết hàng loại 1"
    assert stock(market.listing) == Decimal("10.000")
    assert market.listing.status == ListingStatus.ACTIVE


def test_shipping_from_two_lots_with_decimal_commas(client, login_as, market, lot):
    second = make_lot(market.cooperative, "5")
    order = accepted(market, "12.5")
    login_as(user=market.manager)
    with client.session_transaction() as session:
        session["locale"] = "vi"  # a Vietnamese page reads 7,5 as seven and a half
    data = _ship_rows(order, (lot.id, "7,5"), (second.id, "5"), ("", ""))
    response = client.post(_url(market, order, "ship"), data=data)
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert order.status == OrderStatus.SHIPPED
    assert remaining(lot) == Decimal("42.500")
    assert remaining(second) == 0
    page = _text(client.get(_url(market, order)))
    assert f'href="/trace/{lot.code}"' in page and f'href="/trace/{second.code}"' in page


def _refused_shipment(client, market, order, lot, data, status, message):
    before = (count(LotAllocation), count(OrderEvent), count(Notice), remaining(lot))
    response = client.post(_url(market, order, "ship"), data=data)
    assert response.status_code == status
    page = _text(response)
    assert message in page
    assert 'class="error-summary"' in page
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED
    assert (count(LotAllocation), count(OrderEvent), count(Notice), remaining(lot)) == before


def test_allocations_that_do_not_cover_the_line_are_refused(client, login_as, market, lot):
    order = accepted(market, "10")
    login_as(user=market.manager)
    data = _ship_rows(order, (lot.id, "9"))
    # the order's lines decide, not the form's shape: 409
    _refused_shipment(client, market, order, lot, data, 409, "must add up to exactly 10")
    _refused_shipment(client, market, order, lot, {}, 409, "must add up to exactly 10")


def test_a_row_without_quantity_or_lot_is_refused(client, login_as, market, lot):
    order = accepted(market, "10")
    login_as(user=market.manager)
    data = _ship_rows(order, (lot.id, ""), ("", "10"))
    _refused_shipment(client, market, order, lot, data, 422, "Enter the quantity from this lot.")
    _refused_shipment(client, market, order, lot, data, 422, "Choose the lot of this quantity.")
    bad = _ship_rows(order, (lot.id, "ten"))
    _refused_shipment(client, market, order, lot, bad, 422, "Enter a number")


def test_a_lot_of_another_cooperative_or_product_is_not_a_choice(
    client, login_as, market, lot, make_user
):
    foreign = make_lot(make_user(Role.MANAGER).cooperatives[0], "50")
    tea = make_lot(market.cooperative, "50", product=product("PT-CHE-BUP-TUOI"))
    order = accepted(market, "10")
    login_as(user=market.manager)
    for other in (foreign, tea):
        data = _ship_rows(order, (other.id, "10"))
        _refused_shipment(client, market, order, lot, data, 422, "Not a valid choice")
        assert remaining(other) == Decimal("50.000")


def test_more_than_a_lot_holds_is_409_and_writes_nothing(client, login_as, market):
    small = make_lot(market.cooperative, "4")
    order = accepted(market, "10")
    login_as(user=market.manager)
    data = _ship_rows(order, (small.id, "10"))
    _refused_shipment(client, market, order, small, data, 409, f"Lot {small.code} holds only 4")


def test_payment_is_recorded_with_its_date_and_reference(client, login_as, market, lot):
    order = order_in(OrderStatus.DELIVERED, market, lot)
    login_as(user=market.manager)
    page = _text(client.get(_url(market, order)))
    assert _url(market, order, "pay") in page
    data = {"paid_on": today().isoformat(), "reference": "UNC 2026/01"}
    response = client.post(_url(market, order, "pay"), data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.PAID
    assert order.payment_reference == "UNC 2026/01"
    assert order.paid_at.astimezone(VIETNAM).date() == today()
    notice = db.session.scalars(
        db.select(Notice).where(Notice.user_id == market.buyer.id).order_by(Notice.id.desc())
    ).first()
    assert notice.kind == "order_paid"


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "The payment date is in the future."), (-5, "before the order was placed")],
)
def test_a_payment_date_out_of_range_is_refused(client, login_as, market, lot, days, message):
    order = order_in(OrderStatus.DELIVERED, market, lot)
    login_as(user=market.manager)
    data = {"paid_on": (today() + timedelta(days=days)).isoformat()}
    response = client.post(_url(market, order, "pay"), data=data)
    assert response.status_code == 422
    assert message in _text(response)
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED
    assert order.paid_at is None


def test_actions_out_of_turn_change_nothing(client, login_as, market, lot):
    order = place(market.buyer, market.listing)
    login_as(user=market.manager)
    for action, data in (
        ("pay", {"paid_on": today().isoformat()}),
        ("ship", _ship_rows(order, (lot.id, "10"))),
    ):
        response = client.post(_url(market, order, action), data=data, follow_redirects=True)
        assert "cannot be" in _text(response)
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED
    assert remaining(lot) == Decimal("50.000")


# --- who may see what ------------------------------------------------------------------------

ROUTES = [
    ("GET", ""),
    ("GET", "/{order}"),
    ("POST", "/{order}/accept"),
    ("POST", "/{order}/reject"),
    ("POST", "/{order}/ship"),
    ("POST", "/{order}/pay"),
]


def _open(client, market, order, method, route, cooperative_id=None):
    url = f"/manage/{cooperative_id or market.cooperative.id}/orders" + route.format(order=order.id)
    return client.open(url, method=method, data={"reason": "x", "paid_on": today().isoformat()})


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_anonymous_users_are_sent_to_login(client, market, method, route):
    order = place(market.buyer, market.listing)
    response = _open(client, market, order, method, route)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.BUYER, Role.OFFICIAL])
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_buyers_and_officials_are_refused(client, login_as, market, role, method, route):
    order = place(market.buyer, market.listing)
    login_as(user=market.buyer) if role == Role.BUYER else login_as(role)
    assert _open(client, market, order, method, route).status_code == 403
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_a_manager_of_another_cooperative_gets_404(client, login_as, market, method, route):
    order = place(market.buyer, market.listing)
    login_as(Role.MANAGER)
    assert _open(client, market, order, method, route).status_code == 404
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize(("method", "route"), ROUTES[1:])
def test_an_order_of_another_cooperative_is_404_even_under_ones_own(
    client, login_as, market, make_user, method, route
):
    """A manager of two cooperatives cannot reach B's order through A's pages."""
    other = make_market(make_user)
    market.manager.cooperatives.append(other.cooperative)
    db.session.commit()
    theirs = place(other.buyer, other.listing)
    login_as(user=market.manager)
    assert _open(client, market, theirs, method, route).status_code == 404
    assert _open(client, market, theirs, "GET", "/{order}", other.cooperative.id).status_code == 200


def test_an_admin_may_handle_orders(client, login_as, market):
    order = place(market.buyer, market.listing)
    login_as(Role.ADMIN)
    assert client.get(_url(market, order)).status_code == 200
    assert client.post(_url(market, order, "accept")).status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.ACCEPTED


# --- personal data ---------------------------------------------------------------------------


def test_no_household_data_on_order_pages(client, login_as, market, lot):
    orders = [order_in(status, market, lot, "2") for status in OrderStatus]
    assert count(Collection) == 3  # the lot shipped from holds three households' deliveries
    urls = [_url(market)] + [_url(market, order) for order in orders] + ["/notices"]
    responses = []
    login_as(user=market.manager)
    responses += [client.get(url) for url in urls]
    login_as(user=market.buyer)
    urls = ["/orders"] + [f"/orders/{order.id}" for order in orders] + ["/notices"]
    responses += [client.get(url) for url in urls]
    assert all(response.status_code == 200 for response in responses)
    shipped_pages = [_text(r) for r in responses if f"/trace/{lot.code}" in _text(r)]
    assert len(shipped_pages) == 6  # the shipped, delivered and paid orders, on both sides
    for response in responses:
        page = _text(response)
        assert SECRET_HEAD_NAME not in page
        assert SECRET_HOUSEHOLD_CODE not in page
