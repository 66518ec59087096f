"""The order form under the order limits: the rate per buyer, shared with the API, and the
cap on open orders, each refused with a page that says why."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from linkage.services.accounts import issue_token
from models import Order

from ..api.test_order_limits import limited_app
from ..conftest import PASSWORD
from ..factories_orders import count, make_market


@pytest.fixture
def market(make_user):
    return make_market(make_user, stock="1000", unit_price_vnd=1_000_000)


def login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_form_over_the_rate_answers_a_page_with_the_message(database_url, market):
    url = f"/listings/{market.listing.id}/order"
    with limited_app(database_url) as limited, limited.test_client() as client:
        login(client, market.buyer)
        # each a second order of the listing on purpose ("again"), as the form asks for
        again = {"quantity": "1", "again": "y"}
        codes = [client.post(url, data=again).status_code for _ in range(2)]
        refused = client.post(url, data=again)
        form = client.get(url)
    assert codes == [302, 302]
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    text = refused.get_data(as_text=True)
    assert "You are placing orders too fast: at most 2 orders per minute." in text
    assert "Retry-After" in refused.headers
    assert form.status_code == 200  # showing the form is not limited
    db.session.rollback()  # a snapshot older than the requests
    assert count(Order) == 2


def test_the_form_and_the_api_share_one_count(app, database_url, market):
    token = issue_token(market.buyer, app.config["TOKEN_LIFETIME"]).token
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"lines": [{"listing_id": market.listing.id, "quantity": 1}]}
    url = f"/listings/{market.listing.id}/order"
    with limited_app(database_url) as limited, limited.test_client() as client:
        login(client, market.buyer)
        assert client.post(url, data={"quantity": "1"}).status_code == 302
        assert (
            limited.test_client().post("/api/v1/orders", json=body, headers=headers).status_code
            == 201
        )
        assert client.post(url, data={"quantity": "1"}).status_code == 429


def test_the_form_shows_the_cap_on_the_quantity(client, login_as, market):
    login_as(user=market.buyer)
    url = f"/listings/{market.listing.id}/order"
    assert client.post(url, data={"quantity": "50"}).status_code == 302
    refused = client.post(url, data={"quantity": "1", "again": "y"})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "your limit of 50,000,000 ₫" in text
    assert "already come to 50,000,000 ₫" in text
    assert count(Order) == 1
