"""Admin page of cooperatives: pending first, filter, paginate, approve and suspend."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from models import AuditEntry, Cooperative, CooperativeStatus, ListingStatus

from ..factories import CooperativeFactory, ListingFactory


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
        f"/admin/cooperatives/{pending.id}/suspend",
        data={"reason": "Giấy phép hết hạn", "confirm": "yes"},
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
        ("GET", "/admin/cooperatives/{c}/suspend"),
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
        assert client.open(url, method=method, data={"confirm": "yes"}).status_code == 403
    assert _status(pending.id) == CooperativeStatus.PENDING


def test_suspending_asks_for_confirmation_first(client, login_as):
    """The list links to a confirmation page that says what a suspension hides; only its
    form (confirm=yes) suspends."""
    login_as("admin")
    approved = CooperativeFactory(name="HTX Chè Long Cốc")
    ListingFactory(cooperative=approved)
    ListingFactory(cooperative=approved)
    ListingFactory(cooperative=approved, status=ListingStatus.DRAFT)  # not seen by buyers
    db.session.commit()
    page = client.get("/admin/cooperatives").get_data(as_text=True)
    confirm_url = f"/admin/cooperatives/{approved.id}/suspend"
    assert f'href="{confirm_url}"' in page
    assert f'action="{confirm_url}' not in page  # no one-click suspension on the list

    confirmation = client.get(confirm_url)
    assert confirmation.status_code == 200
    html = confirmation.get_data(as_text=True)
    assert "Suspend “HTX Chè Long Cốc”?" in html
    assert "its 2 listings on sale" in html
    assert 'name="confirm" type="hidden" value="yes"' in html
    assert _status(approved.id) == CooperativeStatus.APPROVED  # looking changes nothing

    response = client.post(confirm_url, data={"confirm": "yes", "reason": "Hết hạn"})
    assert response.status_code == 303
    assert _status(approved.id) == CooperativeStatus.SUSPENDED


@pytest.mark.parametrize("data", [{}, {"reason": "Hết hạn"}, {"confirm": "no"}])
def test_a_suspension_without_confirmation_only_shows_the_page(client, login_as, data):
    login_as("admin")
    approved = CooperativeFactory()
    db.session.commit()
    response = client.post(f"/admin/cooperatives/{approved.id}/suspend?status=approved", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/admin/cooperatives/{approved.id}/suspend?status=approved"
    )
    assert _status(approved.id) == CooperativeStatus.APPROVED
    changes = db.select(db.func.count(AuditEntry.id)).where(AuditEntry.entity_type == "cooperative")
    assert db.session.scalar(changes) == 0


def test_the_confirmation_page_in_vietnamese(client, login_as):
    login_as("admin")
    client.get("/language/vi")
    approved = CooperativeFactory(name="HTX Bưởi")
    db.session.commit()
    html = client.get(f"/admin/cooperatives/{approved.id}/suspend").get_data(as_text=True)
    assert "Tạm đình chỉ “HTX Bưởi”?" in html


def test_the_confirmation_of_a_missing_cooperative_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/cooperatives/424242/suspend").status_code == 404
    assert client.post("/admin/cooperatives/424242/suspend", data={}).status_code == 404


def test_the_confirmation_of_a_suspended_cooperative_offers_nothing_to_do(client, login_as):
    login_as("admin")
    suspended = CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    db.session.commit()
    html = client.get(f"/admin/cooperatives/{suspended.id}/suspend").get_data(as_text=True)
    assert "This cooperative is already suspended." in html
    assert 'name="confirm"' not in html
