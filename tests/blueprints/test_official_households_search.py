"""The officials' household list searched by code or by the head's name, accents ignored:
word starts of the name, anywhere in the code, within the official's jurisdiction only."""

from __future__ import annotations

import re
import unicodedata

import pytest

from linkage.extensions import db
from linkage.services.errors import NotFound
from linkage.services.impact import ImpactFilters, households_page
from linkage.services.periods import Month, Period
from linkage.services.scope import PUBLIC
from models import OfficialStatus

from ..factories import HouseholdFactory, MembershipFactory
from ..factories_impact import PERIOD, RURAL, URBAN, small_province

ROW = re.compile(r'<tr data-household="([^"]*)">')


@pytest.fixture
def province(app, client):
    client.get("/language/en")
    places = small_province()
    for code, name, commune in (
        ("DT-0042", "Dương Thị Liên", RURAL),
        ("DT-0043", "Hoàng Văn Thiện", RURAL),
        ("DT-0044", "Triệu Thị Liễu", RURAL),
        ("VT-0042", "Nguyễn Thị Liên", URBAN),
    ):
        household = HouseholdFactory(
            code=code, head_name=name, commune_code=commune, official_status=OfficialStatus.POOR
        )
        MembershipFactory(household=household, cooperative=places["a"])
    db.session.commit()
    return places


def found(client, q: str) -> set[str]:
    response = client.get("/official/households", query_string={**PERIOD, "q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return set(ROW.findall(response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("lien", {"DT-0042", "VT-0042"}),
        ("Liên", {"DT-0042", "VT-0042"}),
        (unicodedata.normalize("NFD", "LIÊN"), {"DT-0042", "VT-0042"}),
        ("thi lien", {"DT-0042", "VT-0042"}),
        ("lien duong", {"DT-0042"}),  # every word, in any order
        ("duong  thi", {"DT-0042"}),
        ("li", {"DT-0042", "DT-0044", "VT-0042"}),  # the start of a word
        ("thien", {"DT-0043"}),
        ("ien", set()),  # inside a word of the name: no
        ("hien", set()),
        ("lieu", {"DT-0044"}),  # Liễu is not Liên
        ("0042", {"DT-0042", "VT-0042"}),  # anywhere in the code
        ("dt-004", {"DT-0042", "DT-0043", "DT-0044"}),
        ("vt-0042", {"VT-0042"}),
        ("%", set()),
        ("_", set()),
    ],
)
def test_a_province_official_finds_by_code_or_name(client, login_as, province, q, codes):
    login_as("official", province_wide=True)
    assert found(client, q) == codes


def test_a_commune_official_finds_only_in_the_jurisdiction(client, login_as, province):
    login_as("official")  # Đạo Trù only
    assert found(client, "lien") == {"DT-0042"}
    assert found(client, "VT-0042") == set()
    assert found(client, "nguyen thi lien") == set()


def test_the_search_field_is_on_the_page(client, login_as, province):
    login_as("official", province_wide=True)
    html = client.get("/official/households", query_string={**PERIOD, "q": "lien"}).get_data(
        as_text=True
    )
    assert re.search(r'<input[^>]*name="q"[^>]*value="lien"', html)
    assert "2 households found" in html


def test_a_scope_that_names_no_household_cannot_search(app, province):
    """The public's scope counts households and names none: a search would tell whether a
    household of that name exists, so it is refused (404) rather than answered."""
    period = Period(Month.parse(PERIOD["period_start"]), Month.parse(PERIOD["period_end"]))
    with pytest.raises(NotFound):
        households_page(PUBLIC, period, ImpactFilters(q="lien"), 1, 50)
