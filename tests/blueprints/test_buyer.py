"""Buyer pages: registration, account, the order form, my orders, one order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import event
from werkzeug.security import check_password_hash

from linkage.extensions import db
from models import (
    AuditEntry,
    BuyerKind,
    BuyerOrganisation,
    IdempotencyKey,
    ListingStatus,
    Order,
    OrderStatus,
    Role,
    User,
)

from ..conftest import PASSWORD, make_app
from ..factories import ListingFactory
from ..factories_orders import (
    SECRET_HEAD_NAME,
    SECRET_HOUSEHOLD_CODE,
    accepted,
    count,
    make_lot,
    make_market,
    order_in,
    place,
    stock,
)

NEW_BUYER = {
    "organisation_name": "Công ty CP Dược phẩm Vĩnh Phúc",
    "organisation_kind": "pharmaceutical",
    "tax_code": "2500123456",
    "contact_name": "Nguyễn Thu Hà",
    "email": "Ha.Nguyen@VinhPhucPharma.vn",
    "phone": "0912 345 678",
    "password": "duoc-lieu-2026",
    "confirm": "duoc-lieu-2026",
}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the source messages."""
    client.get("/language/en")


@pytest.fixture
def market(make_user):
    return make_market(make_user)


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- registration ----------------------------------------------------------------------------


def test_the_registration_page_has_its_fields(client):
    page = _text(client.get("/register"))
    for name in NEW_BUYER:
        assert f'name="{name}"' in page
    for kind in BuyerKind:
        assert f'value="{kind.value}"' in page


def test_a_buyer_registers_and_is_sent_to_log_in(client):
    response = client.post("/register", data=NEW_BUYER)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    user = db.session.scalars(db.select(User)).one()
    assert user.email == "ha.nguyen@vinhphucpharma.vn"
    assert (user.role, user.name, user.phone) == (Role.BUYER, "Nguyễn Thu Hà", "0912 345 678")
    assert check_password_hash(user.password_hash, NEW_BUYER["password"])
    organisation = user.buyer_organisation
    assert (organisation.name, organisation.kind, organisation.tax_code) == (
        "Công ty CP Dược phẩm Vĩnh Phúc",
        BuyerKind.PHARMACEUTICAL,
        "2500123456",
    )
    assert db.session.scalars(db.select(AuditEntry)).one().entity_type == "user"
    with client.session_transaction() as session:
        assert "_user_id" not in session  # the same answer as for an email already known
    login = client.post(
        "/login", data={"email": NEW_BUYER["email"], "password": NEW_BUYER["password"]}
    )
    assert login.status_code == 302
    assert client.get("/orders").status_code == 200


def _refused(client, changes: dict, message: str) -> None:
    users, organisations = count(User), count(BuyerOrganisation)
    response = client.post("/register", data={**NEW_BUYER, **changes})
    assert response.status_code == 422
    page = _text(response)
    assert message in page
    assert 'class="error-summary"' in page
    assert (count(User), count(BuyerOrganisation)) == (users, organisations)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_an_email_already_used_gets_the_same_answer_and_changes_nothing(client, make_user):
    """No enumeration: whether the email has an account cannot be told from the answer."""
    existing = make_user(Role.MANAGER, email="ha.nguyen@vinhphucpharma.vn")
    known = client.post("/register", data={**NEW_BUYER, "email": "HA.NGUYEN@vinhphucpharma.vn"})
    known_page = _text(client.get(known.headers["Location"]))
    new = client.post(
        "/register",
        data={**NEW_BUYER, "email": "mua.hang@vinhphucpharma.vn", "organisation_name": "Khác"},
    )
    new_page = _text(client.get(new.headers["Location"]))
    assert known.status_code == new.status_code == 303
    assert known.headers["Location"] == new.headers["Location"] == "/login"
    assert known.get_data() == new.get_data()
    assert "Log in with your email and password" in known_page
    assert known_page == new_page
    db.session.expire_all()
    assert count(User) == 2  # the manager and the new buyer: nothing made for the known email
    assert count(BuyerOrganisation) == 1
    assert existing.role == Role.MANAGER
    assert check_password_hash(existing.password_hash, PASSWORD)


