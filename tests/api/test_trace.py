"""Traceability API: lot trace, EPCIS export, mass balance; access route by route."""

from __future__ import annotations

import json

import pytest

from linkage.extensions import db
from linkage.services import trace as traces
from models import AuditAction, AuditEntry, CooperativeStatus

from ..factories import UserFactory
from ..factories_trace import build_chain
from ..services.test_epcis import _validator, assert_no_household, collection_parties, received
from ..services.test_trace import counted_queries


@pytest.fixture
def chain(app):
    built = build_chain()
    db.session.commit()
    return built


def _manager_of(chain, make_user):
    manager = make_user("manager")
    manager.cooperatives.append(chain.cooperative)
    db.session.commit()
    return manager


# --- GET /api/v1/lots/{id}/trace --------------------------------------------------------------


def test_anyone_gets_the_trace_without_households(client, chain):
    response = client.get(f"/api/v1/lots/{chain.dried.id}/trace")
    assert response.status_code == 200
    body = response.json
    assert body["lot"]["code"] == chain.dried.code
    assert body["households_named"] is False
    assert body["households"] is None  # 3 households: fewer than 10, suppressed
    assert [c["households"] for c in body["collected"]] == [None, None]
    # and so is the number of deliveries (1 would say 1 household), and every single delivery
    assert [c["collections"] for c in body["collected"]] == [None, None]
    assert [c["quantity"] for c in body["collected"]] == ["40.000", "20.000"]
    assert body["collections"] == []
    assert [s["buyer_name"] for s in body["shipments"]] == [None, None]
    assert [s["order_id"] for s in body["shipments"]] == [
        chain.order_dried.id,
        chain.order_packed.id,
    ]
    assert body["upstream"][0]["process"] == "drying"
    assert body["upstream"][0]["yield_ratio"] == "0.3000"
    assert body["upstream"][0]["inputs"][0]["quantity"] == "40.000"
    assert body["downstream"][0]["process"] == "packing"
    assert body["cooperative"]["region"] == "mountain"
    assert {c["number"] for c in body["certifications"]} == {
        chain.gacp.number,
        chain.expired.number,
    }
    text = response.get_data(as_text=True)
    for household in chain.households:
        assert household.head_name not in text
        assert household.code not in text


