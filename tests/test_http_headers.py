"""Security headers, Cache-Control on personal answers, cookie flags, trusted hosts, the public
base URL of EPCIS ids and QR labels, and the reverse proxies (linkage.http_headers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from flask import Flask
from flask.testing import FlaskClient

from linkage import create_app
from linkage.extensions import db, limiter
from linkage.http_headers import CONTENT_SECURITY_POLICY
from linkage.security import PUBLIC, allow

from .conftest import PASSWORD, make_app
from .factories import CooperativeFactory, LotFactory

HOST = "linkage.example"
BASE = f"https://{HOST}"
SECRET_KEY = "k" * 64
PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": SECRET_KEY,
    "TRUSTED_HOSTS": [HOST],
    "PUBLIC_BASE_URL": BASE,
}


def assert_security_headers(response, *, hsts: bool) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is hsts
    if hsts:
        assert headers["Strict-Transport-Security"] == "max-age=31536000"


def assert_no_store(response) -> None:
    assert response.cache_control.no_store, response.headers
    assert response.cache_control.max_age is None


@pytest.fixture
def production(app: Flask, database_url: str) -> Iterator[Flask]:
    """The production configuration on the test database (CSRF and rate limits on)."""
    production_app = create_app({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": database_url})
    yield production_app
    limiter.enabled = app.config["RATELIMIT_ENABLED"]  # one limiter object for every app
    with production_app.app_context():
        db.engine.dispose()


class HttpsClient:
    """A test client that asks https://linkage.example (the trusted host) for every path."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, base_url=BASE, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, base_url=BASE, **kwargs)


def csrf_token(client: HttpsClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def login(client: HttpsClient, email: str) -> Any:
    token = csrf_token(client, "/login")
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    # over HTTPS, Flask-WTF also wants a Referer of the same site
    return client.post("/login", data=data, headers={"Referer": f"{BASE}/login"})


def test_production_headers_and_cookies_on_a_page_an_api_answer_and_an_export(
    production, make_user
):
    official = make_user("official", province_wide=True)
    client = HttpsClient(production.test_client())

    response = login(client, official.email)
    assert response.status_code == 302, response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags
    assert_security_headers(response, hsts=True)

    page = client.get("/official/")
    assert page.status_code == 200
    assert_security_headers(page, hsts=True)
    assert_no_store(page)

    export = client.get("/official/export/communes.csv")
    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert_security_headers(export, hsts=True)
    assert_no_store(export)

    token_answer = client.post(
        "/api/v1/tokens", json={"email": official.email, "password": PASSWORD}
    )
    assert token_answer.status_code == 201
    assert_no_store(token_answer)  # the token itself
    bearer = {"Authorization": f"Bearer {token_answer.json['token']}"}
    answer = client.get("/api/v1/me", headers=bearer)
    assert answer.status_code == 200
    assert answer.json["email"] == official.email
    assert_security_headers(answer, hsts=True)
    assert_no_store(answer)


def test_production_refuses_an_untrusted_host(production):
    client = production.test_client()
    assert client.get("/", base_url=BASE).status_code == 200
    refused = client.get("/", base_url="https://evil.example")
    assert refused.status_code == 400
    assert "evil.example" not in refused.get_data(as_text=True)
    assert_security_headers(refused, hsts=True)
    api = client.get("/api/v1/communes", base_url="https://evil.example")
    assert api.status_code == 400


def test_every_answer_has_the_headers_and_no_hsts_outside_production(client):
    for path in ("/", "/catalog", "/api/v1/communes", "/api/v1/openapi.json", "/no-such-page"):
        assert_security_headers(client.get(path), hsts=False)


@pytest.mark.parametrize(
    "path", ["/", "/catalog", "/api/v1/communes", "/api/v1/listings", "/api/v1/docs"]
)
def test_public_answers_read_anonymously_may_be_kept(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_the_public_impact_page_keeps_its_own_caching(client):
    response = client.get("/impact")
    assert response.status_code == 200
    assert response.cache_control.private
    assert response.cache_control.max_age == 300


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("buyer", "/orders"),
        ("buyer", "/account"),
        ("manager", "/manage/"),
        ("official", "/official/households"),
        ("admin", "/admin/cooperatives"),
        ("buyer", "/notices"),
    ],
)
def test_personal_pages_are_not_stored(client, login_as, role, path):
    login_as(role)
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert_no_store(response)


