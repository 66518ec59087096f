"""A listing's stock may be below its minimum order: sales leave listings so anyway, so the
service, the manager's form and the API allow it. Such a listing cannot be ordered, and the
catalog, its page and the order form say so and why, in Vietnamese and English; an order of it
is refused (409) and writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services import listings, orders
from linkage.services.errors import Conflict
from models import Listing, ListingStatus, Order

from ..factories_listings import ListingFactory
from ..factories_orders import make_market

FORM = {
    "product_code": "PT-BA-KICH-KHO",
    "title": "Ba kích khô rút lõi loại 1",
    "unit_price_vnd": "500000",
    "quantity_available": "4",
    "min_order_quantity": "5",
}
WHY = {
    "en": "cannot be ordered for now: the 4 kg left are less than its minimum order of 5 kg.",
    "vi": "số còn lại 4 kg ít hơn số lượng đặt tối thiểu 5 kg.",
}
BADGE = {"en": "Cannot be ordered for now", "vi": "Tạm thời chưa thể đặt hàng"}


def _count(model: type = Listing) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.mark.parametrize(("stock", "minimum"), [("4", "5"), ("4.999", "5"), ("5", "5"), ("0", "5")])
def test_the_service_allows_a_stock_below_the_minimum(manager, stock, minimum):
    data = {
        "product_code": "PT-BA-KICH-KHO",
        "title": "Ba kích",
        "unit_price_vnd": 500_000,
        "quantity_available": Decimal(stock),
        "min_order_quantity": Decimal(minimum),
    }
    listing = listings.create_listing(manager, manager.cooperatives[0], data)
    assert (listing.quantity_available, listing.min_order_quantity) == (
        Decimal(stock),
        Decimal(minimum),
    )
    assert listing.below_minimum is (Decimal(stock) < Decimal(minimum) and stock != "0")


def test_an_edit_may_lower_the_stock_below_the_minimum(manager):
    listing = ListingFactory(
        cooperative=manager.cooperatives[0],
        quantity_available=Decimal("100"),
        min_order_quantity=Decimal("10"),
    )
    db.session.commit()
    listings.update_listing(manager, listing, {"quantity_available": Decimal("9")})
    assert listing.quantity_available == Decimal("9") and listing.below_minimum


def test_the_forms_save_it_and_the_list_notes_it(client, login_as, manager):
    login_as(user=manager)
    client.get("/language/en")
    cooperative = manager.cooperatives[0]
    response = client.post(f"/manage/{cooperative.id}/listings/new", data=FORM)
    assert response.status_code == 302
    listing = db.session.scalars(db.select(Listing)).one()
    assert (listing.quantity_available, listing.min_order_quantity) == (4, 5)
    data = {**FORM, "quantity_available": "10", "min_order_quantity": "12", "stock_seen": "4"}
    response = client.post(f"/manage/{cooperative.id}/listings/{listing.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).min_order_quantity == Decimal("12")
    page = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert "Below the minimum order: buyers cannot order it" in page


def test_the_api_allows_it_on_create_and_on_change(client, manager, bearer):
    headers = bearer(manager)
    cooperative = manager.cooperatives[0]
    body = {**FORM, "unit_price_vnd": 500000}
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings", json=body, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["min_order_quantity"] == "5.000"
    # the default minimum order (1) above a stock below 1
    body = {**body, "quantity_available": "0.5"}
    del body["min_order_quantity"]
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings", json=body, headers=headers
    )
    assert response.status_code == 201, response.json
    assert (response.json["quantity_available"], response.json["min_order_quantity"]) == (
        "0.500",
        "1.000",
    )

    listing = ListingFactory(cooperative=cooperative, quantity_available=Decimal("20"))
    db.session.commit()
    response = client.patch(
        f"/api/v1/listings/{listing.id}", json={"min_order_quantity": "25"}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert response.json["min_order_quantity"] == "25.000"


@pytest.fixture
def below(make_user):
    """An active listing with 4 kg left and a minimum order of 5 kg, and a buyer."""
    return make_market(make_user, stock="4", min_order="5")


def test_an_order_of_it_is_refused_whatever_the_quantity(below):
    for quantity in ("4", "5", "2"):
        with pytest.raises(Conflict) as refused:
            orders.place_order(
                below.buyer, [orders.LineRequest(below.listing.id, Decimal(quantity))]
            )
        assert WHY["vi"] in refused.value.message  # outside a request: Vietnamese
        assert refused.value.field == "quantity"
    db.session.rollback()
    assert _count(Order) == 0
    db.session.refresh(below.listing)
    assert below.listing.quantity_available == Decimal("4")


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_pages_say_it_cannot_be_ordered_and_why(client, login_as, below, language):
    login_as(user=below.buyer)
    client.get(f"/language/{language}")
    catalog = client.get("/catalog").get_data(as_text=True)
    assert BADGE[language] in catalog
    listing_page = client.get(f"/listings/{below.listing.id}").get_data(as_text=True)
    assert WHY[language] in listing_page
    assert f"/listings/{below.listing.id}/order" not in listing_page  # no "Order" button
    url = f"/listings/{below.listing.id}/order"
    form = client.get(url).get_data(as_text=True)
    assert 'id="below-minimum"' in form and WHY[language] in form
    # nothing to type: no quantity field, no "Order" button, the way back to the catalog
    assert 'name="quantity"' not in form and 'type="submit"' not in form.split("<main")[-1]
    assert 'href="/catalog"' in form
    for quantity in ("4", "5"):
        response = client.post(url, data={"quantity": quantity})
        assert response.status_code == 409
        assert WHY[language] in response.get_data(as_text=True)
    assert _count(Order) == 0


def test_the_api_refuses_an_order_of_it_with_the_reason(client, below, bearer):
    response = client.post(
        "/api/v1/orders",
        json={"lines": [{"listing_id": below.listing.id, "quantity": "4"}]},
        headers={**bearer(below.buyer), "Accept-Language": "en"},
    )
    assert response.status_code == 409, response.json
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert WHY["en"] in response.json["detail"]
    assert _count(Order) == 0


def test_a_listing_with_enough_stock_is_not_marked(client, make_user):
    market = make_market(make_user, stock="5", min_order="5", status=ListingStatus.ACTIVE)
    page = client.get(f"/listings/{market.listing.id}").get_data(as_text=True)
    assert 'id="below-minimum"' not in page
    assert f"/listings/{market.listing.id}/order" in page