def test_an_organisation_already_registered_is_refused(client):
    db.session.add(BuyerOrganisation(name="CÔNG TY CP DƯỢC PHẨM VĨNH PHÚC", kind=BuyerKind.TRADER))
    db.session.commit()
    _refused(client, {}, "An organisation with this name is already registered.")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"confirm": "duoc-lieu-2027"}, "The two passwords are not the same."),
        ({"password": "short1", "confirm": "short1"}, "at least 10 characters"),
        ({"password": "qwerty12345", "confirm": "qwerty12345"}, "most common"),
        ({"password": "Password12", "confirm": "Password12"}, "most common"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "Enter your email address."),
        ({"organisation_name": "  "}, "Enter the organisation"),
        ({"organisation_kind": "bank"}, "Not a valid choice"),
        ({"contact_name": ""}, "Enter the contact person"),
        ({"tax_code": "12345"}, "A tax code has 10 digits"),
        ({"phone": "call me"}, "Enter a phone number"),
    ],
)
def test_bad_registrations_explain_and_write_nothing(client, changes, message):
    _refused(client, changes, message)


def test_a_logged_in_user_is_sent_away_from_registration(client, login_as):
    login_as(Role.BUYER)
    assert client.get("/register").status_code == 302


@contextmanager
def _another_app(database_url: str, **config: object) -> Iterator[Flask]:
    """An app with other settings; its connections are closed at the end."""
    app = make_app(database_url, **config)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def test_registration_is_rate_limited(app, database_url):
    limits = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}
    with _another_app(database_url, **limits) as limited, limited.test_client() as client:
        bad = {**NEW_BUYER, "confirm": "something-else-1"}
        codes = [client.post("/register", data=bad).status_code for _ in range(3)]
        assert codes == [422, 422, 429]
        assert client.get("/register").status_code == 200


def test_forms_need_a_csrf_token(app, database_url):
    with _another_app(database_url, WTF_CSRF_ENABLED=True) as strict, strict.test_client() as c:
        assert c.post("/register", data=NEW_BUYER).status_code == 400
        assert 'name="csrf_token"' in c.get("/register").get_data(as_text=True)
    assert count(User) == 0


# --- account ---------------------------------------------------------------------------------


def test_the_account_page_shows_the_organisation(client, login_as):
    user = login_as(Role.BUYER)
    page = _text(client.get("/account"))
    assert user.buyer_organisation.name in page
    assert user.email in page


def test_details_and_language_are_saved(client, login_as):
    user = login_as(Role.BUYER)
    data = {
        "account-name": "Trần Văn Minh",
        "account-phone": "+84 912 000 111",
        "account-locale": "en",
        "account-submit": "1",
    }
    response = client.post("/account", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.phone, user.locale) == ("Trần Văn Minh", "+84 912 000 111", "en")
    assert '<html lang="en">' in _text(client.get("/account"))


def test_bad_details_are_refused(client, login_as):
    user = login_as(Role.BUYER)
    name = user.name
    data = {
        "account-name": "",
        "account-phone": "abc",
        "account-locale": "fr",
        "account-submit": "1",
    }
    response = client.post("/account", data=data)
    assert response.status_code == 422
    db.session.expire_all()
    assert user.name == name


def test_the_password_changes_only_with_the_current_one(client, login_as):
    user = login_as(Role.BUYER)
    wrong = {
        "password-current_password": "not-my-password-1",
        "password-password": "new-password-2026",
        "password-confirm": "new-password-2026",
        "password-submit": "1",
    }
    response = client.post("/account", data=wrong)
    assert response.status_code == 422
    assert "The current password is not correct." in _text(response)
    db.session.expire_all()
    assert check_password_hash(user.password_hash, PASSWORD)
    right = {**wrong, "password-current_password": PASSWORD}
    assert client.post("/account", data=right).status_code == 302
    db.session.expire_all()
    assert check_password_hash(user.password_hash, "new-password-2026")


