"""Browser fixtures: a live server on the test database and Debian's Chromium via playwright.

The e2e tests skip when /usr/bin/chromium (or playwright) or axe-core is absent, unless
LINKAGE_REQUIRE_BROWSER=1: then absence is a failure, as CI requires. Every page a test opens
is audited with axe-core (see a11y.py); a test fails on a serious or critical violation, and
the last page of each test is saved as a screenshot in tests/e2e/artifacts/.

Data for a browser test is made through the `app` fixture's session, then the transaction is
ended before the browser acts: outside a request every SQLite transaction starts with
BEGIN IMMEDIATE, so a test that merely reads an attribute after a commit would hold the write
lock and the live server's next write would wait for it. `account` does this for users.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from linkage.extensions import db

from ..conftest import PASSWORD, REQUIRE_BROWSER, make_app
from .a11y import RUNNER, Audit, artifact_name, axe_core_path, guard_actions, guard_locators

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"360x740": PHONE, "1280x800": DESKTOP}
AUDIT = pytest.StashKey[Audit]()


def _browser_absent(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"LINKAGE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(database_url: str, _schema: None) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1, on the same database as the tests."""
    # the real forms, CSRF token included; no figures kept between tests (each makes its own)
    app = make_app(
        database_url, WTF_CSRF_ENABLED=True, CACHE_TYPE="NullCache", CACHE_NO_NULL_WARNING=True
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, launched once per test process."""
    if not CHROMIUM.exists():
        _browser_absent(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-core)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_absent("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core's script, installed by `.ci/run` (see a11y.axe_core_path)."""
    path = axe_core_path()
    if not path.is_file():
        _browser_absent(f"axe-core is missing at {path} (.ci/run installs it; or set AXE_CORE_JS)")
    return path


@pytest.fixture
def new_page(
    browser: Any,
    live_server: str,
    app: Flask,
    axe_js: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Any]]:
    """Opens pages in fresh browser contexts (own cookies) with the live server as base URL,
    every document audited by axe-core. `lang` ("vi", "en") chooses the language first;
    `size` ("360x740", "1280x800") the viewport; with `screenshot`, the page's last state is
    saved in tests/e2e/artifacts/ when the test ends.

    It depends on `app` so that the browser is closed before the tables are emptied.
    """
    contexts: list[Any] = []
    audit = Audit(browser=browser, axe_js=axe_js)
    audits: dict[int, Audit] = {}
    guard_locators(monkeypatch, audits)
    request.node.stash[AUDIT] = audit

    def open_page(
        lang: str | None = None,
        size: str | None = None,
        screenshot: bool = False,
        **context_options: Any,
    ) -> Any:
        if size is not None:
            context_options["viewport"] = SIZES[size]
            if size == "360x740":
                context_options.update(is_mobile=True, has_touch=True)
        context = browser.new_context(base_url=live_server, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=str(axe_js))
        context.add_init_script(script=RUNNER)
        contexts.append(context)
        page = context.new_page()
        audit.watch(page, {"base_url": live_server, "screenshot": screenshot, **context_options})
        audits[id(page)] = audit
        guard_actions(audit, page)
        if lang is not None:
            page.goto(f"/language/{lang}?next=/login")
        return page

    yield open_page
    audit.close()
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """After a test that passed: audit its open pages, save their screenshots, and fail the
    test (not its teardown) on a serious or critical violation."""
    result = yield
    audit = item.stash.get(AUDIT, None)
    if audit is not None:
        audit.finish(artifact_name(item.nodeid))
    return result


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page at the default desktop viewport."""
    return new_page()


@dataclass(frozen=True)
class Account:
    """What a browser test needs of a user: no ORM object, so no open transaction."""

    email: str
    name: str
    role: str
    password: str = PASSWORD


@pytest.fixture
def account(make_user: Callable[..., Any]) -> Callable[..., Account]:
    """Creates a user (see tests/conftest.py `make_user`) and ends the test's transaction."""

    def make(role: str, **kwargs: Any) -> Account:
        user = make_user(role, **kwargs)
        made = Account(email=user.email, name=user.name, role=user.role.value)
        db.session.commit()  # ends the transaction that reading the attributes began
        return made

    return make
