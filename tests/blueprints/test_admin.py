"""Admin page of cooperatives: pending first, filter, paginate, approve and suspend."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from models import AuditEntry, Cooperative, CooperativeStatus

from ..factories import CooperativeFactory


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are checked in English (Vietnamese is the default language)."""
    with client.session_transaction() as session:
        session["locale"] = "en"


def _status(cooperative_id: int) -> CooperativeStatus:
    db.session.expire_all()
    return db.session.get(Cooperative, cooperative_id).status


def test_pending_cooperatives_come_first(client, login_as):
    login_as("admin")
    CooperativeFactory(name="A approved")
    CooperativeFactory(name="B pending", status=CooperativeStatus.PENDING)
    CooperativeFactory(name="C suspended", status=CooperativeStatus.SUSPENDED)
    db.session.commit()
    page = client.get("/admin/cooperatives").get_data(as_text=True)
    assert page.index("B pending") < page.index("A approved")
    assert page.index("B pending") < page.index("C suspended")


def test_filter_by_status_and_paginate(client, login_as):
    login_as("admin")
    for _ in range(26):
        CooperativeFactory()
    CooperativeFactory(name="Đang chờ duyệt", status=CooperativeStatus.PENDING)
    db.session.commit()
    page = client.get("/admin/cooperatives?status=pending").get_data(as_text=True)
    assert "Đang chờ duyệt" in page and "1 cooperative" in page
    first = client.get("/admin/cooperatives").get_data(as_text=True)
    assert "27 cooperatives" in first and 'rel="next"' in first
    assert 'rel="prev"' in client.get("/admin/cooperatives?page=2").get_data(as_text=True)
    assert "No cooperative has this status" in client.get(
        "/admin/cooperatives?status=suspended"
    ).get_data(as_text=True)


def test_empty_state(client, login_as):
    login_as("admin")
    assert "No cooperative is registered yet" in client.get("/admin/cooperatives").get_data(
        as_text=True
    )


def test_approve_and_suspend_with_a_reason(client, login_as):
    admin = login_as("admin")
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    db.session.commit()
    page = client.get("/admin/cooperatives").get_data(as_text=True)
    assert f'action="/admin/cooperatives/{pending.id}/approve' in page
    response = client.post(f"/admin/cooperatives/{pending.id}/approve", data={"reason": ""})
    assert response.status_code == 303
    assert _status(pending.id) == CooperativeStatus.APPROVED
    response = client.post(
        f"/admin/cooperatives/{pending.id}/suspend", data={"reason": "Giấy phép hết hạn"}
    )
    assert response.status_code == 303
    assert _status(pending.id) == CooperativeStatus.SUSPENDED
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.entity_type == "cooperative", AuditEntry.entity_id == str(pending.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.new_values["status"], e.reason, e.actor_id) for e in entries] == [
        ("approved", None, admin.id),
        ("suspended", "Giấy phép hết hạn", admin.id),
    ]


def test_a_too_long_reason_changes_nothing(client, login_as):
    login_as("admin")
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    db.session.commit()
    response = client.post(f"/admin/cooperatives/{pending.id}/approve", data={"reason": "x" * 1001})
    assert response.status_code == 303
    assert _status(pending.id) == CooperativeStatus.PENDING
    changes = db.select(db.func.count(AuditEntry.id)).where(AuditEntry.entity_type == "cooperative")
    assert db.session.scalar(changes) == 0


def test_a_missing_cooperative_is_404(client, login_as):
    login_as("admin")
    assert client.post("/admin/cooperatives/424242/approve", data={}).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/admin/cooperatives"),
        ("POST", "/admin/cooperatives/{c}/approve"),
        ("POST", "/admin/cooperatives/{c}/suspend"),
    ],
)
def test_only_admins_get_in(client, login_as, method, url):
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    db.session.commit()
    url = url.format(c=pending.id)
    anonymous = client.open(url, method=method)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("manager", "buyer", "official"):
        login_as(role)
        assert client.open(url, method=method).status_code == 403
    assert _status(pending.id) == CooperativeStatus.PENDING
