"""Officials' pages with households whose facts are not yet known: the list finds them (needs
review, search by code or name), they are not projected, the household page says so, an
official records the status, and the dashboard says how many were left out."""

from __future__ import annotations

import re

import pytest

from linkage.extensions import db
from models import Household, OfficialStatus, OfficialStatusChange

from ..factories import HouseholdFactory, MembershipFactory
from ..factories_impact import PERIOD, small_province

ROW = re.compile(r'<tr data-household="([^"]*)">(.*?)</tr>', re.S)
CELL = re.compile(r'data-key="([^"]+)" data-value="([^"]*)"')


@pytest.fixture
def province(app, client):
    client.get("/language/en")
    places = small_province()
    places["unknown"] = HouseholdFactory(
        code="H-UNKNOWN",
        head_name="Dương Thị Liên",
        official_status=None,
        official_status_on=None,
        ethnic_group_code=None,
        needs_review=True,
    )
    MembershipFactory(household=places["unknown"], cooperative=places["a"])
    db.session.commit()
    return places


def rows(client, **query) -> dict[str, dict[str, str]]:
    response = client.get("/official/households", query_string={**PERIOD, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return {code: dict(CELL.findall(body)) for code, body in ROW.findall(html)}


def test_the_list_shows_the_household_not_projected(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get("/official/households", query_string=PERIOD)
    html = response.get_data(as_text=True)
    row = dict(ROW.findall(html))["H-UNKNOWN"]
    assert "Not yet known" in row and "Not projected" in row and "None" not in row
    found = rows(client)
    assert found["H-UNKNOWN"]["official_status"] == ""
    assert found["H-UNKNOWN"]["projected_status"] == ""
    assert set(rows(client, needs_review="yes")) == {"H-UNKNOWN"}
    assert "H-UNKNOWN" not in rows(client, projected_status="poor")


@pytest.mark.parametrize("q", ["lien", "LIEN", "Liên", "h-unknown"])
def test_the_list_searches_by_code_or_name(client, login_as, province, q):
    login_as("official", province_wide=True)
    assert set(rows(client, q=q)) == {"H-UNKNOWN"}
    assert set(rows(client, q="H-")) == {"H-POOR", "H-NEAR", "H-RICH", "H-WARD", "H-UNKNOWN"}


def test_the_search_is_kept_in_links_and_exports(client, login_as, province):
    login_as("official", province_wide=True)
    html = client.get("/official/households", query_string={**PERIOD, "q": "lien"}).get_data(
        as_text=True
    )
    assert 'name="q"' in html and 'value="lien"' in html
    assert "export.csv?" in html and "q=lien" in html
    csv_text = client.get(
        "/official/households/export.csv", query_string={**PERIOD, "q": "lien"}
    ).get_data(as_text=True)
    assert "H-UNKNOWN" in csv_text and "H-POOR" not in csv_text
    assert "Not yet known" in csv_text and "Not projected" in csv_text


def test_a_search_with_control_characters_is_refused(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get("/official/households", query_string={**PERIOD, "q": "li\x00en"})
    assert response.status_code == 422


def test_the_household_page_says_it_is_not_projected(client, login_as, province):
    login_as("official", province_wide=True)
    unknown = province["unknown"]
    response = client.get(f"/official/households/{unknown.id}", query_string=PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="not-projected"' in html
    assert re.search(r'id="official-status" data-value="">Not yet known', html)
    assert 'data-key="projected_status"' not in html
    assert "None" not in html


def test_an_official_records_the_status(client, login_as, province):
    official = login_as("official", province_wide=True)
    unknown = province["unknown"]
    response = client.post(
        f"/official/households/{unknown.id}/reclassify",
        data={"official_status": "poor", "reason": "Danh sách hộ nghèo của xã 2025"},
    )
    assert response.status_code == 303
    household = db.session.get(Household, unknown.id)
    assert household.official_status == OfficialStatus.POOR
    assert household.needs_review is True  # its ethnicity is still not known
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.recorded_by_id) == (None, official.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    history = re.search(rf'data-change="{change.id}".*?</tr>', page, re.S).group(0)
    assert "Not yet known →" in history


def test_the_dashboard_says_how_many_were_left_out(client, login_as, province):
    login_as("official", province_wide=True)
    html = client.get("/official/", query_string=PERIOD).get_data(as_text=True)
    assert re.search(r'data-figure="not_yet_known" data-value="1"', html)
    assert re.search(r'data-figure="households" data-value="4"', html)
    assert "Households left out: official status not yet known" in html


def test_the_api_lists_it_with_nulls(client, make_user, bearer, province):
    official = make_user("official", province_wide=True)
    body = client.get(
        "/api/v1/impact/households", query_string=PERIOD, headers=bearer(official)
    ).json
    (item,) = [i for i in body["items"] if i["code"] == "H-UNKNOWN"]
    assert (item["official_status"], item["projected_status"], item["transition"]) == (
        None,
        None,
        None,
    )
    summary = client.get(
        "/api/v1/impact/summary",
        query_string={**PERIOD, "group_by": "ethnicity_group"},
        headers=bearer(official),
    ).json
    assert summary["totals"]["not_yet_known"] == 1
    assert summary["totals"]["households"] == 4
