"""API tokens that end: an absolute and an idle limit, listing and revoking all, and no
token coming back when a disabled account is enabled again."""

from __future__ import annotations

from datetime import timedelta

from linkage.extensions import db
from models import ApiToken, User, utcnow

from ..conftest import PASSWORD


def _token(client, user: User) -> str:
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["token"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _row(token_id: int | None = None) -> ApiToken:
    db.session.expire_all()
    rows = db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)).all()
    return rows[-1] if token_id is None else next(r for r in rows if r.id == token_id)


def test_a_token_lives_90_days_at_most(app, client, make_user):
    response = client.post(
        "/api/v1/tokens", json={"email": make_user("buyer").email, "password": PASSWORD}
    )
    row = _row()
    assert app.config["TOKEN_LIFETIME"] == timedelta(days=90)
    assert abs(row.expires_at - row.created_at - timedelta(days=90)) < timedelta(seconds=5)
    assert response.json["expires_at"].startswith(row.expires_at.isoformat()[:16])


def test_using_a_token_records_its_last_use(client, make_user):
    token = _token(client, make_user("buyer"))
    assert _row().last_used_at is None
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 200
    used = _row().last_used_at
    assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_a_token_unused_for_14_days_stops_working(app, client, make_user):
    token = _token(client, make_user("buyer"))
    row = _row()
    row.created_at = row.last_used_at = utcnow() - timedelta(days=14, seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
    assert app.config["TOKEN_IDLE_LIMIT"] == timedelta(days=14)


def test_a_token_used_within_14_days_goes_on(client, make_user):
    token = _token(client, make_user("buyer"))
    row = _row()
    row.created_at = utcnow() - timedelta(days=60)
    row.last_used_at = utcnow() - timedelta(days=13)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 200
    assert utcnow() - _row().last_used_at < timedelta(minutes=1)  # the idle time starts again


def test_a_token_never_used_counts_its_idle_time_from_its_issue(client, make_user):
    token = _token(client, make_user("buyer"))
    row = _row()
    row.created_at = utcnow() - timedelta(days=15)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_the_list_shows_live_tokens_without_their_secrets(client, make_user):
    user = make_user("manager")
    first, second, revoked, expired = (_token(client, user) for _ in range(4))
    client.delete("/api/v1/tokens/current", headers=_auth(revoked))
    rows = db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)).all()
    rows[3].expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _token(client, make_user("manager"))  # someone else's
    response = client.get("/api/v1/tokens", headers=_auth(second))
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["page"]) == (2, 1)
    assert [item["id"] for item in body["items"]] == [rows[1].id, rows[0].id]  # newest first
    assert [item["current"] for item in body["items"]] == [True, False]
    text = response.get_data(as_text=True)
    for token in (first, second, revoked, expired):
        assert token not in text
    assert all(row.token_hash not in text for row in rows)
    assert set(body["items"][0]) == {
        "id",
        "created_at",
        "last_used_at",
        "expires_at",
        "idle_expires_at",
        "current",
    }


def test_the_list_is_paginated(client, make_user):
    user = make_user("buyer")
    tokens = [_token(client, user) for _ in range(3)]
    page = client.get("/api/v1/tokens?per_page=2&page=2", headers=_auth(tokens[0])).json
    assert (page["total"], len(page["items"]), page["per_page"]) == (3, 1, 2)
    bad = client.get("/api/v1/tokens?per_page=500", headers=_auth(tokens[0]))
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"


def test_delete_revokes_every_token_of_the_caller_only(client, make_user):
    user, other = make_user("buyer"), make_user("buyer")
    mine = [_token(client, user) for _ in range(3)]
    theirs = _token(client, other)
    assert client.delete("/api/v1/tokens", headers=_auth(mine[0])).status_code == 204
    for token in mine:
        assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
    assert client.get("/api/v1/me", headers=_auth(theirs)).status_code == 200


def test_listing_and_revoking_need_a_token(client):
    for method in ("get", "delete"):
        response = getattr(client, method)("/api/v1/tokens")
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"


def test_the_operations_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    operations = paths["/api/v1/tokens"]
    assert set(operations) >= {"get", "post", "delete"}
    for method in ("get", "delete"):
        assert operations[method]["security"] == [{"bearerAuth": []}]
    assert operations["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenInfoPage"
    }
    assert {"401", "429"} <= set(operations["post"]["responses"])


def test_a_token_replayed_after_disable_and_enable_is_refused(client, runner, make_user):
    user = make_user("manager")
    token = _token(client, user)
    result = runner.invoke(args=["users", "disable", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Disabled" in result.output
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
    result = runner.invoke(args=["users", "enable", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401  # still revoked
    assert _row().revoked_at is not None
    fresh = _token(client, user)  # the account itself works again
    assert client.get("/api/v1/me", headers=_auth(fresh)).status_code == 200


def test_a_disabled_account_gets_no_token(client, runner, make_user):
    user = make_user("buyer")
    runner.invoke(args=["users", "disable", user.email])
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_the_cli_names_an_unknown_email(runner):
    result = runner.invoke(args=["users", "disable", "nobody@example.vn"])
    assert result.exit_code != 0
    assert "No account has the email nobody@example.vn" in result.output
