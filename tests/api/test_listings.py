"""Listings API: managers create, change and list their cooperative's listings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from linkage.extensions import db
from models import AuditEntry, CooperativeStatus, Listing, ListingStatus

from ..audit_entries import RECORD_ENTRIES
from ..factories import CooperativeFactory
from ..factories_listings import CertificationFactory, ListingFactory

NEW = {
    "product_code": "PT-BA-KICH-KHO",
    "title": "Ba kích khô rút lõi Đạo Trù - loại 1",
    "description": "Củ ba kích tím 3 năm tuổi.",
    "grade": "Loại 1",
    "unit_price_vnd": 520000,
    "quantity_available": "180.5",
    "min_order_quantity": 5,
    "harvest_start": "2025-10-01",
    "harvest_end": "2026-03-31",
    "status": "active",
}


def _listings() -> int:
    return db.session.scalar(db.select(db.func.count(Listing.id)))


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def test_manager_creates_a_listing(client, manager, bearer):
    cooperative = manager.cooperatives[0]
    certificate = CertificationFactory(cooperative=cooperative)
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings",
        json={**NEW, "certifications": [certificate.id]},
        headers=bearer(manager),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["cooperative_id"] == cooperative.id
    assert body["product_code"] == "PT-BA-KICH-KHO"
    assert body["quantity_available"] == "180.500"
    assert body["min_order_quantity"] == "5.000"
    assert body["unit_price_vnd"] == 520000
    assert body["status"] == "active"
    assert body["harvest_end"] == "2026-03-31"
    assert body["certifications"] == [
        {
            "id": certificate.id,
            "kind": "gacp_who",
            "number": certificate.number,
            "valid_from": "2025-01-01",
            "valid_to": "2028-01-01",
        }
    ]
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "listing")
    ).one()
    assert entry.entity_id == str(body["id"])


def test_a_new_listing_is_a_draft_by_default(client, manager, bearer):
    data = {k: v for k, v in NEW.items() if k != "status"}
    response = client.post(
        f"/api/v1/cooperatives/{manager.cooperatives[0].id}/listings",
        json=data,
        headers=bearer(manager),
    )
    assert response.json["status"] == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"unit_price_vnd": -1}, "unit_price_vnd"),
        ({"unit_price_vnd": "520000"}, "unit_price_vnd"),
        ({"quantity_available": "-1"}, "quantity_available"),
        ({"quantity_available": "abc"}, "quantity_available"),
        ({"quantity_available": "1.0001"}, "quantity_available"),
        ({"min_order_quantity": 0}, "min_order_quantity"),
        ({"status": "sold_out"}, "status"),
        ({"certifications": ["1"]}, "certifications"),
        ({"product_code": "PT-NO-SUCH"}, "product_code"),
        ({"title": "nul\x00"}, "title"),
        ({"colour": "purple"}, "colour"),
    ],
)
def test_invalid_fields_are_422_and_write_nothing(client, manager, bearer, change, field):
    response = client.post(
        f"/api/v1/cooperatives/{manager.cooperatives[0].id}/listings",
        json={**NEW, **change},
        headers=bearer(manager),
    )
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert _listings() == 0


def test_certifications_of_another_cooperative_are_refused(client, manager, bearer):
    foreign = CertificationFactory()
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{manager.cooperatives[0].id}/listings",
        json={**NEW, "certifications": [foreign.id]},
        headers=bearer(manager),
    )
    assert response.status_code == 404  # not the caller's to name
    assert "certifications" in response.json["errors"]
    assert _listings() == 0


def test_a_pending_cooperative_cannot_put_a_listing_on_sale(client, manager, bearer):
    cooperative = manager.cooperatives[0]
    cooperative.status = CooperativeStatus.PENDING
    db.session.commit()
    url = f"/api/v1/cooperatives/{cooperative.id}/listings"
    response = client.post(url, json=NEW, headers=bearer(manager))
    assert response.status_code == 409
    assert _listings() == 0
    response = client.post(url, json={**NEW, "status": "draft"}, headers=bearer(manager))
    assert response.status_code == 201


def test_access_to_create(client, manager, make_user, bearer):
    other = make_user("manager").cooperatives[0]
    assert client.post(f"/api/v1/cooperatives/{other.id}/listings", json=NEW).status_code == 401
    response = client.post(
        f"/api/v1/cooperatives/{other.id}/listings", json=NEW, headers=bearer(manager)
    )
    assert response.status_code == 404
    for role in ("buyer", "official"):
        response = client.post(
            f"/api/v1/cooperatives/{other.id}/listings",
            json=NEW,
            headers=bearer(make_user(role)),
        )
        assert response.status_code == 403
    assert _listings() == 0
    response = client.post(
        f"/api/v1/cooperatives/{other.id}/listings", json=NEW, headers=bearer(make_user("admin"))
    )
    assert response.status_code == 201


def test_patch_changes_the_given_fields(client, manager, bearer):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    response = client.patch(
        f"/api/v1/listings/{listing.id}",
        json={"unit_price_vnd": 480000, "quantity_available": "0"},
        headers=bearer(manager),
    )
    assert response.status_code == 200, response.json
    assert response.json["unit_price_vnd"] == 480000
    assert response.json["quantity_available"] == "0.000"
    assert response.json["status"] == "sold_out"
    assert response.json["title"] == listing.title


def test_patch_status_follows_the_transitions(client, manager, bearer):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    headers = bearer(manager)
    url = f"/api/v1/listings/{listing.id}"
    assert client.patch(url, json={"status": "paused"}, headers=headers).json["status"] == "paused"
    refused = client.patch(url, json={"status": "draft", "title": "X"}, headers=headers)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert db.session.get(Listing, listing.id).title != "X"  # nothing of the request was kept
    assert client.patch(url, json={"status": "archived"}, headers=headers).status_code == 200
    again = client.patch(url, json={"status": "active"}, headers=headers)
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == ListingStatus.ARCHIVED


def test_patch_refuses_invalid_values(client, manager, bearer):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    headers = bearer(manager)
    url = f"/api/v1/listings/{listing.id}"
    for change, field in (
        ({"min_order_quantity": "0"}, "min_order_quantity"),
        ({"title": ""}, "title"),
        ({"status": "unknown"}, "status"),
    ):
        response = client.patch(url, json=change, headers=headers)
        assert response.status_code == 422
        assert field in response.json["errors"]
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).min_order_quantity == listing.min_order_quantity
    assert db.session.scalar(db.select(db.func.count()).select_from(RECORD_ENTRIES)) == 0


def test_a_harvest_window_given_in_reverse_is_read_in_order(client, manager, bearer):
    response = client.post(
        f"/api/v1/cooperatives/{manager.cooperatives[0].id}/listings",
        json={**NEW, "harvest_start": "2026-03-31", "harvest_end": "2025-10-01"},
        headers=bearer(manager),
    )
    assert response.status_code == 201, response.json
    assert (response.json["harvest_start"], response.json["harvest_end"]) == (
        "2025-10-01",
        "2026-03-31",
    )


@pytest.mark.parametrize(
    ("change", "window"),
    [
        # both bounds, reversed
        (
            {"harvest_start": "2026-02-01", "harvest_end": "2026-01-01"},
            ("2026-01-01", "2026-02-01"),
        ),
        # one bound, compared with the listing's other one (2025-10-01 .. 2026-03-31)
        ({"harvest_end": "2025-09-30"}, ("2025-09-30", "2025-10-01")),
        ({"harvest_start": "2026-04-15"}, ("2026-03-31", "2026-04-15")),
        ({"harvest_start": "2026-01-01"}, ("2026-01-01", "2026-03-31")),  # in order: as given
        ({"harvest_start": None, "harvest_end": "2025-01-01"}, (None, "2025-01-01")),
    ],
)
def test_patch_puts_a_reversed_harvest_window_in_order(client, manager, bearer, change, window):
    listing = ListingFactory(
        cooperative=manager.cooperatives[0],
        harvest_start=date(2025, 10, 1),
        harvest_end=date(2026, 3, 31),
    )
    db.session.commit()
    response = client.patch(f"/api/v1/listings/{listing.id}", json=change, headers=bearer(manager))
    assert response.status_code == 200, response.json
    assert (response.json["harvest_start"], response.json["harvest_end"]) == window


def test_the_document_describes_the_harvest_window(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for name in ("ListingCreate", "ListingUpdate"):
        for field in ("harvest_start", "harvest_end"):
            description = schemas[name]["properties"][field]["description"]
            assert "reverse order" in description


def test_access_to_patch(client, manager, make_user, bearer):
    listing = ListingFactory(cooperative=make_user("manager").cooperatives[0])
    db.session.commit()
    url = f"/api/v1/listings/{listing.id}"
    change = {"title": "Taken over"}
    assert client.patch(url, json=change).status_code == 401
    assert client.patch(url, json=change, headers=bearer(manager)).status_code == 404
    assert (
        client.patch("/api/v1/listings/424242", json=change, headers=bearer(manager)).status_code
        == 404
    )
    for role in ("buyer", "official"):
        assert client.patch(url, json=change, headers=bearer(make_user(role))).status_code == 403
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).title != "Taken over"
    assert client.patch(url, json=change, headers=bearer(make_user("admin"))).status_code == 200


def test_manager_lists_every_status_paginated(client, manager, bearer):
    cooperative = manager.cooperatives[0]
    for status in ListingStatus:
        ListingFactory(cooperative=cooperative, status=status)
    ListingFactory(cooperative=CooperativeFactory())
    db.session.commit()
    headers = bearer(manager)
    url = f"/api/v1/cooperatives/{cooperative.id}/listings"
    body = client.get(f"{url}?per_page=2&page=3", headers=headers).json
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (5, 3, 2, 1)
    body = client.get(f"{url}?status=archived", headers=headers).json
    assert [item["status"] for item in body["items"]] == ["archived"]
    assert client.get(f"{url}?status=nope", headers=headers).status_code == 422


def test_access_to_the_managers_list(client, manager, make_user, bearer):
    other = make_user("manager").cooperatives[0]
    url = f"/api/v1/cooperatives/{other.id}/listings"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(manager)).status_code == 404
    assert client.get(url, headers=bearer(make_user("buyer"))).status_code == 403
    assert client.get(url, headers=bearer(make_user("admin"))).status_code == 200


def test_the_list_takes_a_bounded_number_of_queries(client, manager, bearer):
    cooperative = manager.cooperatives[0]
    certificates = [CertificationFactory(cooperative=cooperative) for _ in range(3)]
    for _ in range(20):
        ListingFactory(cooperative=cooperative, certifications=certificates)
    db.session.commit()
    headers = bearer(manager)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(
            f"/api/v1/cooperatives/{cooperative.id}/listings?per_page=20", headers=headers
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert len(response.json["items"]) == 20
    assert len(statements) <= 10, "\n".join(statements)  # auth, scope, count, page, eager loads


@pytest.mark.parametrize(
    "quantity", [-1.7976931348623157e308, 1e300, 10**40, 10**400, "1e5", " 12"]
)
def test_absurd_quantities_are_422_not_a_server_error(client, manager, bearer, quantity):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    response = client.patch(
        f"/api/v1/listings/{listing.id}",
        json={"quantity_available": quantity},
        headers=bearer(manager),
    )
    assert response.status_code == 422
    assert "quantity_available" in response.json["errors"]
