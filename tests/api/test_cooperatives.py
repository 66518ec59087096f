"""Cooperatives API: public list and detail (approved only); admins create, approve, suspend."""

from __future__ import annotations

from linkage.extensions import db
from models import AuditEntry, Cooperative, CooperativeStatus

from ..factories import CooperativeFactory

NEW = {
    "name": "HTX Chè Long Cốc",
    "commune_code": "08914",
    "registration_no": "2501-000123",
    "description": "Chè xanh đồi Long Cốc.",
}


def test_list_shows_only_approved_cooperatives(client):
    approved = CooperativeFactory(status=CooperativeStatus.APPROVED)
    CooperativeFactory(status=CooperativeStatus.PENDING)
    CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    db.session.commit()
    body = client.get("/api/v1/cooperatives").json
    assert body["total"] == 1
    assert [c["id"] for c in body["items"]] == [approved.id]
    item = body["items"][0]
    assert item["commune_code"] == "08914"
    assert item["region"] == "mountain"
    assert item["status"] == "approved"
    assert set(item) >= {"id", "name", "commune_code", "region", "description", "status"}


def test_list_is_paginated_in_the_envelope(client):
    for _ in range(5):
        CooperativeFactory()
    db.session.commit()
    body = client.get("/api/v1/cooperatives?page=2&per_page=2").json
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert len(body["items"]) == 2
    assert client.get("/api/v1/cooperatives?page=4&per_page=2").json["items"] == []


def test_list_filters_by_region(client):
    CooperativeFactory(commune_code="08914")  # mountain
    CooperativeFactory(commune_code="07900")  # Việt Trì ward, urban
    db.session.commit()
    body = client.get("/api/v1/cooperatives?region=urban").json
    assert [c["commune_code"] for c in body["items"]] == ["07900"]


def test_list_takes_a_bounded_number_of_queries(client, app):
    from sqlalchemy import event

    for _ in range(15):
        CooperativeFactory()
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/api/v1/cooperatives?per_page=15").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 5, statements


def test_detail_of_pending_or_missing_cooperative_is_404(client):
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    db.session.commit()
    assert client.get(f"/api/v1/cooperatives/{pending.id}").status_code == 404
    assert client.get("/api/v1/cooperatives/424242").status_code == 404


def test_admin_creates_an_approved_cooperative(client, make_user, bearer):
    admin = make_user("admin")
    response = client.post("/api/v1/cooperatives", json=NEW, headers=bearer(admin))
    assert response.status_code == 201
    assert response.json["status"] == "approved"
    assert response.json["name"] == NEW["name"]
    created = db.session.get(Cooperative, response.json["id"])
    assert created.registration_no == NEW["registration_no"]
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "cooperative")
    ).one()
    assert entry.actor_id == admin.id
    assert entry.new_values["name"] == NEW["name"]


def test_duplicate_registration_number_is_409_and_writes_nothing(client, make_user, bearer):
    headers = bearer(make_user("admin"))
    assert client.post("/api/v1/cooperatives", json=NEW, headers=headers).status_code == 201
    again = client.post("/api/v1/cooperatives", json={**NEW, "name": "Khác"}, headers=headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert "registration_no" in again.json["errors"]
    assert db.session.scalar(db.select(db.func.count(Cooperative.id))) == 1


def test_invalid_fields_are_422_and_write_nothing(client, make_user, bearer):
    headers = bearer(make_user("admin"))
    bad = {**NEW, "commune_code": "99999", "name": ""}
    response = client.post("/api/v1/cooperatives", json=bad, headers=headers)
    assert response.status_code == 422
    assert "name" in response.json["errors"]
    response = client.post(
        "/api/v1/cooperatives", json={**NEW, "commune_code": "99999"}, headers=headers
    )
    assert response.status_code == 422
    assert "commune_code" in response.json["errors"]
    response = client.post("/api/v1/cooperatives", json={**NEW, "extra": 1}, headers=headers)
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Cooperative.id))) == 0


def test_only_admins_create_cooperatives(client, make_user, bearer):
    for role in ("manager", "buyer", "official"):
        response = client.post("/api/v1/cooperatives", json=NEW, headers=bearer(make_user(role)))
        assert response.status_code == 403
    assert client.post("/api/v1/cooperatives", json=NEW).status_code == 401
    assert (
        db.session.scalar(
            db.select(db.func.count(Cooperative.id)).where(Cooperative.name == NEW["name"])
        )
        == 0
    )


def test_admin_approves_and_suspends(client, make_user, bearer):
    headers = bearer(make_user("admin"))
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    db.session.commit()
    response = client.post(f"/api/v1/cooperatives/{pending.id}/approve", json={}, headers=headers)
    assert response.status_code == 200
    assert response.json["status"] == "approved"
    assert client.get(f"/api/v1/cooperatives/{pending.id}").status_code == 200
    response = client.post(
        f"/api/v1/cooperatives/{pending.id}/suspend",
        json={"reason": "Giấy phép hết hạn"},
        headers=headers,
    )
    assert response.json["status"] == "suspended"
    assert client.get(f"/api/v1/cooperatives/{pending.id}").status_code == 404
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.entity_type == "cooperative", AuditEntry.entity_id == str(pending.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.old_values["status"], e.new_values["status"]) for e in entries] == [
        ("pending", "approved"),
        ("approved", "suspended"),
    ]
    assert entries[1].reason == "Giấy phép hết hạn"


def test_approving_a_missing_cooperative_is_404(client, make_user, bearer):
    response = client.post(
        "/api/v1/cooperatives/4242/approve", json={}, headers=bearer(make_user("admin"))
    )
    assert response.status_code == 404


def test_managers_cannot_approve(client, make_user, bearer):
    manager = make_user("manager")
    own = manager.cooperatives[0]
    own.status = CooperativeStatus.PENDING
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{own.id}/approve", json={}, headers=bearer(manager)
    )
    assert response.status_code == 403
    assert db.session.get(Cooperative, own.id).status == CooperativeStatus.PENDING
