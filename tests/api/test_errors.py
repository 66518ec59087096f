"""Errors: application/problem+json under /api/, friendly HTML pages elsewhere, no trace."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from linkage.security import PUBLIC, allow

from ..conftest import make_app

PROBLEM = "application/problem+json"


def _assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    return body


def test_unknown_api_path_is_a_problem_404(client):
    _assert_problem(client.get("/api/v1/no-such-thing"), 404)


def test_method_not_allowed_keeps_the_allow_header(client):
    response = client.delete("/api/v1/communes")
    _assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_invalid_query_is_422_with_field_errors(client):
    body = _assert_problem(client.get("/api/v1/communes?per_page=500&page=0"), 422)
    assert set(body["errors"]) == {"per_page", "page"}
    assert all(isinstance(m, list) and m for m in body["errors"].values())


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/tokens", data="{not json", headers={"Content-Type": "application/json"}
    )
    _assert_problem(response, 400)


def test_missing_credentials_is_401(client):
    _assert_problem(client.post("/api/v1/cooperatives", json={}), 401)


def test_wrong_role_is_403(client, make_user, bearer):
    buyer = make_user("buyer")
    response = client.post("/api/v1/cooperatives", json={}, headers=bearer(buyer))
    _assert_problem(response, 403)


def test_huge_ids_are_404_not_500(client):
    _assert_problem(client.get("/api/v1/cooperatives/99999999999999999999"), 404)


@pytest.fixture
def own_app(app, database_url):
    """An app of the test's own: routes cannot be added to the shared one once it served;
    its connections are closed at the end (requests write the access log)."""
    own = make_app(database_url)
    yield own
    with own.app_context():
        db.engine.dispose()


@pytest.fixture
def failing_app(own_app):
    app = own_app

    @allow(PUBLIC)
    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/api/v1/boom", "boom_api", boom)
    app.add_url_rule("/boom", "boom_html", boom)
    return app


def test_server_error_is_a_problem_without_trace(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    body = _assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert body["title"] == "Internal Server Error"


def test_server_error_page_is_friendly_html(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "<h1>" in text


def test_html_404_is_a_page_not_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert 'href="/"' in response.get_data(as_text=True)


def test_html_403_page(own_app):
    from flask import abort

    @allow(PUBLIC)
    def forbidden():
        abort(403)

    own_app.add_url_rule("/forbidden-page", "forbidden_page", forbidden)
    response = own_app.test_client().get("/forbidden-page")
    assert response.status_code == 403
    assert response.mimetype == "text/html"


def test_nul_characters_in_credentials_are_refused_not_a_server_error(client):
    response = client.post("/api/v1/tokens", json={"email": "a\x00@b.vn", "password": "x"})
    assert response.status_code == 422
    assert "email" in response.json["errors"]
    assert client.post("/login", data={"email": "a\x00b@c.vn", "password": "x"}).status_code == 422
