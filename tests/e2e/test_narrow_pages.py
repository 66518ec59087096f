"""Small screens first (issue 15): no page of the demo is wider than a 360 px phone.

For each role, Chromium at 360 x 740 crawls the demo the way tests/test_links.py does (the same
starting points and patterns, one URL per pattern: each kind of page once, in the language
the crawl has switched to when it gets there) and measures every HTML page it reaches:
`document.documentElement.scrollWidth` must stay within the screen. The demo gets two more
listings of the manager's cooperative: one with a 200-character title without a space, and
one, saved before the text rule refused them, whose title stacks accents high.

Lists of records become a card per row below 600 px and stay tables for screen readers; at
1280 px the manager's households list shows every column, its edit links included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from linkage.extensions import db
from linkage.seed.demo import DEMO_PASSWORD
from linkage.services.listings.commands import create_listing
from models import User

from ..conftest import demo_database
from ..test_links import ANONYMOUS_START, DEMO_PAYMENTS, LOGINS, Crawl
from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ROLES = ("anonymous", "buyer", "manager", "official-commune", "official-province", "admin")
LONG_TITLE = ("Giảocổlamkhôthượnghạng" * 10)[:200]
STACKED_TITLE = "Ba kích" + "\u0301\u0300\u0303\u0309\u0323" * 8 + " Tân Sơn"
ARTIFACTS = Path(__file__).parent / "artifacts"

# the page's width, the elements sticking out of it (outside any scroll box) and its GET links
MEASURE = """() => {
  const width = document.documentElement.scrollWidth;
  const limit = document.documentElement.clientWidth;
  const out = [];
  if (width > limit) {
    const boxed = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit + 1 && r.width > 0 && !boxed(el)) {
        out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)}px)`);
        if (out.length >= 3) break;
      }
    }
  }
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() === 'get') {
      links.push(form.getAttribute('action') || '');
    }
  }
  return {width, out, links};
}"""


@dataclass(frozen=True)
class Site:
    cooperative_id: int
    long_listing_id: int
    stacked_listing_id: int


@pytest.fixture(scope="module")
def site(database_url: str, _schema: None, live_server: str) -> Iterator[Site]:
    """The demo, served by the live server, with the two listings above."""
    with demo_database(database_url):
        manager = db.session.scalar(db.select(User).where(User.email == LOGINS["manager"]))
        cooperative = manager.cooperatives[0]
        values = {
            "product_code": "PT-BA-KICH-KHO",
            "unit_price_vnd": 350_000,
            "quantity_available": Decimal("50"),
            "min_order_quantity": Decimal("1"),
            "status": "active",
        }
        stacked = create_listing(manager, cooperative, {**values, "title": "Ba kích Tân Sơn"})
        stacked.title = STACKED_TITLE  # as saved before the rule of linkage.plain_text
        db.session.flush()
        long = create_listing(manager, cooperative, {**values, "title": LONG_TITLE})
        made = Site(cooperative.id, long.id, stacked.id)
        db.session.commit()
        db.session.close()  # no transaction left open: the live server writes the audit log
        yield made


@dataclass
class PhoneCrawl(Crawl):
    """The crawler of tests/test_links.py, visiting with a browser page and measuring."""

    page: Any = None
    wide: list[str] = field(default_factory=list)
    measured: set[str] = field(default_factory=set)

    def visit(self, url: str, found_on: str) -> list[str]:
        from playwright.sync_api import Error

        try:
            response = self.page.goto(url, wait_until="load")
        except Error as error:
            if "Download is starting" in str(error):
                return []  # an export: nothing to lay out
            raise
        assert response is not None
        final = urlsplit(self.page.url)
        here = urlunsplit(("", "", final.path, final.query, ""))
        self.visited.add(here)  # a redirect's target is measured here
        if response.status != 200:
            self.bad.append(f"{url} (on {found_on}): {response.status}")
            return []
        redirected = response.request.redirected_from is not None
        if self.authenticated and redirected and final.path == "/login":
            self.bad.append(f"{url} (on {found_on}): sends a logged-in user to the login")
        if not response.headers.get("content-type", "").startswith("text/html"):
            return []  # a JSON document or a file shown inline
        result = self.page.evaluate(MEASURE)
        self.measured.add(here)
        if result["width"] > PHONE["width"]:
            self.wide.append(f"{here}: {result['width']}px wide; sticking out: {result['out']}")
        links = (self.local(href, here) for href in result["links"])
        return [link for link in links if link is not None and link not in self.visited]

    def check_asset(self, url: str, found_on: str) -> None:
        """The browser loads the page's files itself; test_links checks them."""


def _login(browser: Any, live_server: str, email: str | None, **options: Any) -> Any:
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if email is not None:
        page.goto("/login")
        form = page.locator("main form")
        form.locator("input[name='email']").fill(email)
        form.locator("input[name='password']").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            form.locator("[type='submit']").click()
        assert urlsplit(page.url).path != "/login", f"{email}: the demo login fails"
    return page


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"narrow-{name}-360.png"), full_page=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_360_px_phone(browser, live_server, site, role):
    page = _login(
        browser, live_server, LOGINS[role], viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        start: tuple[str, ...] = ANONYMOUS_START
        if LOGINS[role] is not None:
            start = ("/", urlsplit(page.url).path)  # the role's home, as test_links starts
        if role == "anonymous":
            start += (f"/listings/{site.long_listing_id}",)
        if role in ("manager", "admin"):
            start += (
                f"/manage/{site.cooperative_id}/listings",
                DEMO_PAYMENTS.format(id=site.cooperative_id),
            )
        crawl = PhoneCrawl(
            client=None, authenticated=LOGINS[role] is not None, variants=1, page=page
        )
        crawl.run(start)
    finally:
        page.context.close()

    assert not crawl.bad, f"{role}: pages that fail:\n" + "\n".join(crawl.bad)
    assert not crawl.wide, f"{role}: pages wider than 360 px:\n" + "\n".join(crawl.wide)
    assert len(crawl.measured) > 10, f"{role}: the crawl found almost nothing"
    if role == "anonymous":  # the 200-character title, on the catalog and on its own page
        assert {"/catalog", f"/listings/{site.long_listing_id}"} <= crawl.measured
    if role == "manager":
        assert f"/manage/{site.cooperative_id}/listings" in crawl.measured


def test_records_are_cards_on_a_phone_and_stay_tables(browser, live_server, site):
    page = _login(
        browser, live_server, LOGINS["buyer"], viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        page.goto("/orders")
        table = page.locator("table.records")
        row = table.locator("tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "flex"
        header = table.locator("thead")
        assert header.evaluate("h => h.getBoundingClientRect().width") <= 1  # visually hidden
        placed = row.locator("td[data-label]").nth(1)
        label = placed.get_attribute("data-label")
        before = placed.evaluate("c => getComputedStyle(c, '::before').content")
        assert label and label in before
        _screenshot(page, "buyer-orders")

        # screen readers still meet a table, its column headers and cells, and the cells'
        # names do not repeat the visible labels
        cdp = page.context.new_cdp_session(page)
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        roles = {n.get("role", {}).get("value") for n in nodes}
        assert {"table", "row", "columnheader", "rowheader"} <= roles, roles
        assert roles & {"cell", "gridcell"}, roles
        texts = [
            n.get("name", {}).get("value", "")
            for n in nodes
            if n.get("role", {}).get("value") in ("cell", "gridcell", "StaticText")
        ]
        assert not [t for t in texts if t.startswith(f"{label}:")], texts[:10]

        page.set_viewport_size(DESKTOP)  # wide screens keep the table
        assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    finally:
        page.context.close()


def test_households_list_shows_every_column_at_1280(browser, live_server, site):
    page = _login(browser, live_server, LOGINS["manager"], viewport=DESKTOP)
    try:
        page.goto(f"/manage/{site.cooperative_id}/households")
        box = page.locator(".table-scroll").first
        sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, b.getBoundingClientRect().right]")
        assert sizes[0] <= sizes[1], f"the table scrolls at 1280 px: {sizes}"
        edit_links = box.locator("tbody a[href$='/edit']")
        assert edit_links.count() > 0
        rights = edit_links.evaluate_all("links => links.map(a => a.getBoundingClientRect().right)")
        assert max(rights) <= sizes[2]
        income = box.locator("thead th").nth(7)
        assert income.evaluate("th => th.getBoundingClientRect().right") <= sizes[2]
        assert income.is_visible()
    finally:
        page.context.close()


def test_stacked_accents_do_not_paint_over_the_card_above(browser, live_server, site):
    page = _login(browser, live_server, None, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page.goto("/catalog")
        card = page.locator(
            "article.card", has=page.locator(f"a[href='/listings/{site.stacked_listing_id}']")
        )
        top = card.evaluate("c => c.getBoundingClientRect().top + window.scrollY")
        above = {"x": 0, "y": max(0, top - 120), "width": PHONE["width"], "height": min(120, top)}
        with_marks = page.screenshot(clip=above, full_page=True)
        card.locator("h3 a").evaluate("a => { a.textContent = 'Ba kích Tân Sơn'; }")
        without_marks = page.screenshot(clip=above, full_page=True)
        assert with_marks == without_marks, "the title's accents paint over what is above it"
        long_card = page.locator(
            "article.card", has=page.locator(f"a[href='/listings/{site.long_listing_id}']")
        )
        assert long_card.evaluate("c => c.getBoundingClientRect().right") <= PHONE["width"]
        _screenshot(page, "catalog")
    finally:
        page.context.close()
