"""The authentication and access log: logins, failed logins, logouts, tokens issued and
revoked, refused access; and the admin's page of the audit log with its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from linkage.extensions import db
from linkage.services import audit
from models import AuditAction, AuditEntry, Role, utcnow

from .conftest import PASSWORD
from .factories import CooperativeFactory, HouseholdFactory, MembershipFactory

ADDRESS = "203.0.113.9"


def _entries(action: AuditAction | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    statement = db.select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    return list(db.session.scalars(statement))


def _login(client, email: str, password: str = PASSWORD):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )


def test_a_login_and_a_logout_are_recorded(client, make_user):
    user = make_user(Role.BUYER)
    _login(client, user.email)
    client.post("/logout", environ_base={"REMOTE_ADDR": ADDRESS})
    login, logout = _entries(AuditAction.LOGIN), _entries(AuditAction.LOGOUT)
    assert [(e.actor_id, e.entity_id, e.remote_addr) for e in login] == [
        (user.id, str(user.id), ADDRESS)
    ]
    assert login[0].new_values == {"channel": "web"}
    assert [(e.actor_id, e.remote_addr) for e in logout] == [(user.id, ADDRESS)]


@pytest.mark.parametrize(
    ("email", "password", "cause", "known"),
    [
        ("{email}", "wrong-password-1", "password", True),
        ("nobody@example.vn", PASSWORD, "unknown", False),
    ],
)
def test_a_failed_login_is_recorded_without_the_password(
    client, make_user, email, password, cause, known
):
    user = make_user(Role.MANAGER)
    typed = email.format(email=user.email)
    assert _login(client, typed, password).status_code == 422
    (entry,) = _entries(AuditAction.LOGIN_FAILED)
    assert entry.actor_id is None
    assert entry.entity_id == (str(user.id) if known else None)
    assert entry.new_values == {"email": typed, "channel": "web", "cause": cause}
    assert entry.remote_addr == ADDRESS
    assert password not in str(entry.new_values)


def test_a_disabled_account_and_a_password_typed_as_email_are_recorded_safely(client, make_user):
    user = make_user(Role.BUYER, active=False)
    _login(client, user.email)
    _login(client, "hai-que-huong-2026")  # someone typed their password in the email field
    first, second = _entries(AuditAction.LOGIN_FAILED)
    assert first.new_values["cause"] == "disabled"
    assert second.new_values == {"email": None, "channel": "web", "cause": "unknown"}


def test_tokens_issued_and_revoked_are_recorded(client, make_user):
    user = make_user(Role.BUYER)
    body = {"email": user.email, "password": PASSWORD}
    first = client.post("/api/v1/tokens", json=body).json["token"]
    client.post("/api/v1/tokens", json=body)
    client.post("/api/v1/tokens", json={**body, "password": "wrong-password-1"})
    client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {first}"})
    issued = _entries(AuditAction.TOKEN_ISSUE)
    assert len(issued) == 2 and {e.actor_id for e in issued} == {user.id}
    assert [e.new_values["channel"] for e in _entries(AuditAction.LOGIN_FAILED)] == ["api"]
    (revoked,) = _entries(AuditAction.TOKEN_REVOKE)
    assert (revoked.entity_type, revoked.entity_id) == ("api_token", issued[0].entity_id)


def test_revoking_all_records_each_token(client, make_user, bearer):
    user = make_user(Role.BUYER)
    headers, _second, _third = (bearer(user) for _ in range(3))
    client.delete("/api/v1/tokens", headers=headers)
    revoked = _entries(AuditAction.TOKEN_REVOKE)
    assert len(revoked) == 3
    assert {e.reason for e in revoked} == {"revoked_by_user"}


def test_disabling_an_account_is_recorded_with_what_it_ended(client, login_as, make_user, bearer):
    user = make_user(Role.MANAGER)
    bearer(user)
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{user.id}/disable", data={"reason": "Rời hợp tác xã"})
    (change,) = [e for e in _entries(AuditAction.UPDATE) if e.entity_id == str(user.id)]
    assert change.actor_id == admin.id
    assert change.old_values == {"active": True}
    assert change.new_values == {"active": False, "sessions_ended": 0, "tokens_revoked": 1}
    assert change.reason == "Rời hợp tác xã"


def test_a_refused_role_is_recorded(client, login_as):
    user = login_as(Role.BUYER)
    assert client.get("/admin/users").status_code == 403
    (entry,) = _entries(AuditAction.DENIED)
    assert entry.actor_id == user.id
    assert entry.new_values == {"method": "GET", "path": "/admin/users", "status": 403}


def test_an_object_out_of_scope_is_recorded_as_not_found(client, login_as, bearer):
    manager = login_as(Role.MANAGER)
    other = CooperativeFactory()
    household = HouseholdFactory()
    MembershipFactory(household=household, cooperative=other)
    db.session.commit()
    response = client.get(f"/api/v1/households/{household.id}", headers=bearer(manager))
    assert response.status_code == 404
    (entry,) = _entries(AuditAction.NOT_FOUND)
    assert (entry.actor_id, entry.entity_type, entry.entity_id) == (
        manager.id,
        "household",
        str(household.id),
    )
    assert entry.new_values["path"] == f"/api/v1/households/{household.id}"


def test_a_refusal_commits_nothing_else(app, client, login_as):
    """The entry is written on its own: what the refused request had begun is rolled back."""
    login_as(Role.BUYER)
    audit.record(None, AuditAction.READ, "pending")  # left in the session, not committed
    assert client.get("/admin/audit").status_code == 403
    assert [e.entity_type for e in _entries()] == ["user", "route"]  # the login, the refusal


def test_public_pages_and_unknown_paths_are_not_recorded(client, login_as):
    login_as(Role.BUYER)
    assert client.get("/listings/999999").status_code == 404
    assert client.get("/no-such-page").status_code == 404
    assert _entries(AuditAction.NOT_FOUND) == []


# --- the admin's page -------------------------------------------------------------------------


@pytest.fixture
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def test_the_audit_page_lists_and_filters(client, login_as, make_user, english):
    admin = login_as(Role.ADMIN)
    buyer = make_user(Role.BUYER)
    _login(client.application.test_client(), buyer.email, "wrong-password-1")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Audit log" in page
    assert "failed login" in page and "logged in" in page
    assert ADDRESS in page
    only = client.get("/admin/audit", query_string={"action": "login_failed"})
    text = only.get_data(as_text=True)
    assert buyer.email in text  # the email typed, in the details
    assert admin.email not in text.split("<table", 1)[1]
    mine = client.get("/admin/audit", query_string={"actor": admin.email.split("@")[0]})
    assert "failed login" not in mine.get_data(as_text=True).split("<table", 1)[1]


def test_the_audit_page_filters_by_day_in_vietnam_time(client, login_as, english):
    login_as(Role.ADMIN)
    old = AuditEntry(
        action=AuditAction.EXPORT,
        entity_type="impact_export",
        occurred_at=utcnow() - timedelta(days=40),
    )
    db.session.add(old)
    db.session.commit()
    today = (utcnow() + timedelta(hours=7)).date()
    recent = client.get("/admin/audit", query_string={"since": today.isoformat()})
    assert "impact_export" not in recent.get_data(as_text=True)
    earlier = (today - timedelta(days=30)).isoformat()
    past = client.get("/admin/audit", query_string={"until": earlier})
    assert "impact_export" in past.get_data(as_text=True)
    bad = client.get("/admin/audit", query_string={"since": "2026-13-45"})
    assert bad.status_code == 422


def test_the_audit_page_is_paginated(client, login_as, english):
    login_as(Role.ADMIN)
    for n in range(60):
        audit.record(None, AuditAction.READ, "household", n)
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_the_audit_page_speaks_vietnamese(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Nhật ký kiểm toán" in page


def test_the_csv_export_holds_the_filtered_entries_neutralised(client, login_as, english):
    admin = login_as(Role.ADMIN)
    audit.record(admin, AuditAction.UPDATE, "user", 1, reason='=HYPERLINK("x")')
    audit.record(admin, AuditAction.READ, "household", 2)
    db.session.commit()
    response = client.get("/admin/audit.csv", query_string={"action": "update"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows.index(
        [
            "Time (UTC+7)",
            "Who",
            "Action",
            "Record type",
            "Record",
            "Network address",
            "Reason",
            "Old values",
            "New values",
        ]
    )
    data = rows[header + 1 :]
    assert [row[2] for row in data] == ["changed"]
    assert data[0][1] == admin.email
    assert data[0][6] == '\'=HYPERLINK("x")'  # formula injection neutralised
    assert data[0][0].endswith("+07:00")
    assert ["Action", "changed"] in rows[:header]  # the filter is named at the top
    (export,) = _entries(AuditAction.EXPORT)
    assert (export.actor_id, export.entity_type) == (admin.id, "audit_entries")


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv", "/admin/users"])
@pytest.mark.parametrize("role", [Role.BUYER, Role.MANAGER, Role.OFFICIAL])
def test_only_admins_read_the_log_and_the_users(client, login_as, path, role):
    login_as(role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv", "/admin/users"])
def test_anonymous_callers_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