def test_the_account_page_needs_a_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- the order form --------------------------------------------------------------------------


def test_the_order_form_states_price_stock_and_minimum(client, login_as, make_user):
    market = make_market(make_user, stock="80", min_order="5")
    login_as(user=market.buyer)
    page = _text(client.get(f"/listings/{market.listing.id}/order"))
    assert market.listing.title in page
    assert market.cooperative.name in page
    assert "450,000 ₫" in page
    assert "80 kg" in page
    assert "5 kg" in page
    assert 'name="quantity"' in page


def test_an_order_with_a_decimal_point_is_placed(client, login_as, market):
    # an English page reads 12.5 (Vietnamese pages 12,5: tests/blueprints/test_numbers_vi.py)
    login_as(user=market.buyer)
    response = client.post(
        f"/listings/{market.listing.id}/order", data={"quantity": "12.5", "note": "Giao Hà Nội"}
    )
    assert response.status_code == 302
    order = db.session.scalars(db.select(Order)).one()
    assert response.headers["Location"] == f"/orders/{order.id}"
    assert order.lines[0].quantity == Decimal("12.500")
    assert order.note == "Giao Hà Nội"
    assert stock(market.listing) == Decimal("87.500")
    assert "Your order is placed." in _text(client.get(response.headers["Location"]))


def test_insufficient_stock_shows_the_form_again_and_writes_nothing(client, login_as, make_user):
    market = make_market(make_user, stock="5")
    login_as(user=market.buyer)
    response = client.post(f"/listings/{market.listing.id}/order", data={"quantity": "6"})
    assert response.status_code == 409
    page = _text(response)
    assert "Not enough stock" in page
    assert 'name="quantity"' in page and 'value="6"' in page
    assert count(Order) == 0
    assert stock(market.listing) == Decimal("5.000")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Enter the quantity"),
        ("abc", "Enter a number"),
        ("0", "greater than zero"),
        ("1e3", "Enter a number, for example 12.5."),
        ("12,5", "did you mean 12,500 or 12.5?"),
    ],
)
def test_bad_quantities_are_refused(client, login_as, market, quantity, message):
    login_as(user=market.buyer)
    response = client.post(f"/listings/{market.listing.id}/order", data={"quantity": quantity})
    assert response.status_code == 422
    assert message in _text(response)
    assert count(Order) == 0


def test_below_the_minimum_is_refused(client, login_as, make_user):
    market = make_market(make_user, min_order="10")
    login_as(user=market.buyer)
    response = client.post(f"/listings/{market.listing.id}/order", data={"quantity": "9.5"})
    assert response.status_code == 409  # the listing's rule, as out of stock is
    assert "minimum order" in _text(response)
    assert count(Order) == 0


def test_a_double_submission_places_one_order(client, login_as, market):
    login_as(user=market.buyer)
    url = f"/listings/{market.listing.id}/order"
    key = _text(client.get(url)).split('name="request_key" type="hidden" value="')[1][:32]
    first = client.post(url, data={"quantity": "2", "request_key": key})
    second = client.post(url, data={"quantity": "2", "request_key": key})
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Order) == 1
    assert count(IdempotencyKey) == 1
    assert stock(market.listing) == Decimal("98.000")


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PAUSED])
def test_a_listing_not_on_sale_cannot_be_ordered(client, login_as, market, status):
    market.listing.status = status
    db.session.commit()
    login_as(user=market.buyer)
    assert client.get(f"/listings/{market.listing.id}/order").status_code == 404
    assert (
        client.post(f"/listings/{market.listing.id}/order", data={"quantity": "1"}).status_code
        == 404
    )


