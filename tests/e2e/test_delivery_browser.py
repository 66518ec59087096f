"""Recording deliveries in a browser, in Vietnamese: the dashboard panel with the keyboard, and
the confirmation of an unusual entry on the lot page without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from linkage.extensions import db
from models import utcnow

from ..factories_listings import make_collection
from ..factories_valuechain import lot_of, member_of
from .conftest import Account

pytestmark = pytest.mark.browser

MAX_TABS_TO_SUBMIT = 10  # issue 11: at most 10 Tab stops from the page top to the button
PANEL_SUBMIT = "#record-delivery form[data-delivery-form] [type='submit']"


@dataclass(frozen=True)
class Setting:
    manager: Account
    cooperative_id: int
    lot_id: int
    lot_code: str


@pytest.fixture
def setting(make_user) -> Setting:
    """A manager whose cooperative has an empty lot of fresh ba kích and two members; Dương Thị
    Liên delivered 200 kg at 75.000 ₫ last week (so 1.200 kg at 80.000 ₫ is plausible)."""
    user = make_user("manager", name="Triệu Thị Mai")
    cooperative = user.cooperatives[0]
    lien = member_of(cooperative, code="DT-0007", head_name="Dương Thị Liên")
    member_of(cooperative, code="DT-0008", head_name="Triệu Văn Sơn")
    earlier = lot_of(cooperative, "200")
    make_collection(earlier, lien, "200", 75_000, utcnow() - timedelta(days=7))
    lot = lot_of(cooperative)
    db.session.commit()
    made = Setting(
        Account(email=user.email, name=user.name, role="manager"),
        cooperative.id,
        lot.id,
        lot.code,
    )
    db.session.commit()  # ends the transaction that reading the attributes began
    return made


def _log_in(page, account: Account) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.locator("input[name='email']").fill(account.email)
    form.locator("input[name='password']").fill(account.password)
    form.locator("[type='submit']").click()


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def _tabs_to(page, selector: str, limit: int) -> int:
    """Press Tab until the element matching `selector` has the focus; how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return presses
    pytest.fail(f"{limit} Tab presses did not reach {selector}")


def test_record_a_delivery_from_the_dashboard_in_vietnamese(page, setting):
    problems: list[str] = []
    urls: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: urls.append(request.url))
    dashboard = f"/manage/{setting.cooperative_id}/"
    _log_in(page, setting.manager)
    page.wait_for_url(f"**{dashboard}")
    expect(page.locator(".flashes")).to_be_focused()  # "welcome": Tab goes on into the panel
    assert _tabs_to(page, PANEL_SUBMIT, MAX_TABS_TO_SUBMIT) <= MAX_TABS_TO_SUBMIT

    page.goto(dashboard)  # as the manager opens it any day, without a message
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    panel = page.locator("#record-delivery")
    expect(panel).to_be_focused()  # the page opens on "Record a delivery"
    assert _tabs_to(page, PANEL_SUBMIT, MAX_TABS_TO_SUBMIT) <= MAX_TABS_TO_SUBMIT

    # from the very top of the page: the skip link is the first stop (focused here as the
    # first Tab from the top would), Enter skips the menus, then Tab into the panel
    assert page.evaluate(
        "document.querySelector('a[href], button, input, select') === "
        "document.querySelector('.skip-link')"
    )
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    assert 1 + _tabs_to(page, PANEL_SUBMIT, MAX_TABS_TO_SUBMIT - 1) <= MAX_TABS_TO_SUBMIT

    form = panel.locator("form[data-delivery-form]")
    form.locator("select[name='lot_id']").select_option(str(setting.lot_id))
    form.locator("input[name='household']").fill("lien")
    form.locator("input[name='quantity']").fill("1.200")
    form.locator("input[name='unit_price_vnd']").fill("80.000")
    summary = form.locator("[data-delivery-summary]")
    expect(summary).to_be_visible()
    expect(summary.locator("[data-show='quantity']")).to_have_text("1.200 kg")
    expect(summary.locator("[data-show='price']")).to_have_text("80.000 ₫/kg")
    expect(summary.locator("[data-show='amount']")).to_have_text("96.000.000 ₫")
    form.locator("[type='submit']").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{dashboard}?new=*")
    message = page.locator(".flashes")
    expect(message).to_contain_text("1.200 kg")
    expect(message).to_contain_text("96.000.000 ₫")
    expect(message).to_contain_text("DT-0007 (Dương Thị Liên)")
    expect(message).to_be_focused()
    newest = page.locator("#recent-deliveries tbody tr").first
    expect(newest).to_have_class("is-new")
    expect(newest).to_contain_text(setting.lot_code)
    expect(newest).to_contain_text("1.200 kg")
    expect(newest).to_contain_text("96.000.000 ₫")
    expect(page.locator("body")).to_contain_text("96.000.000 ₫")
    # the next delivery: same lot, a few Tab stops away from the message
    expect(page.locator("#record-delivery select[name='lot_id']")).to_have_value(
        str(setting.lot_id)
    )
    assert _tabs_to(page, PANEL_SUBMIT, MAX_TABS_TO_SUBMIT) <= MAX_TABS_TO_SUBMIT

    assert problems == []
    elsewhere = [url for url in urls if urlsplit(url).hostname != "127.0.0.1"]
    assert urls and elsewhere == []


def test_an_unusual_delivery_is_confirmed_without_javascript(new_page, setting):
    page = new_page(java_script_enabled=False)
    _log_in(page, setting.manager)
    page.wait_for_url(f"**/manage/{setting.cooperative_id}/")
    lot_page = f"/manage/{setting.cooperative_id}/lots/{setting.lot_id}"
    page.goto(lot_page)
    form = page.locator("form[data-delivery-form]")
    expect(form.locator("[data-delivery-summary]")).to_be_hidden()  # a script would show it

    form.locator("select[name='household_id']").select_option(label="DT-0007 — Dương Thị Liên")
    form.locator("input[name='unit_price_vnd']").fill("300000")
    form.locator("[type='submit']").click()
    expect(page.locator(".error-summary")).to_be_focused()  # no quantity

    form.locator("input[name='quantity']").fill("10")
    form.locator("[type='submit']").click()
    confirm = page.locator("#confirm")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("DT-0007 — Dương Thị Liên")
    expect(confirm).to_contain_text("10 kg")
    expect(confirm).to_contain_text("300.000 ₫/kg")
    expect(confirm).to_contain_text("3.000.000 ₫")
    expect(confirm.locator("[data-concern='price_high']")).to_contain_text("75.000 ₫/kg")
    expect(page.locator("#deliveries tbody tr")).to_have_count(0)  # nothing written yet

    confirm.locator("[type='submit']").click()
    page.wait_for_url(f"**{lot_page}?new=*")
    expect(page.locator(".flashes")).to_be_focused()
    expect(page.locator(".flashes")).to_contain_text("3.000.000 ₫")
    rows = page.locator("#deliveries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_class("is-new")
    expect(rows.first).to_contain_text("3.000.000 ₫")
