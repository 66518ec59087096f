"""Fingerprinted static URLs kept a year, everything else revalidated; /favicon.ico answers and
every page links the icon (issue 15, points 5 and 9)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

from linkage.extensions import db
from linkage.static_files import FINGERPRINT_LENGTH, ONE_YEAR

from .conftest import make_app
from .html_checks import page_faults

STATIC = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.headers.get("Cache-Control", "").split(",") if d.strip()}


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_carry_the_fingerprint_of_the_content(app):
    with app.test_request_context():
        url = url_for("static", filename="css/app.css")
        missing = url_for("static", filename="css/no-such-file.css")
    assert url == f"/static/css/app.css?v={fingerprint(STATIC / 'css' / 'app.css')}"
    assert missing == "/static/css/no-such-file.css"  # nothing to fingerprint: a plain 404 URL


def test_a_second_request_for_a_fingerprinted_asset_carries_the_immutable_header(client):
    page = client.get("/").get_data(as_text=True)
    assets = linked_assets(page)
    stylesheet = next(url for url in assets if url.startswith("/static/css/app.css?v="))
    assert all("?v=" in url for url in assets), assets
    first = client.get(stylesheet)
    first.close()
    assert first.status_code == 200
    assert cache_directives(first) == set(IMMUTABLE.split(", "))
    assert "Expires" not in first.headers
    second = client.get(stylesheet)
    second.close()
    assert second.status_code == 200
    assert second.headers["Cache-Control"] == IMMUTABLE
    revalidated = client.get(stylesheet, headers={"If-None-Match": first.headers["ETag"]})
    revalidated.close()
    assert revalidated.status_code == 304
    assert revalidated.headers["Cache-Control"] == IMMUTABLE


def test_without_the_current_fingerprint_a_file_is_revalidated_each_time(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab"):
        response = client.get(url)
        response.close()
        assert response.status_code == 200
        assert cache_directives(response) == {"no-cache"}, url
        assert "ETag" in response.headers


@pytest.mark.usefixtures("_schema")  # a fresh app on the run's database
def test_a_changed_file_changes_the_url(database_url, tmp_path):
    app = make_app(database_url)
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black; }\n")
    app.static_folder = str(tmp_path)
    client = app.test_client()
    try:
        with app.test_request_context():
            before = url_for("static", filename="css/site.css")
        sheet.write_text("body { color: darkgreen; }\n")
        stamp = sheet.stat().st_mtime_ns + 2_000_000_000
        os.utime(sheet, ns=(stamp, stamp))  # a later modification time, whatever the clock
        with app.test_request_context():
            after = url_for("static", filename="css/site.css")
        assert before != after
        assert after == f"/static/css/site.css?v={fingerprint(sheet)}"
        new = client.get(after)
        assert new.get_data(as_text=True) == "body { color: darkgreen; }\n"
        new.close()
        assert new.headers["Cache-Control"] == IMMUTABLE
        stale = client.get(before)  # a page cached before the change: the file as it is now
        assert stale.get_data(as_text=True) == "body { color: darkgreen; }\n"
        stale.close()
        assert cache_directives(stale) == {"no-cache"}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_favicon_ico_answers_with_the_svg_icon(client):
    for method in ("GET", "HEAD"):
        response = client.open("/favicon.ico", method=method)
        response.close()
        assert response.status_code == 200, method
        assert response.mimetype == "image/svg+xml"
        assert cache_directives(response) == {"public", "max-age=86400"}
    response = client.get("/favicon.ico")
    assert response.get_data() == (STATIC / "img" / "favicon.svg").read_bytes()
    response.close()


def test_pages_link_the_icon_and_the_icon_exists(client):
    """The crawl of the demo (tests/test_links.py) checks every page; here the pages that do
    not extend the base template's head as others do: errors and the login."""
    for url in ("/", "/login", "/no-such-page", "/catalog"):
        html = client.get(url).get_data(as_text=True)
        assert page_faults(html) == [], url
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        assert icon, url
        response = client.get(icon.group(1))
        response.close()
        assert response.status_code == 200


def test_the_content_security_policy_still_allows_the_fingerprinted_files(client):
    """The files stay on the site's own origin: `default-src 'self'` covers them."""
    page = client.get("/")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert all(url.startswith("/static/") for url in linked_assets(page.get_data(as_text=True)))
    response = client.get(linked_assets(page.get_data(as_text=True))[0])
    response.close()
    assert response.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