# --- my orders -------------------------------------------------------------------------------


def test_the_empty_list_points_to_the_catalog(client, login_as):
    login_as(Role.BUYER)
    page = _text(client.get("/orders"))
    assert "No orders yet" in page
    assert "Browse the catalog" in page


def test_my_orders_are_listed_with_a_status_filter_and_pages(client, login_as, market, make_user):
    other = make_market(make_user)
    place(other.buyer, other.listing)
    mine = [place(market.buyer, market.listing, "1") for _ in range(21)]
    accepted_order = accepted(market, "1")
    login_as(user=market.buyer)
    page = _text(client.get("/orders"))
    assert "22 orders" in page
    assert f'"/orders/{accepted_order.id}"' in page
    assert f'"/orders/{mine[0].id}"' not in page  # the oldest is on page 2
    assert f'"/orders/{mine[0].id}"' in _text(client.get("/orders?page=2"))
    filtered = _text(client.get("/orders?status=accepted"))
    assert "1 order" in filtered and f'"/orders/{accepted_order.id}"' in filtered
    assert f'"/orders/{mine[1].id}"' not in filtered
    assert "No order has this status." in _text(client.get("/orders?status=paid"))
    assert "no orders on this page" in _text(client.get("/orders?page=9"))
    assert client.get("/orders?status=nonsense&page=abc").status_code == 200


def test_the_order_page_shows_lines_history_and_lots(client, login_as, market):
    lot = make_lot(market.cooperative, "50", households=2)
    order = order_in(OrderStatus.SHIPPED, market, lot, "12.5")
    login_as(user=market.buyer)
    page = _text(client.get(f"/orders/{order.id}"))
    assert market.listing.title in page
    assert "12.5 kg" in page
    assert "5,625,000 ₫" in page
    assert f'href="/trace/{lot.code}"' in page
    assert "Shipped" in page and "Accepted" in page and "Placed" in page
    assert market.cooperative.name in page
    assert market.manager.email not in page
    assert market.manager.name not in page
    assert "Confirm delivery" in page
    assert "Cancel the order" not in page
    assert SECRET_HEAD_NAME not in page and SECRET_HOUSEHOLD_CODE not in page


@pytest.mark.parametrize(
    ("status", "cancel", "deliver"),
    [
        (OrderStatus.PLACED, True, False),
        (OrderStatus.ACCEPTED, True, False),
        (OrderStatus.DELIVERED, False, False),
        (OrderStatus.REJECTED, False, False),
    ],
)
def test_buttons_show_only_when_allowed(client, login_as, market, status, cancel, deliver):
    lot = make_lot(market.cooperative)
    order = order_in(status, market, lot)
    login_as(user=market.buyer)
    page = _text(client.get(f"/orders/{order.id}"))
    assert (f"/orders/{order.id}/cancel" in page) is cancel
    assert (f"/orders/{order.id}/deliver" in page) is deliver


def test_cancel_gives_the_stock_back(client, login_as, market):
    order = accepted(market, "30")
    login_as(user=market.buyer)
    response = client.post(f"/orders/{order.id}/cancel", data={"reason": "Đổi kế hoạch"})
    assert response.status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED
    assert order.events[-1].note == "Đổi kế hoạch"
    assert stock(market.listing) == Decimal("100.000")
    assert "The order is cancelled." in _text(client.get(f"/orders/{order.id}"))


def test_a_shipped_order_cannot_be_cancelled(client, login_as, market):
    order = order_in(OrderStatus.SHIPPED, market, make_lot(market.cooperative))
    login_as(user=market.buyer)
    response = client.post(f"/orders/{order.id}/cancel", data={})
    assert response.status_code == 302
    assert "cannot be cancelled" in _text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert order.status == OrderStatus.SHIPPED


