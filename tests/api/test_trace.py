"""Traceability API: lot trace, EPCIS export, mass balance; access route by route."""

from __future__ import annotations

import json

import pytest

from linkage.extensions import db
from models import AuditEntry, CooperativeStatus

from ..factories import UserFactory
from ..factories_trace import build_chain
from ..services.test_epcis import _validator, assert_no_household
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
    assert [c["household"] for c in body["collections"]] == [None, None, None]
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
    before = db.session.query(AuditEntry).count()
    response = client.get(f"/api/v1/lots/{chain.dried.id}/trace", headers=bearer(manager))
    assert response.status_code == 200
    body = response.json
    assert body["households_named"] is True
    assert body["households"] == 3
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
        assert response.json["collections"][0]["household"] is None


def test_ten_households_or_more_are_counted_publicly(client, chain):
    from ..factories import HouseholdFactory
    from ..factories_trace import JAN, collect

    for _ in range(9):
        collect(chain.fresh_b, HouseholdFactory(), "1", JAN)
    db.session.commit()
    body = client.get(f"/api/v1/lots/{chain.dried.id}/trace").json
    assert body["households"] == 12
    # fresh_a: 2 households (suppressed); fresh_b: 10
    assert [c["households"] for c in body["collected"]] == [None, 10]


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
    assert len(response.json["collections"]) == 1003
    assert response.json["households"] == 15
    assert len([s for s in statements if s.strip().upper() != "BEGIN"]) <= 12


# --- GET /api/v1/lots/{id}/epcis --------------------------------------------------------------


@pytest.mark.parametrize("which", ["fresh_b", "dried", "packed"])
def test_the_epcis_export_validates_and_names_no_household(client, chain, which):
    validator = _validator()
    lot = getattr(chain, which)
    response = client.get(f"/api/v1/lots/{lot.id}/epcis")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    errors = list(validator.iter_errors(document))
    assert errors == [], [e.message for e in errors[:5]]
    events = document["epcisBody"]["eventList"]
    assert events
    assert all(e["eventTimeZoneOffset"] == "+07:00" for e in events)
    # identifiers are under the site's own root
    assert events[0]["readPoint"]["id"].startswith("http://localhost/id/cooperative/")
    assert_no_household(document, chain.households)


def test_the_epcis_export_is_only_for_approved_cooperatives(client, chain, make_user, bearer):
    manager = _manager_of(chain, make_user)
    chain.cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    url = f"/api/v1/lots/{chain.dried.id}/epcis"
    assert client.get(url).status_code == 404
    assert client.get(url, headers=bearer(manager)).status_code == 404
    assert client.get("/api/v1/lots/424242/epcis").status_code == 404


def test_the_openapi_documents_the_json_ld_answer(client):
    spec = client.get("/api/v1/openapi.json").json
    answer = spec["paths"]["/api/v1/lots/{lot_id}/epcis"]["get"]["responses"]["200"]
    assert "application/ld+json" in answer["content"]
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
