"""The public pages in a real browser: language, login, no third-party requests, phone width."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_is_vietnamese_by_default_and_switches_to_english(page):
    page.goto("/")  # the browser asks for en-US: the pages stay Vietnamese until one switches
    header = page.locator(".site-header")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".lang-switch [aria-current]")).to_have_text("Tiếng Việt")
    expect(header.get_by_role("link", name="Đăng nhập")).to_be_visible()
    heading_vi = page.locator("h1").inner_text()

    page.locator(".lang-switch").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".lang-switch [aria-current]")).to_have_text("English")
    expect(header.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator("h1")).not_to_have_text(heading_vi)
    heading_en = page.locator("h1").inner_text()

    page.locator(".lang-switch").get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text(heading_vi)
    assert heading_vi != heading_en


def test_manager_logs_in_through_the_form_and_out(page, account):
    manager = account("manager", name="Triệu Thị Mai")
    page.goto("/login")
    form = page.locator("main form")
    form.locator("input[name='email']").fill(manager.email)
    form.locator("input[name='password']").fill(manager.password)
    form.locator("[type='submit']").click()

    page.wait_for_url("**/")
    header = page.locator(".site-header")
    expect(header.locator(".who")).to_contain_text("Triệu Thị Mai")

    header.locator(".logout-form [type='submit']").click()
    expect(header.locator(".who")).to_have_count(0)
    expect(header.locator("a[href='/login']")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/docs"])
def test_pages_request_nothing_beyond_the_server(page, path):
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    response = page.goto(path, wait_until="networkidle")
    assert response is not None and response.ok
    assert urls, "no request was recorded"
    elsewhere = [url for url in urls if urlsplit(url).hostname != "127.0.0.1"]
    assert elsewhere == []


@pytest.mark.parametrize("path", ["/", "/login"])
def test_page_fits_a_phone_screen(new_page, path, tmp_path):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(path, wait_until="networkidle")
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360 + 1, f"{path} scrolls sideways: {scroll_width}px wide"


def test_tiles_have_no_bullets_and_definition_lists_are_styled(page):
    """The tiles of a dashboard (`ul.cards`) show no list bullets between them; a definition
    list sets its term in bold above a value that starts at the left edge."""
    page.goto("/")
    styles = page.evaluate(
        """() => {
            document.querySelector("main").insertAdjacentHTML("beforeend",
                '<ul class="cards four" id="t"><li class="card">1</li><li class="card">2</li></ul>'
                + '<dl id="d"><dt>Đặt lúc</dt><dd>27/11/2026</dd></dl>');
            const li = getComputedStyle(document.querySelector("#t li"));
            const dt = getComputedStyle(document.querySelector("#d dt"));
            const dd = getComputedStyle(document.querySelector("#d dd"));
            return {marker: li.listStyleType, weight: dt.fontWeight, indent: dd.marginLeft};
        }"""
    )
    assert styles == {"marker": "none", "weight": "700", "indent": "0px"}
