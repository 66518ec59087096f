"""Bearer tokens: issued for email and password, stored hashed, expire, can be revoked."""

from __future__ import annotations

from datetime import timedelta

from linkage.extensions import db
from models import ApiToken, utcnow

from ..conftest import PASSWORD


def test_token_is_issued_and_identifies_the_user(client, make_user):
    user = make_user("manager")
    response = client.post(
        "/api/v1/tokens", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["expires_at"].endswith("+00:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["email"] == user.email
    assert me.json["role"] == "manager"
    assert me.json["cooperative_ids"] == [c.id for c in user.cooperatives]


def test_token_is_stored_only_as_a_hash(client, make_user):
    user = make_user("buyer")
    token = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}).json[
        "token"
    ]
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored[0]
    assert len(stored[0]) == 64


def test_wrong_password_is_401_and_writes_no_token(client, make_user):
    user = make_user("buyer")
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong-pass-1"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_unknown_email_is_401(client):
    response = client.post("/api/v1/tokens", json={"email": "nobody@x.vn", "password": PASSWORD})
    assert response.status_code == 401


def test_missing_fields_are_422(client):
    response = client.post("/api/v1/tokens", json={"email": "a@b.vn"})
    assert response.status_code == 422
    assert "password" in response.json["errors"]


def test_expired_token_is_refused(client, make_user, bearer):
    headers = bearer(make_user("buyer"))
    row = db.session.scalars(db.select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_revoked_token_is_refused(client, make_user, bearer):
    headers = bearer(make_user("official"))
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_inactive_user_cannot_use_token(client, make_user, bearer):
    user = make_user("buyer")
    headers = bearer(user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, login_as):
    login_as("admin")
    assert client.get("/api/v1/me").status_code == 401


def test_bearer_token_does_not_authenticate_html_pages(client, make_user, bearer):
    headers = bearer(make_user("manager"))
    page = client.get("/", headers=headers)
    assert "Đăng xuất" not in page.get_data(as_text=True)
    assert 'action="/logout"' not in page.get_data(as_text=True)
