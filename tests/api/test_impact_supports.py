"""GET /api/v1/impact/supports and the summary by support programme: the hand-worked figures,
scope (404 outside), roles, and the OpenAPI description."""

from __future__ import annotations

import pytest

from ..factories_support_report import (
    EXPECTED,
    EXPECTED_LOANS,
    LOAN,
    QUERY,
    VARIETY,
    figures,
    report_setting,
)


@pytest.fixture
def setting(app):
    return report_setting()


def _get(client, headers, path="/api/v1/impact/supports", **query):
    return client.get(path, query_string={**QUERY, **query}, headers=headers)


def test_the_items_equal_the_figures_worked_out_by_hand(client, bearer, setting):
    response = _get(client, bearer(setting.official))
    assert response.status_code == 200
    body = response.json
    assert (body["period_start"], body["period_end"], body["standard_code"]) == (
        "2026-01",
        "2026-03",
        "VN-2022-2025",
    )
    items = {item["programme"]: item for item in body["items"]}
    # void supports count nowhere: D's void livestock breed makes no row
    assert sorted(items) == sorted([LOAN, VARIETY])
    for programme, expected in EXPECTED.items():
        assert figures(items[programme]) == expected
    assert items[LOAN]["loans"] == EXPECTED_LOANS
    assert items[VARIETY]["loans"] is None
    assert items[LOAN]["difference"]["income_per_household_vnd"] == 1_650_000


def test_a_commune_official_sees_only_their_communes(client, bearer, setting):
    town = _get(client, bearer(setting.town_official)).json["items"]
    assert [(item["programme"], item["households"], item["amount_vnd"]) for item in town] == [
        (LOAN, 1, 7_000_000)
    ]
    outside = _get(client, bearer(setting.official), commune="07900")
    assert outside.status_code == 404
    assert outside.mimetype == "application/problem+json"
    assert outside.json["status"] == 404


@pytest.mark.parametrize("role", ["manager", "buyer"])
def test_other_roles_are_refused(client, bearer, make_user, setting, role):
    response = _get(client, bearer(make_user(role)))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_a_bad_period_is_a_problem(client, bearer, setting):
    response = _get(client, bearer(setting.official), period_start="2026-13")
    assert response.status_code == 422
    assert "period_start" in str(response.json["errors"])


def test_the_summary_groups_by_support_programme(client, bearer, setting):
    response = _get(
        client, bearer(setting.official), "/api/v1/impact/summary", group_by="support_programme"
    )
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json["rows"]}
    assert {key: row["households"] for key, row in rows.items()} == {LOAN: 2, VARIETY: 1}
    # B counts in both rows; the totals count each household once
    assert response.json["totals"]["households"] == 6


def test_openapi_documents_the_report(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/impact/supports"]["get"]
    assert "not evidence of its cause" in operation["description"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"period_start", "period_end", "commune", "region", "official_status"} <= names
    schema = spec["components"]["schemas"]["SupportItem"]
    assert {"comparison", "purpose_income_vnd", "loans", "difference"} <= set(schema["properties"])
    summary = spec["paths"]["/api/v1/impact/summary"]["get"]
    group_by = next(p for p in summary["parameters"] if p["name"] == "group_by")
    assert "support_programme" in group_by["schema"]["enum"]
    assert "counts in each" in group_by["description"]
