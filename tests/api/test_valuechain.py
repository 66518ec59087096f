"""Value chain API: lots, collections, transformations, payments (DESIGN section 6)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from linkage.extensions import db
from models import AuditEntry, Collection, Lot, Payment, Transformation, TransformationInput

from ..audit_entries import RECORD_ENTRIES
from ..factories_valuechain import lot_of, member_of

COLLECTED_AT = "2026-03-10T09:30:00+07:00"


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def coop(manager):
    return manager.cooperatives[0]


@pytest.fixture
def auth(manager, bearer):
    return bearer(manager)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _routes(coop_id: int, lot_id: int) -> list[tuple[str, str]]:
    return [
        ("POST", f"/api/v1/cooperatives/{coop_id}/lots"),
        ("GET", f"/api/v1/cooperatives/{coop_id}/lots"),
        ("POST", f"/api/v1/lots/{lot_id}/collections"),
        ("POST", f"/api/v1/cooperatives/{coop_id}/transformations"),
        ("POST", f"/api/v1/cooperatives/{coop_id}/payments"),
        ("GET", f"/api/v1/cooperatives/{coop_id}/payments"),
    ]


# --- access -------------------------------------------------------------------------------------


def test_anonymous_callers_get_401_and_the_lot_detail_404(client, coop):
    lot = lot_of(coop)
    db.session.commit()
    for method, url in _routes(coop.id, lot.id):
        assert client.open(url, method=method, json={}).status_code == 401, url
    assert client.get(f"/api/v1/lots/{lot.id}").status_code == 404


@pytest.mark.parametrize("role", ["buyer", "official"])
def test_other_roles_are_forbidden_and_do_not_see_lot_detail(client, coop, make_user, bearer, role):
    lot = lot_of(coop)
    db.session.commit()
    headers = bearer(make_user(role))
    for method, url in _routes(coop.id, lot.id):
        assert client.open(url, method=method, json={}, headers=headers).status_code == 403, url
    assert client.get(f"/api/v1/lots/{lot.id}", headers=headers).status_code == 404


def test_manager_of_another_cooperative_gets_404(client, coop, make_user, bearer):
    lot = lot_of(coop, "5")
    household = member_of(coop)
    db.session.commit()
    headers = bearer(make_user("manager"))
    bodies = {
        "lots": {"product_code": "PT-BA-KICH-TUOI"},
        "collections": {"household_id": household.id, "quantity": "1", "unit_price_vnd": 1,
                        "collected_at": COLLECTED_AT},
        "transformations": {"process": "drying", "occurred_at": COLLECTED_AT,
                            "inputs": [{"lot_id": lot.id, "quantity": "1"}],
                            "output": {"product_code": "PT-BA-KICH-KHO", "quantity": "1"}},
        "payments": {"household_id": household.id, "amount_vnd": 5, "kind": "other",
                     "paid_at": COLLECTED_AT},
    }  # fmt: skip
    for method, url in _routes(coop.id, lot.id):
        body = bodies.get(url.rsplit("/", 1)[1]) if method == "POST" else None
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 404, (url, response.json)
        assert response.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/lots/{lot.id}", headers=headers).status_code == 404
    assert (count(Lot), count(Collection), count(Payment), count(Transformation)) == (1, 0, 0, 0)


# --- lots ---------------------------------------------------------------------------------------


def test_create_and_list_lots(client, coop, auth):
    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/lots",
        json={"product_code": "PT-BA-KICH-TUOI", "note": "Vụ đông"},
        headers=auth,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) >= {"id", "code", "product_code", "quantity_remaining"}
    assert body["product_code"] == "PT-BA-KICH-TUOI"
    assert body["quantity_remaining"] == "0.000"
    assert body["origin"] == "collection"
    lot_of(coop, "3", code="PT-BA-KICH-KHO")
    db.session.commit()

    listing = client.get(f"/api/v1/cooperatives/{coop.id}/lots?per_page=1", headers=auth).json
    assert (listing["total"], listing["per_page"], len(listing["items"])) == (2, 1, 1)
    stocked = client.get(f"/api/v1/cooperatives/{coop.id}/lots?with_stock=true", headers=auth).json
    assert [item["quantity_remaining"] for item in stocked["items"]] == ["3.000"]
    dried = client.get(
        f"/api/v1/cooperatives/{coop.id}/lots?product=PT-BA-KICH-KHO", headers=auth
    ).json
    assert dried["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "product_code"),
        ({"product_code": "NO-SUCH"}, "product_code"),
        ({"product_code": ""}, "product_code"),
        ({"product_code": "PT-BA-KICH-TUOI", "extra": 1}, "extra"),
    ],
)
def test_create_lot_with_bad_fields_is_422(client, coop, auth, body, field):
    response = client.post(f"/api/v1/cooperatives/{coop.id}/lots", json=body, headers=auth)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert count(Lot) == 0


# --- collections --------------------------------------------------------------------------------


def test_record_collection(client, coop, auth):
    lot = lot_of(coop)
    household = member_of(coop)
    db.session.commit()

    response = client.post(
        f"/api/v1/lots/{lot.id}/collections",
        json={
            "household_id": household.id,
            "quantity": 1.235,
            "unit_price_vnd": 10_001,
            "collected_at": COLLECTED_AT,
            "grade": "Loại 1",
            "moisture_pct": "62.5",
        },
        headers=auth,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert body["amount_vnd"] == 12_351
    assert body["quantity"] == "1.235"
    assert body["collected_at"].startswith("2026-03-10T02:30:00")
    assert body["household_id"] == household.id
    assert (count(Collection), count(Payment)) == (1, 1)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"quantity": 0}, 422, "quantity"),
        ({"quantity": "-1"}, 422, "quantity"),
        ({"quantity": "1.2345"}, 422, "quantity"),
        ({"quantity": True}, 422, "quantity"),
        ({"unit_price_vnd": -1}, 422, "unit_price_vnd"),
        ({"unit_price_vnd": "1000"}, 422, "unit_price_vnd"),
        ({"collected_at": "2026-03-10T09:30:00"}, 422, "collected_at"),  # no offset
        ({"collected_at": "0001-01-01T00:00:00+05:00"}, 422, "collected_at"),
        ({"collected_at": "2099-01-01T00:00:00+07:00"}, 409, "collected_at"),  # future
        ({"moisture_pct": "101"}, 422, "moisture_pct"),
        ({"moisture_pct": 100.01}, 422, "moisture_pct"),
        ({"moisture_pct": "-1"}, 422, "moisture_pct"),
        ({"moisture_pct": "12.345"}, 422, "moisture_pct"),  # 2 decimals at most
        ({"quantity": "1000000000.001"}, 422, "quantity"),  # the value chain's bound
        ({"quantity": "10000000000"}, 422, "quantity"),
        ({"quantity": 1000000000.01}, 422, "quantity"),
        ({"household_id": "1"}, 422, "household_id"),
        ({"household_id": 999_999}, 404, None),
    ],
)
def test_bad_collections_write_nothing(client, coop, auth, change, status, field):
    lot = lot_of(coop, "2")
    household = member_of(coop)
    db.session.commit()
    body = {
        "household_id": household.id,
        "quantity": "1",
        "unit_price_vnd": 1000,
        "collected_at": COLLECTED_AT,
        **change,
    }

    response = client.post(f"/api/v1/lots/{lot.id}/collections", json=body, headers=auth)

    assert response.status_code == status, response.json
    if field:
        assert field in response.json["errors"]
    assert (count(Collection), count(Payment), count(RECORD_ENTRIES)) == (0, 0, 0)
    assert db.session.get(Lot, lot.id).quantity_in == Decimal("2")


def _deliver(client, coop, auth, **change):
    """POST a delivery of 1 kg at 1,000 đồng into a new lot of the cooperative, with `change`."""
    lot = lot_of(coop)
    household = member_of(coop)
    db.session.commit()
    body = {
        "household_id": household.id,
        "quantity": "1",
        "unit_price_vnd": 1000,
        "collected_at": COLLECTED_AT,
        **change,
    }
    return client.post(f"/api/v1/lots/{lot.id}/collections", json=body, headers=auth)


@pytest.mark.parametrize(
    ("moisture", "kept"),
    [("100", "100.00"), (100, "100.00"), ("0", "0.00"), (13.555, "13.56"), ("99.99", "99.99")],
)
def test_moisture_from_0_to_100_with_2_decimals(client, coop, auth, moisture, kept):
    response = _deliver(client, coop, auth, moisture_pct=moisture)
    assert response.status_code == 201, response.json
    assert response.json["moisture_pct"] == kept


def test_a_delivery_of_the_value_chains_bound_is_taken(client, coop, auth):
    response = _deliver(client, coop, auth, quantity="1000000000.000")
    assert response.status_code == 201, response.json
    assert response.json["quantity"] == "1000000000.000"


def test_the_document_states_the_value_chains_bounds(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    quantities = [
        schemas["CollectionCreate"]["properties"]["quantity"],
        schemas["TransformationInput"]["properties"]["quantity"],
        schemas["TransformationOutput"]["properties"]["quantity"],
        schemas["Correction"]["properties"]["quantity"],
    ]
    for quantity in quantities:
        string, number = quantity["oneOf"]
        assert number["maximum"] == 1_000_000_000 and number["minimum"] == 0.001
        assert re.fullmatch(string["pattern"], "1000000000.000")
        assert not re.fullmatch(string["pattern"], "1000000000.001")
        assert not re.fullmatch(string["pattern"], "1000000001")
        assert not re.fullmatch(string["pattern"], "0.000")
    string, number = schemas["CollectionCreate"]["properties"]["moisture_pct"]["oneOf"]
    assert (number["minimum"], number["maximum"]) == (0, 100)
    assert [bool(re.fullmatch(string["pattern"], text)) for text in ("100", "100.00", "13.5")] == [
        True,
        True,
        True,
    ]
    assert not any(re.fullmatch(string["pattern"], text) for text in ("100.01", "101", "1.234"))


# --- transformations ----------------------------------------------------------------------------


def test_record_transformation(client, coop, auth):
    fresh = lot_of(coop, "100")
    db.session.commit()

    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations",
        json={
            "process": "drying",
            "occurred_at": COLLECTED_AT,
            "inputs": [{"lot_id": fresh.id, "quantity": "100"}],
            "output": {"product_code": "PT-BA-KICH-KHO", "quantity": 33.3},
        },
        headers=auth,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body["output_lot"]) >= {"id", "code"}
    output = db.session.get(Lot, body["output_lot"]["id"])
    assert output.quantity_remaining == Decimal("33.3")
    assert body["inputs"][0]["lot_code"] == fresh.code
    db.session.refresh(fresh)
    assert fresh.quantity_remaining == 0


def test_a_lot_given_twice_is_taken_once_for_the_sum(client, coop, auth):
    fresh = lot_of(coop, "100")
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations",
        json={
            "process": "drying",
            "occurred_at": COLLECTED_AT,
            "inputs": [
                {"lot_id": fresh.id, "quantity": "30"},
                {"lot_id": fresh.id, "quantity": 20},
            ],
            "output": {"product_code": "PT-BA-KICH-KHO", "quantity": "16"},
        },
        headers=auth,
    )
    assert response.status_code == 201, response.json
    assert [(i["lot_id"], i["quantity"]) for i in response.json["inputs"]] == [(fresh.id, "50.000")]
    db.session.refresh(fresh)
    assert fresh.quantity_remaining == Decimal("50")
    assert count(TransformationInput) == 1


def test_a_lot_given_twice_for_more_than_it_holds_is_409(client, coop, auth):
    fresh = lot_of(coop, "100")
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations",
        json={
            "process": "drying",
            "occurred_at": COLLECTED_AT,
            "inputs": [{"lot_id": fresh.id, "quantity": "1000000000"}] * 2,
            "output": {"product_code": "PT-BA-KICH-KHO", "quantity": "16"},
        },
        headers=auth,
    )
    assert response.status_code == 409, response.json
    assert count(Transformation) == 0


def test_transformation_taking_too_much_is_409_and_writes_nothing(client, coop, auth):
    enough, short = lot_of(coop, "10"), lot_of(coop, "3.5")
    db.session.commit()

    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations",
        json={
            "process": "sorting",
            "occurred_at": COLLECTED_AT,
            "inputs": [
                {"lot_id": enough.id, "quantity": "8"},
                {"lot_id": short.id, "quantity": "4"},
            ],
            "output": {"product_code": "PT-BA-KICH-TUOI", "quantity": "11"},
        },
        headers=auth,
    )

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    # the detail is a sentence for people, in their language (Vietnamese by default)
    assert short.code in response.json["detail"] and "3,5 kg" in response.json["detail"]
    assert (count(Transformation), count(TransformationInput), count(Lot)) == (0, 0, 2)
    remaining = dict(db.session.execute(select(Lot.id, Lot.quantity_remaining)).all())
    assert remaining == {enough.id: Decimal("10"), short.id: Decimal("3.5")}
    assert count(RECORD_ENTRIES) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"inputs": []},
        {"inputs": [{"lot_id": "x", "quantity": "1"}]},
        {"process": "smoking"},
        {"output": {"product_code": "PT-BA-KICH-KHO", "quantity": "0"}},
        {"occurred_at": "yesterday"},
        {"output": {"product_code": "PT-BA-KICH-KHO", "quantity": "1000000000.001"}},
        {"output": {"product_code": "PT-BA-KICH-KHO", "quantity": 1000000001}},
        {"inputs": [{"lot_id": 1, "quantity": "1000000001"}]},
    ],
)
def test_bad_transformations_are_422(client, coop, auth, change):
    lot = lot_of(coop, "10")
    db.session.commit()
    body = {
        "process": "drying",
        "occurred_at": COLLECTED_AT,
        "inputs": [{"lot_id": lot.id, "quantity": "1"}],
        "output": {"product_code": "PT-BA-KICH-KHO", "quantity": "1"},
        **change,
    }
    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations", json=body, headers=auth
    )
    assert response.status_code == 422
    assert response.json["errors"]
    assert count(Transformation) == 0


# --- lot detail ---------------------------------------------------------------------------------


def test_lot_detail_has_history_with_households_for_managers(client, coop, auth, make_user, bearer):
    household = member_of(coop, head_name="Triệu Văn Sinh")
    lot = lot_of(coop)
    db.session.commit()
    client.post(
        f"/api/v1/lots/{lot.id}/collections",
        json={"household_id": household.id, "quantity": "10", "unit_price_vnd": 100_000,
              "collected_at": COLLECTED_AT},
        headers=auth,
    )  # fmt: skip
    made = client.post(
        f"/api/v1/cooperatives/{coop.id}/transformations",
        json={"process": "drying", "occurred_at": COLLECTED_AT,
              "inputs": [{"lot_id": lot.id, "quantity": "6"}],
              "output": {"product_code": "PT-BA-KICH-KHO", "quantity": "2"}},
        headers=auth,
    ).json  # fmt: skip

    body = client.get(f"/api/v1/lots/{lot.id}", headers=auth).json
    assert body["code"] == lot.code
    assert body["quantity_in"] == "10.000" and body["quantity_remaining"] == "4.000"
    [collection] = body["collections"]
    assert collection["household_id"] == household.id
    assert collection["household_name"] == "Triệu Văn Sinh"
    assert collection["amount_vnd"] == 1_000_000
    assert body["produced_by"] is None
    [consumed] = body["consumed_by"]
    assert consumed["output_lot"]["code"] == made["output_lot"]["code"]
    assert consumed["quantity"] == "6.000"
    output = client.get(f"/api/v1/lots/{made['output_lot']['id']}", headers=auth).json
    assert output["produced_by"]["inputs"][0]["lot_code"] == lot.code
    assert output["collections"] == [] and output["allocations"] == []
    admin = client.get(f"/api/v1/lots/{lot.id}", headers=bearer(make_user("admin")))
    assert admin.status_code == 200
    reads = db.session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "read"))
    assert list(reads) == [str(lot.id), str(lot.id)]  # the lot naming households, twice


# --- payments -----------------------------------------------------------------------------------


def test_record_and_list_payments_with_totals(client, coop, manager, auth):
    household = member_of(coop)
    lot = lot_of(coop)
    db.session.commit()
    client.post(
        f"/api/v1/lots/{lot.id}/collections",
        json={"household_id": household.id, "quantity": "2", "unit_price_vnd": 50_000,
              "collected_at": "2026-01-31T20:00:00Z"},
        headers=auth,
    )  # fmt: skip

    response = client.post(
        f"/api/v1/cooperatives/{coop.id}/payments",
        json={"household_id": household.id, "amount_vnd": 300_000, "kind": "surplus",
              "paid_at": "2026-01-05T10:00:00+07:00", "note": "Chia lãi"},
        headers=auth,
    )  # fmt: skip
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "surplus" and response.json["amount_vnd"] == 300_000

    body = client.get(
        f"/api/v1/cooperatives/{coop.id}/payments?period_start=2026-01&period_end=2026-02",
        headers=auth,
    ).json
    assert body["total"] == 2
    totals = body["totals"]
    assert totals["by_kind"] == {
        "farmgate_vnd": 100_000,
        "surplus_vnd": 300_000,
        "other_vnd": 0,
        "total_vnd": 400_000,
    }
    assert [(m["month"], m["total_vnd"]) for m in totals["months"]] == [
        ("2026-01", 300_000),
        ("2026-02", 100_000),
    ]
    farmgate = client.get(
        f"/api/v1/cooperatives/{coop.id}/payments?period_start=2026-01&period_end=2026-02"
        "&kind=farmgate",
        headers=auth,
    ).json
    assert [p["kind"] for p in farmgate["items"]] == ["farmgate"]
    # bounds in reverse order name the same months; a long period is answered month by month
    backward = client.get(
        f"/api/v1/cooperatives/{coop.id}/payments?period_start=2026-02&period_end=2026-01",
        headers=auth,
    ).json
    assert backward == body
    century = client.get(
        f"/api/v1/cooperatives/{coop.id}/payments?period_start=2000-01&period_end=2099-12",
        headers=auth,
    ).json
    assert century["total"] == 2 and century["totals"]["by_kind"] == totals["by_kind"]
    assert len(century["totals"]["months"]) == 1200


def test_payment_list_takes_a_bounded_number_of_queries(client, coop, manager, auth):
    from linkage.services.valuechain import payments

    from ..factories_valuechain import WHEN

    for _ in range(12):
        payments.record_payment(manager, coop, member_of(coop).id, 1000, "other", WHEN)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(
            f"/api/v1/cooperatives/{coop.id}/payments?period_start=2026-03&per_page=50",
            headers=auth,
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and response.json["total"] == 12
    assert len(statements) <= 10, statements


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "farmgate"}, 422, "kind"),
        ({"amount_vnd": 0}, 422, "amount_vnd"),
        ({"amount_vnd": 1.5}, 422, "amount_vnd"),
        ({"paid_at": "2026-01-05"}, 422, "paid_at"),
        ({"household_id": 987_654}, 404, None),
    ],
)
def test_bad_payments_write_nothing(client, coop, auth, change, status, field):
    household = member_of(coop)
    db.session.commit()
    body = {
        "household_id": household.id,
        "amount_vnd": 1000,
        "kind": "other",
        "paid_at": COLLECTED_AT,
        **change,
    }
    response = client.post(f"/api/v1/cooperatives/{coop.id}/payments", json=body, headers=auth)
    assert response.status_code == status
    if field:
        assert field in response.json["errors"]
    assert count(Payment) == 0


@pytest.mark.parametrize(
    "query",
    ["period_start=2026-13", "period_end=1999-12", "kind=gift", "surprise=1"],
)  # fmt: skip
def test_bad_payment_queries_are_422(client, coop, auth, query):
    response = client.get(f"/api/v1/cooperatives/{coop.id}/payments?{query}", headers=auth)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
