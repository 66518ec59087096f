"""The public impact page and the member share on a cooperative's page: aggregates only,
small cells hidden, no household ever shown."""

from __future__ import annotations

import re

import pytest

from linkage.extensions import db
from linkage.services.periods import current_month
from models import OfficialStatus

from ..conftest import make_app
from ..factories import CooperativeFactory, MembershipFactory
from ..factories_impact import MIDLAND, MOUNTAIN, REGIONS, URBAN, make_province


def _value(page: str, key: str) -> str | None:
    """The data-value of the cell with data-key `key` (None when there is no such cell)."""
    match = re.search(rf'data-key="{re.escape(key)}" data-value="([^"]*)"', page)
    return match.group(1) if match else None


@pytest.fixture
def province(app):
    return make_province()


@pytest.mark.parametrize("role", [None, "buyer"])
def test_anyone_sees_the_impact_page(client, login_as, province, role):
    if role:
        login_as(role)
    response = client.get("/impact")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _value(page, "region.mountain.households") == "15"
    assert _value(page, "region.mountain.platform_income_vnd") == str(15 * 200_000)
    assert _value(page, "region.total.households") == "36"
    end = current_month()
    assert _value(page, "period") == f"{end.minus(11)}..{end}"
    assert _value(page, "standard") is not None
    assert 'href="/impact"' in page  # the navigation link


def test_small_cells_show_a_dash_and_their_numbers_nowhere(client, province):
    page = client.get("/impact").get_data(as_text=True)
    for key in ("urban", "midland"):  # midland: hidden so that urban cannot be worked out
        for column in ("households", "sales_vnd", "platform_income_vnd"):
            assert _value(page, f"region.{key}.{column}") == ""
    cells = re.findall(r'data-key="region\.urban\.households"[^>]*>(.*?)</td>', page, re.S)
    assert len(cells) == 1 and "–" in cells[0]
    for _key, _commune, count, amount in REGIONS[:2]:
        total = count * amount
        for text in (str(total), f"{total:,}", f"{total:,}".replace(",", ".")):
            assert text not in page
    assert 'id="region-note"' in page
    drawings = re.findall(r'<svg [^>]*class="chart chart-.*?</svg>', page, flags=re.S)
    assert [drawing.count("<rect") for drawing in drawings] == [1, 1]  # mountain only


def test_no_household_commune_or_name_appears(client, province):
    page = client.get("/impact").get_data(as_text=True)
    for household in province:
        assert household.code not in page
        assert household.head_name not in page
    for name in ("Việt Trì", "Hy Cương", "Đạo Trù", URBAN, MIDLAND, MOUNTAIN):
        assert name not in page


def test_a_chosen_period_is_used(client, province):
    response = client.get("/impact?period_start=2025-01&period_end=2025-03")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _value(page, "period") == "2025-01..2025-03"
    assert _value(page, "region.mountain.platform_income_vnd") == "0"


@pytest.mark.parametrize(
    "query",
    [
        "period_start=2026-13",
        "period_end=26-01",
        "period_start=2026-05&period_end=2026-01",
        "period_start=2000-01&period_end=2026-01",
        "period_start=0000-01",
        "period_start=2020-01&period_end=2020-03",  # no poverty standard in force then
    ],
)
def test_a_bad_period_answers_422_with_the_default_figures(client, province, query):
    response = client.get(f"/impact?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="period-error"' in page
    end = current_month()
    assert _value(page, "period") == f"{end.minus(11)}..{end}"
    assert _value(page, "region.mountain.households") == "15"


@pytest.mark.parametrize(
    ("vulnerable", "others", "shown"),
    [(9, 10, None), (10, 9, None), (10, 10, "0.5"), (10, 15, "0.4")],
)
def test_the_cooperative_page_shows_the_member_share_from_10_on_each_side(
    client, vulnerable, others, shown
):
    cooperative = CooperativeFactory()
    for index in range(vulnerable + others):
        status = OfficialStatus.NEAR_POOR if index < vulnerable else OfficialStatus.NOT_POOR
        MembershipFactory(cooperative=cooperative, household__official_status=status)
    db.session.commit()
    response = client.get(f"/cooperatives/{cooperative.id}")
    assert response.status_code == 200
    share = _value(response.get_data(as_text=True), "member_poverty_share")
    assert share == shown


def test_the_browser_may_keep_the_page_a_few_minutes_but_no_shared_cache(client):
    response = client.get("/impact")
    assert response.status_code == 200
    assert response.cache_control.private is True
    assert response.cache_control.public is False
    assert response.cache_control.max_age == 300


def test_a_visitor_cannot_ask_for_the_page_endlessly(database_url, _schema):
    limited = make_app(
        database_url, RATELIMIT_ENABLED=True, PUBLIC_IMPACT_RATE_LIMIT="2 per minute"
    )
    try:
        with limited.test_client() as client:
            codes = [client.get("/impact").status_code for _ in range(3)]
            assert codes == [200, 200, 429]
    finally:
        with limited.app_context():
            db.engine.dispose()
