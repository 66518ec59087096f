"""Keyboard-only journeys (issue 15, point 6): a manager records a delivery, a buyer places an
order, an official filters the dashboard and downloads an export, with Tab, Shift+Tab, Enter,
Space, the arrow keys and typing only (no clicks), in Vietnamese and English, on a phone and
a desktop. Every page is audited by axe-core (see conftest.py); each journey's last page is
saved in tests/e2e/artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from linkage.extensions import db
from models import Collection, Order

from ..factories_listings import ListingFactory
from .conftest import SIZES, Account
from .test_delivery_browser import setting  # noqa: F401 - a fixture
from .test_official_browser import households  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("size", list(SIZES)),
    pytest.mark.parametrize("lang", ["vi", "en"]),
]

MAX_TABS = 120
# numbers as each language writes them
THOUSANDS = {"vi": "1.200", "en": "1,200"}
PRICE = {"vi": "80.000", "en": "80,000"}
AMOUNT = {"vi": "96.000.000 ₫", "en": "96,000,000 ₫"}


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement?.matches(s) === true", selector)


def tab_to(page, selector: str, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for _press in range(MAX_TABS):
        page.keyboard.press(key)
        if _focused(page, selector):
            return
    pytest.fail(f"{MAX_TABS} presses of {key} did not reach {selector}")


def log_in(page, account: Account) -> None:
    """The login form, with the keyboard: Tab to each field, type, Enter."""
    page.goto("/login")
    tab_to(page, "input[name='email']")
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    assert _focused(page, "input[name='password']")
    page.keyboard.type(account.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_manager_records_a_delivery_with_the_keyboard(new_page, setting, lang, size):  # noqa: F811
    page = new_page(lang=lang, size=size, screenshot=True)
    dashboard = f"/manage/{setting.cooperative_id}/"
    log_in(page, setting.manager)
    page.wait_for_url(f"**{dashboard}")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # a failed submit first: the focus moves to the error summary
    tab_to(page, "#record-delivery [type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/deliveries*")
    expect(page.locator(".error-summary")).to_be_focused()

    # the lot: the arrow keys choose in the list; the household, quantity and price are typed
    tab_to(page, "#record-delivery select[name='lot_id']")
    lot = page.locator("#record-delivery select[name='lot_id']")
    for _press in range(5):
        if lot.input_value() == str(setting.lot_id):
            break
        page.keyboard.press("ArrowDown")
    expect(lot).to_have_value(str(setting.lot_id))
    tab_to(page, "#record-delivery input[name='household']")
    page.keyboard.type("lien")
    tab_to(page, "#record-delivery input[name='quantity']")
    page.keyboard.type(THOUSANDS[lang])
    page.keyboard.press("Tab")
    assert _focused(page, "#record-delivery input[name='unit_price_vnd']")
    page.keyboard.type(PRICE[lang])
    # Shift+Tab back to the quantity and on again: nothing typed is lost
    page.keyboard.press("Shift+Tab")
    assert _focused(page, "#record-delivery input[name='quantity']")
    tab_to(page, "#record-delivery [type='submit']")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{dashboard}?new=*")
    expect(page.locator(".flashes")).to_be_focused()
    expect(page.locator(".flashes")).to_contain_text(AMOUNT[lang])
    newest = page.locator("#recent-deliveries tbody tr").first
    expect(newest).to_have_class("is-new")
    expect(newest).to_contain_text(setting.lot_code)
    saved = db.session.scalars(db.select(Collection).where(Collection.lot_id == setting.lot_id))
    assert [(c.quantity, c.unit_price_vnd) for c in saved] == [(Decimal("1200"), 80_000)]
    db.session.commit()  # ends the read's transaction before the browser writes again


@pytest.fixture
def listing(app, make_user) -> tuple[Account, int, str]:
    """A buyer, and an active listing of 100 kg with a 5 kg minimum."""
    user = make_user("buyer", name="Nguyễn Văn Hùng")
    made = ListingFactory(title="Ba kích khô rút lõi")
    db.session.commit()
    buyer = Account(email=user.email, name=user.name, role="buyer")
    answer = (buyer, made.id, made.title)
    db.session.commit()  # ends the transaction that reading the attributes began
    return answer


def test_buyer_places_an_order_with_the_keyboard(new_page, listing, lang, size):
    buyer, listing_id, title = listing
    page = new_page(lang=lang, size=size, screenshot=True)
    log_in(page, buyer)

    # the catalog from the main navigation, then the listing, then "Order"
    tab_to(page, ".main-nav a[href='/catalog']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/catalog")
    tab_to(page, f"main a[href='/listings/{listing_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/listings/{listing_id}")
    tab_to(page, f"main a[href$='/listings/{listing_id}/order']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/listings/{listing_id}/order")
    expect(page.locator("h1")).to_contain_text(title)

    # below the minimum: refused, the focus on the error summary, nothing written
    tab_to(page, "input[name='quantity']")
    page.keyboard.type("2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    db.session.commit()

    # the summary's link leads to the field (Enter), which is corrected; Space on the button
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    tab_to(page, "input[name='quantity']")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    tab_to(page, "main form [type='submit']")
    page.keyboard.press("Space")

    page.wait_for_url("**/orders/*")
    expect(page.locator(".flashes")).to_be_focused()
    placed = db.session.scalars(db.select(Order)).all()
    assert len(placed) == 1
    assert [line.quantity for line in placed[0].lines] == [Decimal("12")]
    db.session.commit()


def test_official_filters_the_dashboard_and_downloads_with_the_keyboard(
    new_page,
    account,
    households,  # noqa: F811
    lang,
    size,
):
    official = account("official", province_wide=True)
    page = new_page(lang=lang, size=size, screenshot=True)
    log_in(page, official)
    page.wait_for_url("**/official/")
    figure = page.locator("[data-figure='households']")
    expect(figure).to_have_attribute("data-value", str(len(households)))

    # the region: a select, chosen with the arrow keys; then Enter on the button
    tab_to(page, "form.dash-filters select[name='region']")
    region = page.locator("form.dash-filters select[name='region']")
    for _press in range(8):
        if region.input_value() == "mountain":
            break
        page.keyboard.press("ArrowDown")
    expect(region).to_have_value("mountain")
    tab_to(page, "form.dash-filters [type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/official/?*region=mountain*")
    expect(figure).to_have_attribute("data-value", "3")  # the ward household is urban

    # the workbook of every table, for the filtered view
    tab_to(page, "a[download][href*='region=mountain']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "region=mountain" in download.url
    path = download.path()
    assert path is not None
    with open(path, "rb") as workbook:
        assert workbook.read(2) == b"PK"  # an XLSX file is a zip archive
