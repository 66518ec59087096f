"""Sessions that end on the server: a session cookie replayed after logout, after a password
change, after the account was disabled or its role changed opens nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from linkage.extensions import db
from models import ApiToken, Role, User, UserSession

from ..conftest import PASSWORD

NEW_PASSWORD = "hai-que-huong-2026"


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str, path: str = "/account") -> int:
    """The status a fresh browser gets for `path` with a copy of a session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(path).status_code


def _logged_in(client, user: User) -> str:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return _cookie(client)


def _change_password(client, **extra) -> object:
    data = {
        "password-current_password": PASSWORD,
        "password-password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD,
        "password-submit": "1",
        **extra,
    }
    return client.post("/account", data=data)


def test_a_login_opens_a_session_kept_on_the_server(app, client, make_user):
    user = make_user(Role.BUYER)
    cookie = _logged_in(client, user)
    row = db.session.scalars(db.select(UserSession)).one()
    assert (row.user_id, row.ended_at) == (user.id, None)
    assert len(row.token_hash) == 64
    with client.session_transaction() as session:
        assert session["_sid"] not in row.token_hash  # only the hash is kept
    assert _replay(app, cookie) == 200


def test_a_cookie_replayed_after_logout_is_refused(app, client, make_user):
    user = make_user(Role.BUYER)
    cookie = _logged_in(client, user)
    assert _replay(app, cookie, "/orders") == 200
    assert client.post("/logout").status_code == 302
    assert _replay(app, cookie, "/orders") == 302  # sent to the login page
    assert _replay(app, cookie) == 302
    row = db.session.scalars(db.select(UserSession)).one()
    assert row.end_reason == "logout"


def test_logout_ends_only_the_session_it_was_made_in(app, make_user):
    user = make_user(Role.MANAGER)
    phone, desktop = app.test_client(), app.test_client()
    _logged_in(phone, user)
    desktop_cookie = _logged_in(desktop, user)
    phone.post("/logout")
    assert _replay(app, desktop_cookie) == 200


def test_a_password_change_ends_the_old_cookie_and_the_other_sessions(app, client, make_user):
    user = make_user(Role.BUYER)
    other_device = _logged_in(app.test_client(), user)
    before = _logged_in(client, user)
    page = client.get("/account").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="password-sign_out_others"[^>]*>', page)
    assert box is not None and "checked" in box.group(0)  # offered, ticked by default
    response = _change_password(client, **{"password-sign_out_others": "y"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this browser goes on
    assert _replay(app, before) == 302  # a copy of the cookie from before the change
    assert _replay(app, other_device) == 302
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_other_sessions_go_on_when_the_user_says_so(app, client, make_user):
    user = make_user(Role.BUYER)
    other_device = _logged_in(app.test_client(), user)
    before = _logged_in(client, user)
    assert _change_password(client).status_code == 302  # the box left unticked
    assert client.get("/account").status_code == 200
    assert _replay(app, before) == 302  # the cookie of this browser is renewed all the same
    assert _replay(app, other_device) == 200


def test_a_password_change_revokes_every_api_token(client, make_user, bearer):
    user = make_user(Role.BUYER)
    headers = bearer(user)
    _logged_in(client, user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _change_password(client).status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert all(row.revoked_at for row in db.session.scalars(db.select(ApiToken)))


def test_a_failed_password_change_ends_nothing(app, client, make_user):
    user = make_user(Role.BUYER)
    other_device = _logged_in(app.test_client(), user)
    before = _logged_in(client, user)
    response = _change_password(client, **{"password-current_password": "not-my-password-1"})
    assert response.status_code == 422
    assert _replay(app, before) == 200
    assert _replay(app, other_device) == 200


def test_a_cookie_replayed_after_the_account_is_disabled_is_refused(app, client, make_user):
    user = make_user(Role.MANAGER)
    cookie = _logged_in(app.test_client(), user)
    assert _replay(app, cookie) == 200
    _logged_in(client, make_user(Role.ADMIN))
    assert client.post(f"/admin/users/{user.id}/disable").status_code == 303
    assert _replay(app, cookie) == 302
    assert client.post(f"/admin/users/{user.id}/enable").status_code == 303
    assert _replay(app, cookie) == 302  # enabling brings no session back
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True


def test_a_change_of_role_ends_the_sessions(app, client, make_user):
    user = make_user(Role.OFFICIAL)
    cookie = _logged_in(app.test_client(), user)
    assert _replay(app, cookie, "/official/") == 200
    _logged_in(client, make_user(Role.ADMIN))
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "buyer"})
    assert response.status_code == 303
    assert _replay(app, cookie, "/orders") == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert (changed.role, changed.communes) == (Role.BUYER, [])


def test_a_session_ends_after_its_lifetime(app, client, make_user):
    cookie = _logged_in(client, make_user(Role.BUYER))
    row = db.session.scalars(db.select(UserSession)).one()
    row.created_at -= app.config["SESSION_LIFETIME"] + timedelta(seconds=1)
    db.session.commit()
    assert _replay(app, cookie) == 302


@pytest.mark.parametrize("planted", ["", "forged-secret", 42])
def test_a_cookie_without_a_known_session_opens_nothing(client, make_user, planted):
    user = make_user(Role.BUYER)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        if planted != "":
            session["_sid"] = planted
    assert client.get("/account").status_code == 302


def test_a_session_of_another_user_cannot_be_borrowed(client, make_user):
    victim, attacker = make_user(Role.ADMIN), make_user(Role.BUYER)
    _logged_in(client, attacker)
    with client.session_transaction() as session:
        session["_user_id"] = str(victim.id)  # the attacker's own secret, another user's id
    assert client.get("/admin/users").status_code == 302
