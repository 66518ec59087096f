"""Login and logout: sessions, cookies, CSRF, rate limits, safe redirects."""

from __future__ import annotations

import pytest

from linkage import create_app
from linkage.extensions import db

from ..conftest import PASSWORD, make_app


def _login(client, user, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": user.email, "password": password}, **kwargs)


def test_login_page_has_the_form_fields(client):
    text = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in text
    assert 'name="password"' in text


def test_login_sets_a_httponly_samesite_session_cookie(client, make_user):
    response = _login(client, make_user("manager"))
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only in production (HTTPS)


def test_production_cookies_are_secure(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_production_refuses_to_start_without_secret_key(monkeypatch, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url})


def test_development_key_is_generated_into_instance(monkeypatch, tmp_path, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    import config

    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    monkeypatch.setattr("linkage.INSTANCE_DIR", tmp_path)
    app = create_app({"ENV_NAME": "development", "SQLALCHEMY_DATABASE_URI": database_url})
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 32


def test_session_is_renewed_at_login(client, make_user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["locale"] = "en"
    _login(client, make_user("buyer"))
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["locale"] == "en"  # the chosen language survives
        assert session["_user_id"]


def test_wrong_password_shows_an_error_and_does_not_log_in(client, make_user):
    response = _login(client, make_user("buyer"), password="not-the-password-1")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user("official")
    user.active = False
    db.session.commit()
    assert _login(client, user).status_code == 422


def test_logout_ends_the_session(client, login_as):
    login_as("manager")
    response = client.post("/logout")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_next_never_redirects_off_site(client, make_user, target):
    response = _login(client, make_user("buyer"), query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalog"  # a buyer lands on the catalog


def test_next_redirects_within_the_site(client, make_user):
    response = _login(client, make_user("buyer"), query_string={"next": "/api/v1/docs"})
    assert response.headers["Location"] == "/api/v1/docs"


@pytest.fixture
def other_app(database_url, _schema):
    """Build an app with overrides; its engine is disposed at the end of the test."""
    built = []

    def build(**overrides):
        app = make_app(database_url, **overrides)
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


def test_forms_need_a_csrf_token(other_app, make_user):
    app = other_app(WTF_CSRF_ENABLED=True)
    user = make_user("manager")
    with app.test_client() as client:
        assert _login(client, user).status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        assert client.post("/logout").status_code == 400  # no token: refused


def test_login_attempts_are_rate_limited(other_app, make_user):
    app = other_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    user = make_user("buyer")
    with app.test_client() as client:
        responses = [_login(client, user, password="wrong-password-1") for _ in range(4)]
        assert [r.status_code for r in responses] == [422, 422, 422, 429]
        assert "Retry-After" in responses[-1].headers
        assert responses[-1].mimetype == "text/html"
        assert client.get("/login").status_code == 200  # reading the page is not limited


def test_token_requests_are_rate_limited(other_app, make_user):
    app = other_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    user = make_user("buyer")
    with app.test_client() as client:
        body = {"email": user.email, "password": "wrong-password-1"}
        codes = [client.post("/api/v1/tokens", json=body).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert client.post("/api/v1/tokens", json=body).mimetype == "application/problem+json"


def test_language_switch(client):
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    response = client.get("/language/en", query_string={"next": "/login"})
    assert response.headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert client.get("/language/fr").status_code == 404
