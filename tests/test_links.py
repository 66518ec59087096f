"""Links fail loudly (issue 12, point 6): every in-app link a page of the demo prints leads
somewhere its viewer may go, and a wrong endpoint name raises instead of vanishing.

For each role the crawler starts from the role's home pages and follows, breadth first, every
same-origin GET link of the HTML pages it gets (`<a href>`, GET forms' actions, redirects),
at most a few URLs per pattern (numbers in the path and query values aside), so 300 households
are not 300 visits. Static files must exist; downloads are fetched but not read. Every page is
checked on the way for the markup faults of tests/html_checks.py (issue 15: month inputs,
required selects, the icon)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import pytest
from flask import Blueprint, Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.routing import BuildError

from linkage.extensions import db
from linkage.security import PUBLIC, allow
from linkage.seed.demo import ADMIN_EMAIL, DEMO_PASSWORD
from models import User

from .conftest import demo_database, make_app
from .html_checks import page_faults

VARIANTS_PER_PATTERN = 2  # distinct URLs visited per pattern (path with numbers, query names)
MAX_PAGES_PER_ROLE = 400  # a bound, well above what the patterns allow today
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# GET requests may only append to the audit log (officials' and managers' reads are logged)
# and fill temporary tables (the impact projection)
READ_LOG_TABLES = {"audit_entries"}
WRITE_RE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)

# role -> demo login (None: anonymous)
LOGINS = {
    "anonymous": None,
    "buyer": "buyer.duoclieu@linkage.demo",
    "manager": "manager.tanson@linkage.demo",  # two cooperatives
    "manager-pending": "manager.maichau@linkage.demo",  # a cooperative waiting for approval
    "official-province": "official.tinh@linkage.demo",
    "official-commune": "official.daotru@linkage.demo",
    "admin": ADMIN_EMAIL,
}
ANONYMOUS_START = ("/", "/catalog", "/impact", "/login", "/register")
# the payments pages show this month by default, after the demo's last one: January 2026 holds
# the demo's surplus shares (with their void link) and farmgate payments
DEMO_PAYMENTS = "/manage/{id}/payments?period_start=2026-01&period_end=2026-01"


@pytest.fixture(scope="module")
def demo_app(database_url: str, _schema: None) -> Iterator[Flask]:
    with demo_database(database_url) as app:
        yield app


class LinkParser(HTMLParser):
    """The URLs a page leads to by GET: links, GET forms, and the files it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])
        elif tag == "form" and attributes.get("method", "get").lower() == "get":
            self.links.append(attributes.get("action", ""))
        elif tag == "link" and "href" in attributes:
            self.assets.append(attributes["href"])
        elif tag in ("img", "script", "source") and "src" in attributes:
            self.assets.append(attributes["src"])


def pattern(url: str) -> tuple[str, tuple[str, ...]]:
    """The path with every segment holding a digit as {n}, and the query's names."""
    parts = urlsplit(url)
    path = "/".join("{n}" if re.search(r"\d", s) else s for s in parts.path.split("/"))
    return path, tuple(sorted({name for name, _ in parse_qsl(parts.query)}))


