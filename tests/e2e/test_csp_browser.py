"""The Content-Security-Policy in a real browser: no page needs an inline script or style, so
the browser reports no violation on the public pages, the manager's pages (with the delivery
script, the QR label) and the official's dashboard (server-made SVG charts)."""

from __future__ import annotations

from typing import Any

import pytest

from linkage.extensions import db
from linkage.http_headers import CONTENT_SECURITY_POLICY

from ..factories import LotFactory
from .conftest import Account
from .test_delivery_browser import _log_in

pytestmark = pytest.mark.browser

# runs before any page script; the policy does not apply to it (it comes from the browser)
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} line ${e.lineNumber}`);
});
"""


def _watched(page: Any) -> list[str]:
    problems: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _visit(page: Any, path: str) -> list[str]:
    response = page.goto(path)
    assert response.status == 200, path
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page.wait_for_load_state("load")
    return page.evaluate("window.__violations")


def test_public_pages_break_no_rule(page):
    problems = _watched(page)
    for path in ("/", "/catalog", "/impact", "/api/v1/docs", "/login", "/register"):
        assert _visit(page, path) == [], path
    assert problems == []


def test_the_managers_pages_break_no_rule(page, make_user):
    user = make_user("manager", name="Triệu Thị Mai")
    lot = LotFactory(cooperative=user.cooperatives[0])
    db.session.commit()
    manager = Account(email=user.email, name=user.name, role="manager")
    paths = (f"/manage/{lot.cooperative_id}/", f"/manage/{lot.cooperative_id}/lots/{lot.id}/label")
    db.session.commit()  # ends the transaction that reading the attributes began
    problems = _watched(page)
    _log_in(page, manager)
    page.wait_for_load_state("load")
    for path in paths:
        assert _visit(page, path) == [], path
    # the delivery script ran: it fills the summary as the manager types
    page.goto(paths[0])
    form = page.locator("#record-delivery form[data-delivery-form]")
    form.locator("input[name='quantity']").fill("12,5")
    form.locator("input[name='unit_price_vnd']").fill("80.000")
    summary = form.locator("[data-delivery-summary] [data-show='amount']")
    summary.wait_for()
    assert summary.inner_text() == "1.000.000 ₫"
    assert page.evaluate("window.__violations") == []
    assert problems == []


def test_the_officials_dashboard_breaks_no_rule(page, account):
    official = account("official", province_wide=True)
    problems = _watched(page)
    _log_in(page, official)
    page.wait_for_load_state("load")
    assert _visit(page, "/official/") == []
    assert problems == []
