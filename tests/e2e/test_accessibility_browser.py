"""Accessibility in a real browser (issue 15, point 6): the pages of every audience in both
languages, on a phone and a desktop, audited by axe-core (see conftest.py), with a focus ring
of at least 3:1 on every Tab stop; the focus on the error summary after a failed submit; and
the audit itself shown to catch a violation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from linkage.extensions import db
from models import Collection

from ..factories import DAO_TRU, HouseholdFactory
from ..factories_orders import accepted, make_lot, make_market, shipped
from .conftest import AUDIT, SIZES, Account
from .focus_ring import focus_ring_problems
from .test_keyboard_journeys import log_in, tab_to

pytestmark = pytest.mark.browser

LANGUAGES = ["vi", "en"]


@dataclass(frozen=True)
class Province:
    """A cooperative with a lot, a listing, a shipped order, a member household; its users."""

    manager: Account
    buyer: Account
    official: Account
    admin: Account
    cooperative_id: int
    listing_id: int
    lot_id: int
    lot_code: str
    order_id: int
    accepted_order_id: int
    household_id: int


def _account(user) -> Account:
    return Account(email=user.email, name=user.name, role=user.role.value)


@pytest.fixture
def province(make_user) -> Province:
    market = make_market(make_user, locale="vi")
    lot = make_lot(market.cooperative, "50", households=1)
    order = shipped(market, lot)
    waiting = accepted(market, "5")  # to be shipped: the manager's order page has its form
    household_id = db.session.scalars(
        db.select(Collection.household_id).where(Collection.lot_id == lot.id)
    ).first()
    HouseholdFactory(code="DT-0099", commune_code=DAO_TRU)
    official = make_user("official")  # Đạo Trù
    admin = make_user("admin")
    db.session.commit()
    made = Province(
        manager=_account(market.manager),
        buyer=_account(market.buyer),
        official=_account(official),
        admin=_account(admin),
        cooperative_id=market.cooperative.id,
        listing_id=market.listing.id,
        lot_id=lot.id,
        lot_code=lot.code,
        order_id=order.id,
        accepted_order_id=waiting.id,
        household_id=household_id,
    )
    db.session.commit()  # ends the transaction that reading the attributes began
    return made


def _pages(role: str, p: Province) -> list[str]:
    manage = f"/manage/{p.cooperative_id}"
    return {
        "anonymous": [
            "/",
            "/catalog",
            f"/listings/{p.listing_id}",
            f"/cooperatives/{p.cooperative_id}",
            "/impact",
            f"/trace/{p.lot_code}",
            "/register",
        ],
        "manager": [
            f"{manage}/",
            f"{manage}/households",
            f"{manage}/households/{p.household_id}/statement",
            f"{manage}/lots/{p.lot_id}",
            f"{manage}/listings",
            f"{manage}/orders",
            f"{manage}/orders/{p.order_id}",
            f"{manage}/payments",
            f"{manage}/profile",
        ],
        "buyer": ["/orders", f"/orders/{p.order_id}", "/account", "/notices"],
        "official": ["/official/", "/official/households", "/official/review"],
        "admin": ["/admin/cooperatives", "/admin/users", "/admin/audit"],
    }[role]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ["anonymous", "manager", "buyer", "official", "admin"])
def test_the_pages_of_each_audience_pass_axe_and_show_the_focus(
    new_page, province, role, lang, size
):
    page = new_page(lang=lang, size=size, screenshot=True)
    if role != "anonymous":
        log_in(page, getattr(province, role))
        page.wait_for_load_state("load")
        expect(page.locator(".site-header .who")).to_be_visible()
    problems: list[str] = []
    for path in _pages(role, province):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", lang)
        problems += focus_ring_problems(page)
    assert problems == [], "\n".join(problems)
    # axe-core audits each page as the next one is opened, and the last when the test ends


# the forms, each left empty and sent: (page, the form's button)
ANY_FORM = "main form [type='submit']"
FAILED_FORMS = {
    "anonymous": [("/login", ANY_FORM), ("/register", ANY_FORM)],
    "manager": [
        ("/manage/{c}/households/new", ANY_FORM),
        ("/manage/{c}/lots/new", ANY_FORM),
        ("/manage/{c}/listings/new", ANY_FORM),
        ("/manage/{c}/orders/{a}", "form[action$='/ship'] [type='submit']"),
    ],
    "buyer": [("/listings/{l}/order", ANY_FORM)],
}


@pytest.mark.parametrize("role", list(FAILED_FORMS))
def test_the_focus_moves_to_the_error_summary_after_a_failed_submit(new_page, province, role):
    page = new_page(lang="en", size="360x740")
    if role != "anonymous":
        log_in(page, getattr(province, role))
        page.wait_for_load_state("load")
    for template, button in FAILED_FORMS[role]:
        path = template.format(
            c=province.cooperative_id, l=province.listing_id, a=province.accepted_order_id
        )
        page.goto(path)
        tab_to(page, button)
        with page.expect_navigation():
            page.keyboard.press("Enter")  # every field left empty
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("li").first).to_be_visible()
        # the summary's links lead to the fields
        for link in summary.locator("a[href^='#']").all():
            target = link.get_attribute("href")
            assert page.locator(target).count() == 1, f"{path}: {target}"


def test_the_audit_catches_a_violation(new_page, live_server, request):
    """The harness itself: a page with an unlabelled field and an image without text is
    reported, with the rule, the element and the page's language and size."""
    page = new_page(size="360x740")
    probe = f"{live_server}/a11y-probe"
    page.route(
        probe,
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="en"><meta name="viewport" '
            'content="width=device-width"><title>Probe</title><main>'
            '<img src="/static/img/logo.svg"><input type="text"></main></html>',
        ),
    )
    page.goto(probe)
    audit = request.node.stash[AUDIT]
    audit.check(page)
    (report,) = audit.reports.values()
    rules = {violation["rule"] for violation in report.violations}
    assert {"image-alt", "label"} <= rules
    text = "\n".join(report.lines())
    assert "a11y-probe (lang=en, 360x740)" in text
    assert "[critical] image-alt" in text and "<img" in text
    report.violations.clear()  # the probe's violations are the expected result, not a failure
    page.goto("/login")  # the next page is audited as usual