@dataclass
class Crawl:
    client: FlaskClient
    authenticated: bool
    bad: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    seen_patterns: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)
    invalid: list[str] = field(default_factory=list)  # markup faults (tests/html_checks.py)
    pages: int = 0
    variants: int = VARIANTS_PER_PATTERN  # URLs visited per pattern

    def local(self, href: str, base: str) -> str | None:
        """The same-origin URL of `href` found on `base`, without its fragment; None to skip."""
        href = href.strip()
        if href.startswith("#") or href.lower().startswith(SKIPPED_SCHEMES):
            return None
        parts = urlsplit(urljoin("http://localhost" + base, href))
        if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
            return None
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def run(self, start: tuple[str, ...]) -> None:
        queue: deque[tuple[str, str]] = deque((url, "(start)") for url in start)
        while queue and self.pages < MAX_PAGES_PER_ROLE:
            url, found_on = queue.popleft()
            if url in self.visited:
                continue
            key = pattern(url)
            if self.seen_patterns.get(key, 0) >= self.variants:
                continue
            self.seen_patterns[key] = self.seen_patterns.get(key, 0) + 1
            self.visited.add(url)
            self.pages += 1
            if url.startswith("/static/"):
                self.check_asset(url, found_on)
                continue
            for link in self.visit(url, found_on):
                queue.append((link, url))

    def visit(self, url: str, found_on: str) -> list[str]:
        response = self.client.get(url)
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = self.local(response.headers.get("Location", ""), url)
            if target is None:
                self.bad.append(f"{url} (on {found_on}): redirects off site")
                return []
            if self.authenticated and urlsplit(target).path == "/login":
                self.bad.append(f"{url} (on {found_on}): sends a logged-in user to the login")
            return [target]
        if status != 200:
            self.bad.append(f"{url} (on {found_on}): {status}")
            return []
        if response.mimetype != "text/html":
            return []  # a download (CSV, XLSX, JSON): its answer is enough
        html = response.get_data(as_text=True)
        self.invalid.extend(f"{url}: {fault}" for fault in page_faults(html))
        parser = LinkParser()
        parser.feed(html)
        for asset in parser.assets:
            local = self.local(asset, url)
            if local is not None and local not in self.assets:
                self.assets.add(local)
                self.check_asset(local, url)
        links = [self.local(href, url) for href in parser.links]
        return [link for link in links if link is not None and link not in self.visited]

    def check_asset(self, url: str, found_on: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200:
            self.bad.append(f"{url} (on {found_on}): {response.status_code}")
        response.close()


@pytest.mark.parametrize("role", list(LOGINS))
def test_every_link_a_page_prints_leads_somewhere_its_viewer_may_go(demo_app, role):
    client = demo_app.test_client()
    email = LOGINS[role]
    start = ANONYMOUS_START
    if email is not None:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{role}: the demo login fails"
        start = ("/", response.headers["Location"])  # the role's home; the menus lead on
        if role in ("manager", "admin"):
            manager = db.session.scalar(db.select(User).where(User.email == LOGINS["manager"]))
            start += tuple(DEMO_PAYMENTS.format(id=c.id) for c in manager.cooperatives)
    writes: set[str] = set()

    def record_writes(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if match := WRITE_RE.match(statement):
            writes.add(match.group(2).lower())

    engine = demo_app.extensions["sqlalchemy"].engine
    event.listen(engine, "before_cursor_execute", record_writes)
    try:
        crawl = Crawl(client, authenticated=email is not None)
        crawl.run(start)
    finally:
        event.remove(engine, "before_cursor_execute", record_writes)

    assert not crawl.bad, f"{role}: links that fail:\n" + "\n".join(crawl.bad)
    assert not crawl.invalid, f"{role}: pages with faulty markup:\n" + "\n".join(crawl.invalid)
    assert crawl.pages < MAX_PAGES_PER_ROLE, f"{role}: the crawl did not end: raise the bound"
    assert crawl.pages > 10 and crawl.assets, f"{role}: the crawl found almost nothing"
    changed = writes & set(db.metadata.tables) - READ_LOG_TABLES  # temporary tables aside
    assert not changed, f"{role}: a GET link changed {sorted(changed)}"


def test_the_crawler_reports_a_dead_link_and_a_refusal(demo_app):
    """The crawler itself can fail: a printed link that answers 404, or 403 to its viewer."""
    client = demo_app.test_client()
    crawl = Crawl(client, authenticated=False)
    crawl.run(("/manage/", "/no-such-page"))
    assert any(line.startswith("/no-such-page (on (start)): 404") for line in crawl.bad)
    assert not any("/manage/" in line for line in crawl.bad)  # anonymous: sent to the login
    client.post("/login", data={"email": "buyer.duoclieu@linkage.demo", "password": DEMO_PASSWORD})
    crawl = Crawl(client, authenticated=True)
    crawl.run(("/manage/",))
    assert [line.split(":")[0] for line in crawl.bad] == ["/manage/ (on (start))"]
    assert pattern("/manage/12/lots/7?page=2&q=a") == ("/manage/{n}/lots/{n}", ("page", "q"))


# --- a wrong endpoint name raises --------------------------------------------------------------


def test_a_wrong_endpoint_name_raises(demo_app):
    with demo_app.test_request_context():
        with pytest.raises(BuildError):
            render_template_string("<a href=\"{{ url_for('manage.no_such_page') }}\">x</a>")
        assert demo_app.url_build_error_handlers == []
        assert "has_endpoint" not in demo_app.jinja_env.globals


def test_a_page_with_a_wrong_endpoint_fails_instead_of_printing_an_empty_link(database_url):
    """In testing the page answers 500 (the error is logged), never 200 with a link missing."""
    app = make_app(database_url)
    pages = Blueprint("broken", __name__)

    @pages.route("/broken-link")
    @allow(PUBLIC)
    def broken() -> str:
        return render_template_string("<a href=\"{{ url_for('manage.no_such_page') }}\">x</a>")

    app.register_blueprint(pages)
    try:
        response = app.test_client().get("/broken-link")
    finally:
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 500
    assert b'href="">x</a>' not in response.data
