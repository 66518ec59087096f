"""Resources built from a table (an order's steps, a cooperative's status) and paged lists:
each is routed and documented as a hand-written MethodView would be."""

from __future__ import annotations

import pytest

from blueprints.api.orders import STEPS


@pytest.fixture(scope="module")
def spec(_shared_app):
    with _shared_app.test_client() as client:
        return client.get("/api/v1/openapi.json").json


@pytest.mark.parametrize(("step", "audience", "body", "summary"), STEPS)
def test_each_step_of_an_order_is_a_documented_post(app, spec, step, audience, body, summary):
    assert f"api_orders.Order{step.capitalize()}" in app.view_functions
    post = spec["paths"][f"/api/v1/orders/{{order_id}}/{step}"]["post"]
    assert post["summary"] == summary
    assert post["description"] == "Who may call: " + ", ".join(sorted(audience)) + "."
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderDetail"
    }
    if body is None:
        assert "requestBody" not in post
    else:  # only shipping needs a body: its allocations
        assert post["requestBody"]["required"] is (step == "ship")


@pytest.mark.parametrize("action", ["approve", "suspend"])
def test_admins_change_a_cooperatives_status_with_an_optional_reason(app, spec, action):
    assert f"api_cooperatives.Cooperative{action.capitalize()}" in app.view_functions
    post = spec["paths"][f"/api/v1/cooperatives/{{cooperative_id}}/{action}"]["post"]
    assert post["summary"].startswith(action.capitalize())
    assert post["description"] == "Who may call: admin."
    assert post["requestBody"]["required"] is False


def test_a_paged_list_documents_its_arguments_and_answers_the_envelope(client, spec):
    get = spec["paths"]["/api/v1/products"]["get"]
    assert {p["name"] for p in get["parameters"]} == {"page", "per_page", "category"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProductPage"
    }
    answer = client.get("/api/v1/products?per_page=2&page=2")
    assert answer.status_code == 200
    assert answer.json["page"] == 2 and answer.json["per_page"] == 2
    assert len(answer.json["items"]) == 2 < answer.json["total"]
    assert client.get("/api/v1/products?per_page=201").status_code == 422
