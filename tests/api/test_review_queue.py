"""Review queue API: reasons, filters, pages, scope, and `reviewed` on the re-classification."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from models import AuditEntry, Household, OfficialStatus

from ..factories_review import EXPECTED, PERIOD, RURAL, URBAN, review_setting


@pytest.fixture
def queue(app):
    return review_setting()


def _get(client, headers, **query):
    return client.get(
        "/api/v1/households/review", query_string={**PERIOD, **query}, headers=headers
    )


def _reasons(body):
    return {item["code"]: " ".join(item["reasons"]) for item in body["items"]}


def test_the_queue_with_its_reasons(client, make_user, bearer, queue):
    headers = bearer(make_user("official"))  # Đạo Trù
    response = _get(client, headers, per_page=50)
    assert response.status_code == 200
    body = response.json
    assert _reasons(body) == EXPECTED
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, len(EXPECTED))
    item = next(i for i in body["items"] if i["code"] == "DISAGREES")
    assert (item["official_status"], item["projected_status"]) == ("poor", "not_poor")
    assert item["previous_projected_status"] == "not_poor"
    assert item["needs_review"] is False
    assert "head_name" not in item
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "review_queue")
    ).one()
    assert entry.new_values["rows"] == len(EXPECTED)


def test_filters_pages_and_scope(client, make_user, bearer, queue):
    headers = bearer(make_user("official"))
    body = _get(client, headers, reason="status_not_yet_known").json
    assert _reasons(body) == {"NO-STATUS": "status_not_yet_known"}
    second = _get(client, headers, per_page=2, page=2).json
    assert [i["code"] for i in second["items"]] == sorted(EXPECTED)[2:4]
    assert _get(client, headers, commune=URBAN).status_code == 404
    assert _get(client, headers, reason="other").status_code == 422
    province = bearer(make_user("official", province_wide=True))
    assert set(_reasons(_get(client, province, commune=URBAN).json)) == {"OUTSIDE"}
    assert set(_reasons(_get(client, province, commune=RURAL, per_page=50).json)) == set(EXPECTED)


@pytest.mark.parametrize("role", ["manager", "buyer"])
def test_other_roles_are_refused(client, make_user, bearer, queue, role):
    assert _get(client, bearer(make_user(role))).status_code == 403


def test_reviewed_lifts_the_mark_and_the_household_leaves(client, make_user, bearer, queue):
    headers = bearer(make_user("official"))
    household = queue["BOUNDARY"]
    url = f"/api/v1/households/{household.id}/reclassify"
    body = {"official_status": "poor", "reason": "Rà soát sau sáp nhập"}
    assert client.post(url, json=body, headers=headers).status_code == 200
    assert "BOUNDARY" in _reasons(_get(client, headers).json)  # not said to be reviewed
    assert client.post(url, json={**body, "reviewed": True}, headers=headers).status_code == 200
    assert "BOUNDARY" not in _reasons(_get(client, headers).json)
    db.session.expire_all()
    assert db.session.get(Household, household.id).needs_review is False


def test_outside_the_jurisdiction_is_404_and_writes_nothing(client, make_user, bearer, queue):
    headers = bearer(make_user("official"))
    outside = queue["OUTSIDE"]
    response = client.post(
        f"/api/v1/households/{outside.id}/reclassify",
        json={"official_status": "near_poor", "reason": "Rà soát sau sáp nhập", "reviewed": True},
        headers=headers,
    )
    assert response.status_code == 404
    db.session.expire_all()
    household = db.session.get(Household, outside.id)
    assert (household.official_status, household.needs_review) == (OfficialStatus.POOR, True)