def test_a_public_page_seen_logged_in_is_not_stored(client, login_as):
    """The page header names the user."""
    user = login_as("buyer")
    response = client.get("/catalog")
    assert (user.name or user.email) in response.get_data(as_text=True)
    assert_no_store(response)


def test_personal_api_answers_are_not_stored(client, make_user, bearer):
    manager = make_user("manager")
    headers = bearer(manager)
    cooperative_id = manager.cooperatives[0].id
    for path in ("/api/v1/me", f"/api/v1/cooperatives/{cooperative_id}/households"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert_no_store(response)


def test_a_public_api_answer_that_names_households_to_managers_is_not_stored(
    client, make_user, bearer
):
    manager = make_user("manager")
    lot = LotFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    response = client.get(f"/api/v1/lots/{lot.id}/trace", headers=bearer(manager))
    assert response.status_code == 200
    assert_no_store(response)


def test_a_personal_answer_keeps_its_own_no_store(client, login_as):
    """The managers' EPCIS download says `private, no-store` itself."""
    manager = login_as("manager")
    lot = LotFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    response = client.get(f"/manage/{lot.cooperative_id}/lots/{lot.id}/epcis")
    assert response.status_code == 200
    assert response.cache_control.private and response.cache_control.no_store


def test_writes_and_errors_are_not_stored(client):
    assert_no_store(client.post("/api/v1/tokens", json={"email": "x@y.vn", "password": "p"}))
    assert_no_store(client.get("/no-such-page"))


def epcis_text(client: FlaskClient, **kwargs: Any) -> str:
    """The public EPCIS document of a new lot (its ids: the cooperative, the vocabulary)."""
    lot = LotFactory(cooperative=CooperativeFactory())
    db.session.commit()
    response = client.get(f"/api/v1/lots/{lot.id}/epcis", **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_without_a_public_base_url_ids_follow_the_request(client):
    text = epcis_text(client, base_url="http://here.example")
    assert "http://here.example/ns/epcis#" in text


@pytest.fixture
def public_base(app: Flask) -> Flask:
    app.config["PUBLIC_BASE_URL"] = "https://truy-xuat.example/linkage/"
    return app


def test_epcis_ids_use_the_public_base_url_whatever_the_host(client, public_base):
    text = epcis_text(client, base_url="http://evil.example")
    assert "https://truy-xuat.example/linkage/ns/epcis#" in text
    assert "evil.example" not in text


def test_qr_labels_use_the_public_base_url_whatever_the_host(client, public_base, make_user):
    manager = make_user("manager")
    lot = LotFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    evil = "http://evil.example"
    client.post("/login", data={"email": manager.email, "password": PASSWORD}, base_url=evil)
    response = client.get(f"/manage/{lot.cooperative_id}/lots/{lot.id}/label", base_url=evil)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"https://truy-xuat.example/linkage/trace/{lot.code}" in page
    assert "evil.example" not in page


@pytest.fixture(params=[0, 1], ids=["no proxy", "one proxy"])
def caller_app(request: pytest.FixtureRequest, database_url: str) -> Iterator[Flask]:
    """An app with a route that answers the caller's address and scheme as the app sees them."""
    own = make_app(database_url, PROXY_COUNT=request.param)

    @allow(PUBLIC)
    def caller():
        return {
            "addr": flask.request.remote_addr,
            "scheme": flask.request.scheme,
            "host": flask.request.host,
        }

    own.add_url_rule("/caller", "caller", caller)
    yield own
    with own.app_context():
        db.engine.dispose()


def test_proxy_fix_believes_as_many_proxies_as_configured(caller_app, app):
    forwarded = {
        "X-Forwarded-For": "203.0.113.7, 198.51.100.2",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
    }
    answer = caller_app.test_client().get(
        "/caller", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    if caller_app.config["PROXY_COUNT"] == 0:  # nobody in front: the headers are the client's
        assert answer.json == {"addr": "10.0.0.1", "scheme": "http", "host": "localhost"}
    else:  # one proxy: the last entry is the one it added; the one before could be forged
        assert answer.json == {"addr": "198.51.100.2", "scheme": "https", "host": "localhost"}
