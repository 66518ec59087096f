"""Every route declares who may call it, and each role gets in or is turned away as declared."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from linkage.extensions import db
from linkage.security import allowed_roles
from linkage.services.accounts import issue_token
from models import Role

from .conftest import PASSWORD

IGNORED_METHODS = {"HEAD", "OPTIONS"}
ROLES = [None, *Role]


def _declaration(app: Flask, rule: Rule, method: str) -> frozenset[str] | None:
    view = app.view_functions[rule.endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
    return getattr(view, "__access__", None)


def _routes(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - IGNORED_METHODS)
    ]


def _sample_url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, PathConverter):
            values[name] = "css/app.css"
        elif getattr(converter, "regex", "").endswith("{2}"):
            values[name] = "vi"
        else:
            values[name] = "unknown-code"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_declares_who_may_call_it(app):
    missing = [
        f"{method} {rule.rule}"
        for rule, method in _routes(app)
        if _declaration(app, rule, method) is None
    ]
    assert missing == [], f"routes without an access declaration: {missing}"


def test_the_route_table_is_not_empty(app):
    paths = {rule.rule for rule, _ in _routes(app)}
    assert {"/", "/login", "/api/v1/communes", "/api/v1/cooperatives"} <= paths


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_each_role_gets_in_or_is_turned_away_as_declared(app, make_user, role):
    client = app.test_client()
    user = make_user(role) if role else None
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    wrong = []
    for rule, method in _routes(app):
        declared = _declaration(app, rule, method)
        assert declared is not None
        url = _sample_url(rule)
        headers = {}
        if user is not None and url.startswith("/api/"):
            headers["Authorization"] = (
                f"Bearer {issue_token(user, app.config['TOKEN_LIFETIME']).token}"
            )
            db.session.commit()
        response = client.open(url, method=method, headers=headers, json=None)
        response.close()  # static files stay open until closed
        location = response.headers.get("Location", "")
        turned_away = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in location
        )
        may_enter = role in allowed_roles(declared) or "public" in declared
        if role is None and "public" not in declared:
            may_enter = False
        if may_enter == turned_away:
            wrong.append(f"{method} {url}: {response.status_code} {location}")
        if url == "/logout" and response.status_code == 302 and user is not None:
            client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert wrong == [], "\n".join(wrong)


DESIGN_TABLE = {
    ("GET", "/api/v1/communes"): {"public"},
    ("GET", "/api/v1/products"): {"public"},
    ("GET", "/api/v1/poverty-standards"): {"public"},
    ("GET", "/api/v1/cooperatives"): {"public"},
    ("GET", "/api/v1/cooperatives/<id:cooperative_id>"): {"public"},
    ("POST", "/api/v1/cooperatives"): {"admin"},
    ("POST", "/api/v1/cooperatives/<id:cooperative_id>/approve"): {"admin"},
    ("POST", "/api/v1/cooperatives/<id:cooperative_id>/suspend"): {"admin"},
    ("POST", "/api/v1/tokens"): {"public"},
    ("GET", "/"): {"public"},
    ("GET", "/login"): {"public"},
    ("POST", "/login"): {"public"},
    ("POST", "/logout"): {"authenticated"},
}


def test_declarations_match_the_design_table(app):
    """The audience of each route of DESIGN section 6 is declared as the design says."""
    declared = {
        (method, rule.rule): {str(a) for a in _declaration(app, rule, method) or ()}
        for rule, method in _routes(app)
    }
    for route, audience in DESIGN_TABLE.items():
        assert declared.get(route) == audience, route


def test_the_guard_enforces_the_declaration(client, make_user):
    """Anonymous callers get 401 from the API and the login page from HTML routes."""
    assert client.post("/api/v1/cooperatives", json={}).status_code == 401
    response = client.post("/logout")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
