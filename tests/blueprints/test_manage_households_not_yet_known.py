"""The manager's household form preselects nothing; "Not yet known" is a choice; pages show
the facts not yet known; the list search ignores diacritics."""

from __future__ import annotations

import re

import pytest

from linkage.extensions import db
from models import Household, OfficialStatus, OfficialStatusChange

from ..factories import DAO_TRU
from ..factories_households import counts, member

FORM = {
    "code": "DT-0100",
    "head_name": "Đặng Thị Hoa",
    "commune_code": DAO_TRU,
    "members": "4",
    "ethnicity": "Sán Dìu",
    "official_status": "near_poor",
    "official_status_on": "",
    "joined_on": "",
    "deprivations": "2",
    "baseline_income_vnd": "1350000",
    "consent": "y",
}
SELECTED = re.compile(r"<option selected value=\"([^\"]*)\">")


@pytest.fixture(autouse=True)
def english(client):
    client.get("/language/en")


@pytest.fixture
def manager(english, login_as):
    return login_as("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def _base(cooperative):
    return f"/manage/{cooperative.id}/households"


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_new_form_preselects_no_status_and_no_ethnicity(client, cooperative):
    html = client.get(f"{_base(cooperative)}/new").get_data(as_text=True)
    for name in ("official_status", "ethnicity"):
        options = _select(html, name)
        assert re.match(r'\s*<option value="">Choose…</option>', options), name
        assert SELECTED.search(options) is None, name
        assert '<option value="not_yet_known">Not yet known</option>' in options
    assert "Kinh" in _select(html, "ethnicity")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("official_status", "Choose the official poverty status, or “Not yet known”."),
        ("ethnicity", "Choose the ethnic group, or “Not yet known”."),
    ],
)
def test_submitting_without_a_choice_is_refused(client, cooperative, name, message):
    before = counts()
    for data in ({**FORM, name: ""}, {k: v for k, v in FORM.items() if k != name}):
        response = client.post(f"{_base(cooperative)}/new", data=data)
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert message in text
        assert "error-summary" in text
    assert counts() == before


def test_not_yet_known_is_stored_as_null_and_needs_review(client, cooperative):
    data = {**FORM, "official_status": "not_yet_known", "ethnicity": "not_yet_known"}
    response = client.post(f"{_base(cooperative)}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    household = db.session.scalars(db.select(Household)).one()
    assert household.official_status is None
    assert household.ethnic_group_code is None
    assert household.official_status_on is None
    assert household.needs_review is True


def test_a_blank_date_stays_blank(client, cooperative):
    assert client.post(f"{_base(cooperative)}/new", data=FORM).status_code == 302
    household = db.session.scalars(db.select(Household)).one()
    assert household.official_status == OfficialStatus.NEAR_POOR
    assert household.official_status_on is None
    assert household.needs_review is False


def test_a_date_for_a_status_not_yet_known_is_refused(client, cooperative):
    before = counts()
    data = {**FORM, "official_status": "not_yet_known", "official_status_on": "2025-06-01"}
    response = client.post(f"{_base(cooperative)}/new", data=data)
    assert response.status_code == 422
    assert "Leave the date empty: the official status is not yet known." in response.get_data(
        as_text=True
    )
    assert counts() == before


def _unknown(cooperative, **kwargs):
    values = {
        "code": "DT-07",
        "head_name": "Dương Thị Liên",
        "official_status": None,
        "official_status_on": None,
        "ethnic_group_code": None,
        "needs_review": True,
    }
    household = member(cooperative, **{**values, **kwargs})
    db.session.commit()
    return household


def test_the_list_shows_not_yet_known(client, cooperative):
    _unknown(cooperative)
    member(cooperative, code="DT-08", head_name="Lò Văn Ba")
    db.session.commit()
    response = client.get(_base(cooperative))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">DT-07</th>(.*?)</tr>", text, re.S).group(1)
    assert row.count("Not yet known") == 2
    assert "None" not in row
    assert re.search(r'id="count-not-yet-known"><strong>1</strong>', text)
    only = client.get(_base(cooperative) + "?status=not_yet_known").get_data(as_text=True)
    assert "DT-07" in only and "DT-08" not in only


@pytest.mark.parametrize("q", ["lien", "LIEN", "Liên", "dt-07"])
def test_the_list_search_ignores_diacritics(client, cooperative, q):
    _unknown(cooperative)
    member(cooperative, code="DT-08", head_name="Lò Văn Ba")
    db.session.commit()
    text = client.get(_base(cooperative), query_string={"q": q}).get_data(as_text=True)
    assert "Dương Thị Liên" in text and "Lò Văn Ba" not in text


def test_the_edit_form_shows_not_yet_known_selected(client, cooperative):
    household = _unknown(cooperative)
    html = client.get(f"{_base(cooperative)}/{household.id}/edit").get_data(as_text=True)
    assert SELECTED.findall(_select(html, "ethnicity")) == ["not_yet_known"]
    assert SELECTED.findall(_select(html, "official_status")) == ["not_yet_known"]
    assert 'name="official_status_on"' in html
    assert re.search(r'<input[^>]*name="needs_review"[^>]*>', html).group(0).count("checked") == 0


def _edit_data(household, **changes):
    return {
        "code": household.code,
        "head_name": household.head_name,
        "commune_code": DAO_TRU,
        "members": "4",
        "ethnicity": "not_yet_known",
        "official_status": "not_yet_known",
        "official_status_on": "",
        "deprivations": "3",
        "baseline_income_vnd": "1200000",
        **changes,
    }


def test_saving_with_facts_still_unknown_keeps_them_and_the_mark(client, cooperative):
    household = _unknown(cooperative)
    url = f"{_base(cooperative)}/{household.id}/edit"
    response = client.post(url, data=_edit_data(household, members="6"))
    assert response.status_code == 302
    household = db.session.get(Household, household.id)
    assert (household.members, household.official_status, household.ethnic_group_code) == (
        6,
        None,
        None,
    )
    assert household.needs_review is True


def test_the_manager_sets_the_facts_later(client, cooperative, manager):
    household = _unknown(cooperative)
    url = f"{_base(cooperative)}/{household.id}/edit"
    data = _edit_data(
        household, ethnicity="Dao", official_status="poor", official_status_on="2025-12-01"
    )
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    household = db.session.get(Household, household.id)
    assert household.official_status == OfficialStatus.POOR
    assert str(household.official_status_on) == "2025-12-01"
    assert household.ethnic_group_code == "09"
    assert household.needs_review is False
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.status, change.recorded_by_id) == (
        None,
        OfficialStatus.POOR,
        manager.id,
    )
    # from now on the status is read-only for the manager
    html = client.get(url).get_data(as_text=True)
    assert 'name="official_status"' not in html
    assert "re-classifies" in html


def test_statement_renders_for_a_household_with_facts_unknown(client, cooperative):
    household = _unknown(cooperative)
    response = client.get(f"{_base(cooperative)}/{household.id}/statement")
    assert response.status_code == 200
    assert "Dương Thị Liên" in response.get_data(as_text=True)


def test_the_import_page_explains_not_yet_known(client, cooperative):
    text = client.get(f"{_base(cooperative)}/import").get_data(as_text=True)
    assert 'id="not-yet-known"' in text
    assert "chưa rõ" in text
