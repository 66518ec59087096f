"""Households API: null ethnicity or official status means "not yet known" (stored as NULL,
the household needs review), in requests and in answers; a CSV cell says it as `chưa rõ`."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from models import Household, OfficialStatus, OfficialStatusChange

from ..factories_households import counts, csv_file, household_data, member

PROBLEM = "application/problem+json"


@pytest.fixture
def make_user(make_user):
    return lambda role, **kwargs: make_user(role, **{"locale": "en", **kwargs})


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def _url(cooperative, suffix=""):
    return f"/api/v1/cooperatives/{cooperative.id}/households{suffix}"


def test_null_means_not_yet_known(client, bearer, manager, cooperative):
    data = household_data(ethnicity=None, official_status=None)
    response = client.post(_url(cooperative), json=data, headers=bearer(manager))
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["ethnicity"], body["ethnic_group_code"]) == (None, None)
    assert (body["official_status"], body["official_status_on"]) == (None, None)
    assert body["needs_review"] is True
    household = db.session.get(Household, body["id"])
    assert (household.official_status, household.ethnic_group_code) == (None, None)
    read = client.get(f"/api/v1/households/{body['id']}", headers=bearer(manager)).json
    assert (read["official_status"], read["ethnicity"], read["needs_review"]) == (None, None, True)
    listed = client.get(
        _url(cooperative), query_string={"needs_review": "true"}, headers=bearer(manager)
    ).json
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_a_known_status_without_a_date_keeps_it_blank(client, bearer, manager, cooperative):
    response = client.post(_url(cooperative), json=household_data(), headers=bearer(manager))
    assert response.status_code == 201
    assert response.json["official_status_on"] is None
    assert response.json["needs_review"] is False


@pytest.mark.parametrize("field", ["official_status", "ethnicity"])
def test_the_choice_must_be_made(client, bearer, manager, cooperative, field):
    data = household_data()
    del data[field]
    before = counts()
    response = client.post(_url(cooperative), json=data, headers=bearer(manager))
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert counts() == before


def test_a_date_for_a_status_not_yet_known_is_refused(client, bearer, manager, cooperative):
    data = household_data(official_status=None, official_status_on="2025-06-01")
    before = counts()
    response = client.post(_url(cooperative), json=data, headers=bearer(manager))
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith(PROBLEM)
    assert "official_status_on" in response.json["errors"]
    assert counts() == before


def test_a_manager_sets_the_status_later(client, bearer, manager, cooperative):
    household = member(cooperative, official_status=None, official_status_on=None)
    household.needs_review = True
    db.session.commit()
    response = client.patch(
        f"/api/v1/households/{household.id}",
        json={"official_status": "not_poor", "official_status_on": "2025-12-01"},
        headers=bearer(manager),
    )
    assert response.status_code == 200, response.json
    assert response.json["official_status"] == "not_poor"
    assert response.json["official_status_on"] == "2025-12-01"
    assert response.json["needs_review"] is False
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.status) == (None, OfficialStatus.NOT_POOR)
    again = client.patch(
        f"/api/v1/households/{household.id}",
        json={"official_status": "poor"},
        headers=bearer(manager),
    )
    assert again.status_code == 409  # now only an official re-classifies


def test_patch_ethnicity_to_null(client, bearer, manager, cooperative):
    household = member(cooperative)
    db.session.commit()
    response = client.patch(
        f"/api/v1/households/{household.id}", json={"ethnicity": None}, headers=bearer(manager)
    )
    assert response.status_code == 200
    assert (response.json["ethnicity"], response.json["needs_review"]) == (None, True)


def test_a_known_status_cannot_be_patched_to_null(client, bearer, make_user, cooperative):
    household = member(cooperative)
    db.session.commit()
    response = client.patch(
        f"/api/v1/households/{household.id}",
        json={"official_status": None, "reason": "Không rõ nữa"},
        headers=bearer(make_user("admin")),
    )
    assert response.status_code == 409
    assert "official_status" in response.json["errors"]
    assert db.session.get(Household, household.id).official_status == OfficialStatus.POOR


def test_a_date_for_a_status_not_yet_known(client, bearer, manager, cooperative):
    """Given as null, the status takes no date (the document's anyOf: 422); left out, the
    household's record decides: its status is not yet known (409)."""
    household = member(
        cooperative, official_status=None, official_status_on=None, needs_review=True
    )
    db.session.commit()
    url = f"/api/v1/households/{household.id}"
    explicit = {"official_status": None, "official_status_on": "2025-12-01"}
    refused = client.patch(url, json=explicit, headers=bearer(manager))
    assert refused.status_code == 422
    assert "official_status_on" in refused.json["errors"]
    conflict = client.patch(url, json={"official_status_on": "2025-12-01"}, headers=bearer(manager))
    assert conflict.status_code == 409
    assert conflict.json["errors"] == {
        "official_status_on": ["Leave the date empty: the official status is not yet known."]
    }
    assert db.session.get(Household, household.id).official_status_on is None
    dated = client.patch(
        url,
        json={"official_status": "poor", "official_status_on": "2025-12-01"},
        headers=bearer(manager),
    )
    assert dated.status_code == 200, dated.json
    assert dated.json["official_status_on"] == "2025-12-01"


def test_import_with_chua_ro_and_an_empty_cell(client, bearer, manager, cooperative):
    headers = bearer(manager)
    good = "DT-1,Triệu Thị Mây,08914,5,chưa rõ,chưa rõ,4,1200000,không,có\n"
    bad = "DT-2,Hà Văn Khởi,08914,2,Dao,,1,950000,không,có\n"
    before = counts()
    refused = client.post(_url(cooperative, "/import"), data=csv_file(good + bad), headers=headers)
    assert refused.status_code == 422
    assert [(r["row"], r["field"]) for r in refused.json["rows"]] == [(3, "official_status")]
    assert counts() == before
    created = client.post(_url(cooperative, "/import"), data=csv_file(good), headers=headers)
    assert created.status_code == 201
    household = db.session.scalars(db.select(Household)).one()
    assert (household.official_status, household.ethnic_group_code) == (None, None)
    assert household.needs_review is True


def test_the_openapi_document_says_null_is_allowed(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    create = schemas["HouseholdCreate"]
    assert create["properties"]["official_status"]["nullable"] is True
    assert create["properties"]["ethnicity"]["nullable"] is True
    assert {"official_status", "ethnicity"} <= set(create["required"])
    for name in ("official_status", "official_status_on", "ethnicity", "ethnic_group_code"):
        assert schemas["Household"]["properties"][name]["nullable"] is True, name
    for name in ("official_status", "projected_status", "transition"):
        assert schemas["ImpactHousehold"]["properties"][name]["nullable"] is True, name
