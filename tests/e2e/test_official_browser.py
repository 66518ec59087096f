"""The officials' impact pages in a browser: dashboard, filters, keyboard, re-classification."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from linkage.extensions import db
from models import OfficialStatus, Payment, PaymentKind

from ..aggregates_helpers import written_directly
from ..factories import DAO_TRU, CooperativeFactory, HouseholdFactory, MembershipFactory

pytestmark = pytest.mark.browser

WARD = "07900"  # a ward of Việt Trì: urban, outside the Đạo Trù official's commune
WHEN = datetime.now(UTC).replace(day=1, hour=3)  # inside the default period (last 12 months)
CHARTS = ("monthly", "communes", "regions", "ethnicity", "transitions", "products")
MAX_TABS = 80


@pytest.fixture
def households(app) -> dict[str, int]:
    """Three member households in Đạo Trù (a mountain commune), one in a ward; ids by code."""
    rural = CooperativeFactory(commune_code=DAO_TRU, name="HTX A")
    urban = CooperativeFactory(commune_code=WARD, name="HTX B")
    made = {
        "H-POOR": HouseholdFactory(code="H-POOR", official_status=OfficialStatus.POOR),
        "H-NEAR": HouseholdFactory(code="H-NEAR", official_status=OfficialStatus.NEAR_POOR),
        "H-RICH": HouseholdFactory(code="H-RICH", official_status=OfficialStatus.NOT_POOR),
        "H-WARD": HouseholdFactory(
            code="H-WARD", commune_code=WARD, official_status=OfficialStatus.NOT_POOR
        ),
    }
    for code, household in made.items():
        cooperative = urban if code == "H-WARD" else rural
        MembershipFactory(household=household, cooperative=cooperative)
        db.session.add(
            Payment(
                cooperative_id=cooperative.id,
                household_id=household.id,
                kind=PaymentKind.SURPLUS,
                amount_vnd=600_000,
                paid_at=WHEN,
            )
        )
        written_directly()
    db.session.commit()
    ids = {code: household.id for code, household in made.items()}
    db.session.commit()  # ends the transaction that reading the ids began
    return ids


def _log_in(page, account) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("input[name='email']").fill(account.email)
    form.locator("input[name='password']").fill(account.password)
    form.locator("[type='submit']").click()


def _tab_to(page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_province_official_uses_the_dashboard_with_the_keyboard(page, account, households):
    problems: list[str] = []
    urls: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: urls.append(request.url))
    official = account("official", province_wide=True)

    _log_in(page, official)
    page.wait_for_url("**/official/")
    figure = page.locator("[data-figure='households']")
    expect(figure).to_have_attribute("data-value", str(len(households)))
    for slug in CHARTS:  # one part of the dashboard a page, each behind its link
        page.locator(f"nav.dash-sections a[href*='section={slug}']").click()
        page.wait_for_url(f"**/official/?*section={slug}*")
        chart = page.locator(f"section:has(table#{slug}) figure svg.chart:visible")
        expect(chart).to_have_count(1)  # the wide or the narrow drawing, not both
        assert chart.locator("title").count() == 1, f"the {slug} chart has no <title>"
        assert chart.locator("title").text_content().strip(), f"the {slug} chart's title is empty"
    page.locator("nav.dash-sections a[href*='section=targeting']").click()
    expect(page.locator("table#targeting")).to_be_visible()
    page.locator("nav.dash-sections a[href*='section=monthly']").click()
    page.wait_for_url("**/official/?*section=monthly*")

    filters = page.locator("form.dash-filters")
    first_field = filters.locator("input, select").first
    assert first_field.get_attribute("name") == "period_start"
    _tab_to(page, "form.dash-filters [name='period_start']")
    _tab_to(page, "form.dash-filters select[name='region']")
    filters.locator("select[name='region']").select_option("mountain")
    _tab_to(page, "form.dash-filters [type='submit']")
    page.keyboard.press("Enter")

    page.wait_for_url("**/official/?*region=mountain*")
    assert parse_qs(urlsplit(page.url).query)["region"] == ["mountain"]
    expect(figure).to_have_attribute("data-value", "3")  # the ward household is urban
    expect(page.locator("form.dash-filters select[name='region']")).to_have_value("mountain")

    assert problems == []
    elsewhere = [url for url in urls if urlsplit(url).hostname != "127.0.0.1"]
    assert urls and elsewhere == []


def test_commune_official_reclassifies_a_household_of_the_commune(page, account, households):
    official = account("official")  # Đạo Trù only
    _log_in(page, official)
    page.wait_for_url("**/official/")

    page.goto("/official/households")
    rows = page.locator("#households tbody tr[data-household]")
    expect(rows).to_have_count(3)
    codes = {rows.nth(i).get_attribute("data-household") for i in range(rows.count())}
    assert codes == {"H-POOR", "H-NEAR", "H-RICH"}

    rows.filter(has=page.locator("[data-value='H-POOR']")).get_by_role("link").click()
    page.wait_for_url(f"**/official/households/{households['H-POOR']}*")
    expect(page.locator("#official-status")).to_have_attribute("data-value", "poor")
    form = page.locator("form#reclassify")
    form.locator("select[name='official_status']").select_option("near_poor")
    reason = "Thu nhập kiểm tra tại hộ ngày 20/11, cán bộ xã xác nhận."
    form.locator("textarea[name='reason']").fill(reason)
    form.locator("[type='submit']").click()

    page.wait_for_url("**#status")
    expect(page.locator("#official-status")).to_have_attribute("data-value", "near_poor")
    change = page.locator("#status tr[data-status='near_poor']")
    expect(change).to_have_count(1)
    expect(change).to_contain_text(reason)

    response = page.goto(f"/official/households/{households['H-WARD']}")
    assert response is not None and response.status == 404
    expect(page.locator(".error-page .status-code")).to_have_text("404")
    expect(page.locator("#household")).to_have_count(0)


def test_public_impact_shows_suppressed_cells_as_a_dash(page, households):
    response = page.goto("/impact")
    assert response is not None and response.ok
    total = page.locator("td[data-key='region.total.households']")
    expect(total).to_have_attribute("data-value", "")  # 4 households: fewer than 10
    expect(total.locator("abbr")).to_have_text("–")
    expect(page.locator("body")).not_to_contain_text("H-POOR")


SMALLEST_SVG_TEXT = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll("svg.chart text")) {
    if (!text.getClientRects().length) continue;  // in the drawing not shown
    const scale = text.getScreenCTM().a;  // user units to CSS px
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
  }
  return sizes.length ? Math.min(...sizes) : null;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_chart_text_is_at_least_12_px(new_page, account, households, width):
    """Every chart's text on the dashboard's parts, measured as drawn (the /impact chart is
    measured on the demo: here its 4 households are too few to be shown)."""
    official = account("official", province_wide=True)
    page = new_page(viewport={"width": width, "height": 740})
    _log_in(page, official)
    page.wait_for_url("**/official/")
    for slug in (*CHARTS, "supports"):
        page.goto(f"/official/?section={slug}")
        smallest = page.evaluate(SMALLEST_SVG_TEXT)
        assert smallest is not None and smallest >= 12, (slug, smallest)
