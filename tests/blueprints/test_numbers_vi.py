"""The forms read numbers as Vietnamese write them (1.200 = one thousand two hundred,
12,5 = twelve and a half), refuse what could be read two ways, and every page writes
numbers in its language with their unit: the collection, order, listing, processing and
payment forms posted from Vietnamese pages.

Messages are compared with what the app says in Vietnamese (linkage.numbers in a Vietnamese
request), so the tests hold before and after the catalog translates new messages; the
numbers inside them are checked literally.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.numbers import NumberError, parse_number
from models import Collection, Listing, Lot, Order, Payment, PaymentKind, Transformation

from ..factories_orders import make_market
from ..factories_valuechain import lot_of, member_of


def vietnamese(client) -> None:
    with client.session_transaction() as session:
        session["locale"] = "vi"


def english(client) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"


def said(app, text: str, *, whole: bool = False, example: int | str = "12.5") -> str:
    """The refusal a Vietnamese page gives for `text`."""
    with app.test_request_context(), force_locale("vi"), pytest.raises(NumberError) as refused:
        parse_number(text, "vi", whole=whole, example=Decimal(example))
    return str(escape(str(refused.value)))


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown at {field}"
    return found.group(1)


def flashed(page: str) -> str:
    """The success messages of a page (logging in adds a welcome)."""
    found = re.findall(r'<p class="flash flash-success">(.*?)</p>', page, re.S)
    assert found, "no success message"
    return " ".join(found)


def value_of(page: str, field: str) -> str:
    found = re.search(rf'<input[^>]* id="{field}"[^>]*>', page)
    assert found, f"no input {field}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def manager(login_as):
    return login_as("manager")


@pytest.fixture
def coop(manager):
    return manager.cooperatives[0]


# --- the collection form --------------------------------------------------------------------


def _delivery(client, coop, lot, household, **change) -> object:
    vietnamese(client)
    data = {
        "household_id": str(household.id),
        "quantity": "1.200",
        "unit_price_vnd": "80.000",
        "collected_at": "2026-03-10",
        **change,
    }
    return client.post(f"/manage/{coop.id}/lots/{lot.id}/collections", data=data)


def test_a_delivery_of_1_200_kg_is_one_thousand_two_hundred_kilograms(client, coop):
    household, lot = member_of(coop), lot_of(coop)
    db.session.commit()

    # 1.200 kg with no earlier delivery asks to be confirmed first: the quantity shown back
    # is the one read
    asked = _delivery(client, coop, lot, household)
    assert asked.status_code == 200
    assert "1.200 kg" in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Collection)) == 0

    response = _delivery(client, coop, lot, household, confirmed="1")

    assert response.status_code == 303, response.get_data(as_text=True)
    collection = db.session.scalars(select(Collection)).one()
    assert (collection.quantity, collection.unit_price_vnd) == (Decimal("1200"), 80_000)
    assert collection.amount_vnd == db.session.scalar(select(Payment.amount_vnd)) == 96_000_000
    message = flashed(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1.200 kg" in message and "96.000.000 ₫" in message  # units always shown


@pytest.mark.parametrize(
    ("change", "field", "whole", "example", "numbers"),
    [
        ({"quantity": "1.2"}, "quantity", False, "12.5", ["“1.2”", "1.200", "1,2"]),
        ({"quantity": "12.5"}, "quantity", False, "12.5", ["12.500", "12,5"]),
        ({"quantity": "1e3"}, "quantity", False, "12.5", ["12,5"]),
        ({"quantity": "NaN"}, "quantity", False, "12.5", ["12,5"]),
        ({"unit_price_vnd": "80.000,50"}, "unit_price_vnd", True, 150000, ["150.000"]),
        ({"unit_price_vnd": "80,000"}, "unit_price_vnd", True, 150000, ["80.000"]),
    ],
)
def test_deliveries_typed_the_wrong_way_are_refused_with_the_readings(
    app, client, coop, change, field, whole, example, numbers
):
    household, lot = member_of(coop), lot_of(coop)
    db.session.commit()

    response = _delivery(client, coop, lot, household, **change)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = error_of(page, field)
    assert shown == said(app, change[field], whole=whole, example=example)
    assert all(number in shown for number in numbers)
    assert value_of(page, field) == escape(change[field])  # kept exactly as typed
    assert (count(Collection), count(Payment)) == (0, 0)


def test_the_examples_of_the_messages_are_written_as_the_page_writes_numbers(client, coop):
    household, lot = member_of(coop), lot_of(coop)
    db.session.commit()

    page = _delivery(client, coop, lot, household, quantity="", unit_price_vnd="")

    shown = page.get_data(as_text=True)
    assert "12,5" in error_of(shown, "quantity")
    assert "120.000" in error_of(shown, "unit_price_vnd")
    english(client)
    data = {"household_id": str(household.id), "collected_at": "2026-03-10"}
    shown = client.post(f"/manage/{coop.id}/lots/{lot.id}/collections", data=data)
    assert "for example 12.5." in error_of(shown.get_data(as_text=True), "quantity")
    assert "for example 120,000." in error_of(shown.get_data(as_text=True), "unit_price_vnd")


# --- the order form -------------------------------------------------------------------------


@pytest.fixture
def market(make_user):
    return make_market(make_user, stock="100", locale="vi")


def test_an_order_of_12_5_kg_typed_with_a_decimal_comma(client, login_as, market):
    login_as(user=market.buyer)
    url = f"/listings/{market.listing.id}/order"
    # the hint's example, as each page writes it (not as the page that compiled the template)
    for locale, example in (("en", "for example 12.5."), ("vi", "12,5")):
        with client.session_transaction() as session:
            session["locale"] = locale
        page = client.get(url).get_data(as_text=True)
        assert example in re.search(r'<p class="hint" id="quantity-hint">(.*?)</p>', page).group(1)

    response = client.post(f"/listings/{market.listing.id}/order", data={"quantity": "12,5"})

    assert response.status_code == 302, response.get_data(as_text=True)
    order = db.session.scalars(select(Order)).one()
    assert order.lines[0].quantity == Decimal("12.5")
    db.session.refresh(market.listing)
    assert market.listing.quantity_available == Decimal("87.5")


@pytest.mark.parametrize(("entry", "numbers"), [("1e3", ["12,5"]), ("12.5", ["12.500", "12,5"])])
def test_an_order_typed_the_wrong_way_is_refused(app, client, login_as, market, entry, numbers):
    login_as(user=market.buyer)
    vietnamese(client)

    response = client.post(f"/listings/{market.listing.id}/order", data={"quantity": entry})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(page, "quantity") == said(app, entry)
    assert all(number in error_of(page, "quantity") for number in numbers)
    assert count(Order) == 0
    db.session.refresh(market.listing)
    assert market.listing.quantity_available == Decimal("100")


# --- the listing form -----------------------------------------------------------------------

LISTING = {
    "product_code": "PT-BA-KICH-KHO",
    "title": "Ba kích khô rút lõi loại 1",
    "unit_price_vnd": "520.000",
    "quantity_available": "1.200,5",
    "min_order_quantity": "0,5",
}


def test_a_listing_typed_in_vietnamese_reads_back_unchanged_from_its_edit_form(client, coop):
    vietnamese(client)
    response = client.post(f"/manage/{coop.id}/listings/new", data=LISTING)
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = db.session.scalars(select(Listing)).one()
    assert (listing.unit_price_vnd, listing.quantity_available, listing.min_order_quantity) == (
        520_000,
        Decimal("1200.5"),
        Decimal("0.5"),
    )
    url = f"/manage/{coop.id}/listings/{listing.id}/edit"
    page = client.get(url).get_data(as_text=True)
    shown = {
        name: value_of(page, name)
        for name in ("unit_price_vnd", "quantity_available", "min_order_quantity")
    }
    assert shown == {
        "unit_price_vnd": "520.000",
        "quantity_available": "1.200,5",
        "min_order_quantity": "0,5",
    }

    again = client.post(url, data={**LISTING, **shown, "stock_seen": value_of(page, "stock_seen")})

    assert again.status_code == 302, again.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Listing, listing.id)
    assert (saved.unit_price_vnd, saved.quantity_available, saved.min_order_quantity) == (
        520_000,
        Decimal("1200.5"),
        Decimal("0.5"),
    )


def test_an_english_page_shows_the_same_listing_the_english_way(client, coop):
    vietnamese(client)
    client.post(f"/manage/{coop.id}/listings/new", data=LISTING)
    listing = db.session.scalars(select(Listing)).one()
    english(client)
    page = client.get(f"/manage/{coop.id}/listings/{listing.id}/edit").get_data(as_text=True)
    assert value_of(page, "unit_price_vnd") == "520,000"
    assert value_of(page, "quantity_available") == "1,200.5"


@pytest.mark.parametrize(
    ("change", "field", "whole", "example"),
    [
        ({"unit_price_vnd": "520.000,50"}, "unit_price_vnd", True, 150000),
        ({"quantity_available": "1.2"}, "quantity_available", False, "180.5"),
        ({"min_order_quantity": "0.5"}, "min_order_quantity", False, "12.5"),
    ],
)
def test_a_listing_typed_the_wrong_way_is_refused(app, client, coop, change, field, whole, example):
    vietnamese(client)
    response = client.post(f"/manage/{coop.id}/listings/new", data={**LISTING, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_of(page, field) == said(app, change[field], whole=whole, example=example)
    assert count(Listing) == 0


# --- the processing form --------------------------------------------------------------------


def test_the_processing_form_lists_lots_with_their_quantity_as_the_page_writes_it(client, coop):
    lot = lot_of(coop, "43.443")
    db.session.commit()
    url = f"/manage/{coop.id}/transformations/new"
    vietnamese(client)
    assert f"{lot.code} — Ba kích tươi (43,443 kg)" in client.get(url).get_data(as_text=True)
    english(client)
    assert "(43.443 kg)" in client.get(url).get_data(as_text=True)


def test_processing_typed_in_vietnamese(client, coop):
    first, second = lot_of(coop, "1500"), lot_of(coop, "43.443")
    db.session.commit()
    vietnamese(client)

    response = client.post(
        f"/manage/{coop.id}/transformations/new",
        data={
            "step": "drying",
            "occurred_at": "2026-03-12",
            "lot_1": str(first.id),
            "quantity_1": "1.200",
            "lot_2": str(second.id),
            "quantity_2": "43,443",
            "output_product": "PT-BA-KICH-KHO",
            "output_quantity": "400,5",
        },
    )

    assert response.status_code == 303, response.get_data(as_text=True)
    output = db.session.scalars(select(Transformation)).one().output_lot
    assert output.quantity_remaining == Decimal("400.5")
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.quantity_remaining, second.quantity_remaining) == (Decimal("300"), 0)


def test_processing_typed_the_wrong_way_is_refused(app, client, coop):
    lot = lot_of(coop, "100")
    db.session.commit()
    vietnamese(client)

    response = client.post(
        f"/manage/{coop.id}/transformations/new",
        data={
            "step": "drying",
            "occurred_at": "2026-03-12",
            "lot_1": str(lot.id),
            "quantity_1": "50.5",
            "output_product": "PT-BA-KICH-KHO",
            "output_quantity": "1,2,3",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(page, "quantity_1") == said(app, "50.5")
    assert "50.500" in error_of(page, "quantity_1") and "50,5" in error_of(page, "quantity_1")
    assert error_of(page, "output_quantity") == said(app, "1,2,3")
    assert (count(Transformation), count(Lot)) == (0, 1)


def test_taking_more_than_a_lot_holds_says_what_it_holds_as_the_page_writes_it(client, coop):
    lot = lot_of(coop, "43.443")
    db.session.commit()
    vietnamese(client)
    response = client.post(
        f"/manage/{coop.id}/transformations/new",
        data={
            "step": "drying",
            "occurred_at": "2026-03-12",
            "lot_1": str(lot.id),
            "quantity_1": "50",
            "output_product": "PT-BA-KICH-KHO",
            "output_quantity": "10",
        },
    )
    assert response.status_code in (409, 422)
    assert "43,443 kg" in response.get_data(as_text=True)
    assert count(Transformation) == 0


# --- the payment form -----------------------------------------------------------------------


def _payment(client, coop, household, amount: str) -> object:
    vietnamese(client)
    return client.post(
        f"/manage/{coop.id}/payments/new",
        data={
            "household_id": str(household.id),
            "kind": "surplus",
            "amount_vnd": amount,
            "paid_at": "2026-01-20",
        },
    )


def test_a_payment_of_1_500_000_dong(client, coop):
    household = member_of(coop)
    db.session.commit()

    response = _payment(client, coop, household, "1.500.000")

    assert response.status_code == 303, response.get_data(as_text=True)
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.kind, payment.amount_vnd) == (PaymentKind.SURPLUS, 1_500_000)
    assert "1.500.000 ₫" in flashed(client.get(response.headers["Location"]).get_data(as_text=True))


@pytest.mark.parametrize(
    ("amount", "numbers"),
    [("1.5", ["1.500", "1,5"]), ("1.500.000,50", ["150.000"]), ("1e6", ["150.000"])],
)
def test_a_payment_typed_the_wrong_way_is_refused(app, client, coop, amount, numbers):
    household = member_of(coop)
    db.session.commit()

    response = _payment(client, coop, household, amount)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(page, "amount_vnd") == said(app, amount, whole=True, example=150000)
    assert all(number in error_of(page, "amount_vnd") for number in numbers)
    assert count(Payment) == 0


# --- a page, in each language ---------------------------------------------------------------


def test_the_lots_page_writes_43_443_kg_in_each_language(client, coop):
    lot_of(coop, "43.443")
    db.session.commit()
    vietnamese(client)
    assert "43,443 kg" in client.get(f"/manage/{coop.id}/lots").get_data(as_text=True)
    english(client)
    page = client.get(f"/manage/{coop.id}/lots").get_data(as_text=True)
    assert "43.443 kg" in page and "43,443" not in page