def test_its_managers_get_households_named_and_the_read_is_audited(
    client, chain, make_user, bearer
):
    manager = _manager_of(chain, make_user)
    headers = bearer(manager)  # before counting: the token's issue is audited too
    before = db.session.query(AuditEntry).count()
    response = client.get(f"/api/v1/lots/{chain.dried.id}/trace", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["households_named"] is True
    assert body["households"] == 3
    assert [c["collections"] for c in body["collected"]] == [2, 1]
    assert [c["household"]["head_name"] for c in body["collections"]] == [
        "Triệu Thị Mai",
        "Bàn Văn Sơn",
        "Đặng Thị Hoa",
    ]
    assert body["shipments"][0]["buyer_name"] == chain.buyer.buyer_organisation.name
    assert db.session.query(AuditEntry).count() == before + 1


def test_other_managers_and_buyers_get_the_public_trace(client, chain, make_user, bearer):
    for role in ("manager", "buyer", "official"):
        response = client.get(
            f"/api/v1/lots/{chain.dried.id}/trace", headers=bearer(make_user(role))
        )
        assert response.status_code == 200, role
        assert response.json["households_named"] is False
        assert response.json["collections"] == []


@pytest.mark.parametrize("more", [8, 9])
def test_ten_households_or_more_are_counted_publicly(client, chain, more):
    from ..factories import HouseholdFactory
    from ..factories_trace import JAN, collect

    for _ in range(more):
        collect(chain.fresh_b, HouseholdFactory(), "1", JAN)
    db.session.commit()
    body = client.get(f"/api/v1/lots/{chain.dried.id}/trace").json
    assert body["households"] == 3 + more
    # fresh_a: 2 households (suppressed); fresh_b: 9 (suppressed) or 10
    if more == 9:
        assert [c["households"] for c in body["collected"]] == [None, 10]
        assert [c["collections"] for c in body["collected"]] == [None, 10]
    else:
        assert [c["households"] for c in body["collected"]] == [None, None]
        assert [c["collections"] for c in body["collected"]] == [None, None]
    assert body["collections"] == []


def test_lots_of_cooperatives_not_approved_are_404_unless_managed(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    chain.cooperative.status = CooperativeStatus.PENDING
    db.session.commit()
    url = f"/api/v1/lots/{chain.dried.id}/trace"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(make_user("manager"))).status_code == 404
    assert client.get(url, headers=bearer(manager)).status_code == 200
    assert client.get(url, headers=bearer(make_user("admin"))).status_code == 200
    missing = client.get("/api/v1/lots/424242/trace")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_the_trace_of_a_thousand_collections_takes_a_bounded_number_of_queries(client, chain):
    from datetime import timedelta

    from ..factories import HouseholdFactory
    from ..factories_trace import JAN, collect

    households = [HouseholdFactory() for _ in range(12)]
    for index in range(1000):
        collect(chain.fresh_a, households[index % 12], "1", JAN + timedelta(minutes=index))
    db.session.commit()
    lot_id = chain.packed.id
    with counted_queries() as statements:
        response = client.get(f"/api/v1/lots/{lot_id}/trace")
    assert response.status_code == 200
    assert response.json["collections"] == []
    assert response.json["collected"][0]["collections"] == 1002
    assert response.json["households"] == 15
    assert len([s for s in statements if s.strip().upper() != "BEGIN"]) <= 12


# --- GET /api/v1/lots/{id}/epcis --------------------------------------------------------------


def _document(response):
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    return json.loads(response.get_data(as_text=True))


def _assert_valid(document):
    errors = list(_validator().iter_errors(document))
    assert errors == [], [e.message for e in errors[:5]]


@pytest.mark.parametrize("which", ["fresh_b", "dried", "packed"])
def test_the_public_epcis_validates_and_names_only_the_cooperative(client, chain, which):
    lot = getattr(chain, which)
    response = client.get(f"/api/v1/lots/{lot.id}/epcis")
    document = _document(response)
    _assert_valid(document)
    events = document["epcisBody"]["eventList"]
    assert events
    assert all(e["eventTimeZoneOffset"] == "+07:00" for e in events)
    # identifiers are under the site's own root
    cooperative = f"http://localhost/id/cooperative/{chain.cooperative.id}"
    assert events[0]["readPoint"]["id"] == cooperative
    assert collection_parties(document) == {cooperative}
    assert len(received(document)) == (1 if which == "fresh_b" else 2)
    assert_no_household(document, chain.households)
    # the same URL answers others otherwise: caches key on the caller, may keep this one
    assert {"Cookie", "Authorization"} <= set(response.vary)
    assert not response.cache_control.no_store
    assert not response.cache_control.private


def test_others_get_the_public_epcis(client, chain, make_user, bearer):
    public = _document(client.get(f"/api/v1/lots/{chain.dried.id}/epcis"))
    for role in ("manager", "buyer", "official"):
        response = client.get(
            f"/api/v1/lots/{chain.dried.id}/epcis", headers=bearer(make_user(role))
        )
        document = _document(response)
        assert document["epcisBody"] == public["epcisBody"], role
        assert not response.cache_control.no_store


def test_its_managers_get_a_pseudonym_per_household_in_this_lot(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    headers = bearer(manager)  # before counting: the token's issue is audited too
    before = db.session.query(AuditEntry).count()
    response = client.get(f"/api/v1/lots/{chain.dried.id}/epcis", headers=headers)
    document = _document(response)
    _assert_valid(document)
    assert [e["quantityList"][0]["quantity"] for e in received(document)] == [30, 10, 20]
    secret = client.application.config["SECRET_KEY"]
    assert collection_parties(document) == {
        f"http://localhost/id/party/{traces.party_id(secret, chain.dried.id, h.id)}"
        for h in chain.households
    }
    assert_no_household(document, chain.households)
    assert {"Cookie", "Authorization"} <= set(response.vary)
    assert response.cache_control.private and response.cache_control.no_store
    entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert len(entries) == before + 1
    assert (entries[-1].action, entries[-1].entity_id) == (AuditAction.EXPORT, str(chain.dried.id))
    # another lot's export: other pseudonyms for the same households
    other = _document(client.get(f"/api/v1/lots/{chain.packed.id}/epcis", headers=bearer(manager)))
    assert collection_parties(other).isdisjoint(collection_parties(document))
    # the admin gets it too
    admin = _document(
        client.get(f"/api/v1/lots/{chain.dried.id}/epcis", headers=bearer(make_user("admin")))
    )
    assert collection_parties(admin) == collection_parties(document)


def test_a_session_does_not_sign_in_to_the_api_epcis(client, chain, login_as):
    """The browser's way to the managers' document is the manager page (no CSRF on the API)."""
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    db.session.commit()
    response = client.get(f"/api/v1/lots/{chain.dried.id}/epcis")
    cooperative = f"http://localhost/id/cooperative/{chain.cooperative.id}"
    assert collection_parties(_document(response)) == {cooperative}
    assert {"Cookie", "Authorization"} <= set(response.vary)


def test_the_epcis_export_is_only_for_approved_cooperatives(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    chain.cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    url = f"/api/v1/lots/{chain.dried.id}/epcis"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(manager)).status_code == 404
    assert client.get("/api/v1/lots/424242/epcis").status_code == 404


def test_the_openapi_documents_the_json_ld_answer_and_who_gets_which(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/lots/{lot_id}/epcis"]["get"]
    answer = operation["responses"]["200"]
    assert "application/ld+json" in answer["content"]
    assert "Vary: Cookie, Authorization" in answer["description"]
    assert operation["security"] == [{}, {"bearerAuth": []}]  # a token is optional
    described = " ".join(operation["description"].split())
    assert (
        "Anyone (anonymous, or not a manager of the lot's cooperative) gets the public" in described
    )
    assert "The cooperative's managers and admins (bearer token) get" in described
    assert "pseudonym in this lot's export" in described
    assert "/api/v1/lots/{lot_id}/trace" in spec["paths"]
    assert "/api/v1/cooperatives/{cooperative_id}/mass-balance" in spec["paths"]


# --- GET /api/v1/cooperatives/{id}/mass-balance -----------------------------------------------


def test_mass_balance_for_its_manager(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    url = f"/api/v1/cooperatives/{chain.cooperative.id}/mass-balance"
    response = client.get(url, headers=bearer(manager))
    assert response.status_code == 200
    body = response.json
    assert body["totals"] == [
        {
            "unit": "kg",
            "lots": 4,
            "flagged_lots": 0,
            "collected": "60.000",
            "produced": "30.000",
            "consumed": "72.000",
            "shipped": "9.000",
            "remaining": "9.000",
        }
    ]
    assert body["lots"]["total"] == 4
    dried = next(row for row in body["lots"]["items"] if row["code"] == chain.dried.code)
    assert (dried["produced"], dried["consumed"], dried["shipped"], dried["remaining"]) == (
        "18.000",
        "12.000",
        "4.000",
        "2.000",
    )
    assert dried["flags"] == []
    drying = next(row for row in body["yields"] if row["process"] == "drying")
    assert drying["yield_ratio"] == "0.3000"
    assert body["impossible_yields"] == []
    flagged = client.get(url + "?flagged=true", headers=bearer(manager)).json
    assert flagged["lots"]["total"] == 0


def test_mass_balance_access(client, chain, make_user, bearer):
    url = f"/api/v1/cooperatives/{chain.cooperative.id}/mass-balance"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(make_user("buyer"))).status_code == 403
    assert client.get(url, headers=bearer(make_user("official"))).status_code == 403
    assert client.get(url, headers=bearer(make_user("manager"))).status_code == 404
    assert client.get(url, headers=bearer(make_user("admin"))).status_code == 200
    bad = client.get(url + "?per_page=500", headers=bearer(make_user("admin")))
    assert bad.status_code == 422


def test_mass_balance_of_another_cooperative_is_404_for_a_manager(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    other = UserFactory(role="manager").cooperatives[0]
    db.session.commit()
    url = f"/api/v1/cooperatives/{other.id}/mass-balance"
    assert client.get(url, headers=bearer(manager)).status_code == 404