def test_delivery_is_confirmed(client, login_as, market):
    order = order_in(OrderStatus.SHIPPED, market, make_lot(market.cooperative))
    login_as(user=market.buyer)
    assert client.post(f"/orders/{order.id}/deliver").status_code == 302
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED
    assert client.post(f"/orders/{order.id}/deliver").status_code == 302  # a second click
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED


def test_an_overlong_cancel_reason_changes_nothing(client, login_as, market):
    order = place(market.buyer, market.listing)
    login_as(user=market.buyer)
    client.post(f"/orders/{order.id}/cancel", data={"reason": "x" * 1001})
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


# --- who may see what ------------------------------------------------------------------------

ROUTES = [
    ("GET", "/listings/{listing}/order"),
    ("POST", "/listings/{listing}/order"),
    ("GET", "/orders"),
    ("GET", "/orders/{order}"),
    ("POST", "/orders/{order}/cancel"),
    ("POST", "/orders/{order}/deliver"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_anonymous_users_are_sent_to_login(client, market, method, route):
    order = place(market.buyer, market.listing)
    url = route.format(listing=market.listing.id, order=order.id)
    response = client.open(url, method=method, data={"quantity": "1"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OFFICIAL, Role.ADMIN])
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_other_roles_are_refused(client, login_as, market, role, method, route):
    order = place(market.buyer, market.listing)
    login_as(role)
    url = route.format(listing=market.listing.id, order=order.id)
    assert client.open(url, method=method, data={"quantity": "1"}).status_code == 403
    assert count(Order) == 1
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize(("method", "route"), ROUTES[3:])
def test_another_buyers_order_is_404(client, login_as, market, method, route):
    order = place(market.buyer, market.listing)
    login_as(Role.BUYER)
    assert client.open(route.format(order=order.id), method=method).status_code == 404
    db.session.expire_all()
    assert order.status == OrderStatus.PLACED


def test_my_orders_list_shows_no_one_elses(client, login_as, market):
    order = place(market.buyer, market.listing)
    login_as(Role.BUYER)
    assert f'"/orders/{order.id}"' not in _text(client.get("/orders"))


def test_my_orders_take_a_bounded_number_of_queries(client, login_as, market, make_user):
    for _ in range(3):
        other = ListingFactory(cooperative=make_user(Role.MANAGER).cooperatives[0])
        db.session.commit()
        for _ in range(5):
            place(market.buyer, other, "1")
    login_as(user=market.buyer)
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = _text(client.get("/orders"))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert "15 orders" in page
    assert len(statements) <= 14, "\n".join(s[:80] for s in statements)


def test_every_order_page_renders_in_vietnamese(client, login_as, market):
    """The default language: each page and message renders (placeholders fit the catalog)."""
    client.get("/language/vi")
    lot = make_lot(market.cooperative, "50", households=2)
    orders = [order_in(status, market, lot, "2") for status in OrderStatus]
    assert client.get("/register").status_code == 200
    assert client.post("/register", data={**NEW_BUYER, "confirm": "x"}).status_code == 422
    login_as(user=market.buyer)
    urls = ["/orders", "/notices", "/account", f"/listings/{market.listing.id}/order"]
    urls += [f"/orders/{order.id}" for order in orders]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="vi">' in _text(response)
    refused = client.post(f"/listings/{market.listing.id}/order", data={"quantity": "999"})
    assert refused.status_code == 409
    shipped = orders[list(OrderStatus).index(OrderStatus.SHIPPED)]
    followed = client.post(f"/orders/{shipped.id}/cancel", follow_redirects=True)
    assert followed.status_code == 200
    login_as(user=market.manager)
    base = f"/manage/{market.cooperative.id}/orders"
    for url in [base, "/notices"] + [f"{base}/{order.id}" for order in orders]:
        assert client.get(url).status_code == 200, url
    placed = orders[0]
    assert client.post(f"{base}/{placed.id}/reject", data={}).status_code == 422
    assert client.post(f"{base}/{placed.id}/ship", follow_redirects=True).status_code == 200
