"""A listing's minimum order is never above its stock: the service, the manager's form and
the API refuse it with the same clear message, in Vietnamese and English, and write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services import listings
from linkage.services.errors import Invalid
from models import Listing, ListingStatus

from ..factories_listings import ListingFactory

FORM = {
    "product_code": "PT-BA-KICH-KHO",
    "title": "Ba kích khô rút lõi loại 1",
    "unit_price_vnd": "500000",
    "quantity_available": "4",
    "min_order_quantity": "5",
}
EN = "The minimum order cannot be above the quantity available."
VI = "Số lượng đặt tối thiểu không được lớn hơn số lượng có sẵn."


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Listing.id)))


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.mark.parametrize(
    ("stock", "minimum", "refused"),
    [
        ("4", "5", True),
        ("4.999", "5", True),
        ("5", "5", False),  # the whole stock in one order
        ("100", "0.5", False),
        ("0", "5", False),  # no stock yet: a draft, nothing to compare
    ],
)
def test_the_service_refuses_a_minimum_above_the_stock(manager, stock, minimum, refused):
    data = {
        "product_code": "PT-BA-KICH-KHO",
        "title": "Ba kích",
        "unit_price_vnd": 500_000,
        "quantity_available": Decimal(stock),
        "min_order_quantity": Decimal(minimum),
    }
    if refused:
        with pytest.raises(Invalid) as caught:
            listings.create_listing(manager, manager.cooperatives[0], data)
        assert caught.value.field == "min_order_quantity"
        assert _count() == 0
    else:
        listing = listings.create_listing(manager, manager.cooperatives[0], data)
        assert listing.min_order_quantity == Decimal(minimum)


def test_an_edit_that_lowers_the_stock_below_the_minimum_is_refused(manager):
    listing = ListingFactory(
        cooperative=manager.cooperatives[0],
        quantity_available=Decimal("100"),
        min_order_quantity=Decimal("10"),
    )
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        listings.update_listing(manager, listing, {"quantity_available": Decimal("9")})
    assert caught.value.field == "min_order_quantity"


@pytest.mark.parametrize(("language", "message"), [("en", EN), ("vi", VI)])
def test_the_form_shows_the_error_next_to_the_field(client, login_as, manager, language, message):
    login_as(user=manager)
    client.get(f"/language/{language}")
    cooperative = manager.cooperatives[0]
    response = client.post(f"/manage/{cooperative.id}/listings/new", data=FORM)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="min_order_quantity-error"' in page
    assert message in page
    assert _count() == 0


def test_the_edit_form_refuses_it_too(client, login_as, manager):
    login_as(user=manager)
    client.get("/language/en")
    listing = ListingFactory(
        cooperative=manager.cooperatives[0], status=ListingStatus.DRAFT, quantity_available=10
    )
    db.session.commit()
    data = {**FORM, "quantity_available": "10", "min_order_quantity": "12", "stock_seen": "10"}
    response = client.post(
        f"/manage/{listing.cooperative_id}/listings/{listing.id}/edit", data=data
    )
    assert response.status_code == 422
    assert EN in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).min_order_quantity != Decimal("12")


def test_the_api_refuses_it_on_create_and_on_change(client, manager, bearer):
    manager.locale = "en"
    db.session.commit()
    headers = {**bearer(manager), "Accept-Language": "en"}
    cooperative = manager.cooperatives[0]
    body = {**FORM, "unit_price_vnd": 500000}
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings", json=body, headers=headers
    )
    assert response.status_code == 422, response.json
    assert response.json["errors"]["min_order_quantity"] == [EN]
    assert _count() == 0

    listing = ListingFactory(cooperative=cooperative, quantity_available=Decimal("20"))
    manager.locale = "vi"
    db.session.commit()
    response = client.patch(
        f"/api/v1/listings/{listing.id}",
        json={"min_order_quantity": "25"},
        headers={**headers, "Accept-Language": "vi"},
    )
    assert response.status_code == 422, response.json
    assert VI in str(response.json["errors"]["min_order_quantity"])
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).min_order_quantity != Decimal("25")
