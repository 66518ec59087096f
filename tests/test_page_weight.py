"""Page weight on a slow line (issue 15, point 5): with the demo seeded, a first visit with
`Accept-Encoding: gzip` (the page and every file it links, nothing cached) transfers at most
60 KB for the pages a manager, a buyer or a visitor opens on a phone, and at most 150 KB for
the province official's dashboard. Bytes are the bodies as sent (compressed), headers aside.

Where a page has many instances (listings, trace pages), the heaviest of the demo's counts."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.seed.demo import DEMO_PASSWORD
from models import (
    Collection,
    Listing,
    ListingStatus,
    Lot,
    Transformation,
    TransformationInput,
    User,
)

from .conftest import demo_database

KB = 1024
PAGE_BUDGET = 60 * KB
DASHBOARD_BUDGET = 150 * KB
MANAGER = "manager.daotru@linkage.demo"
PROVINCE_OFFICIAL = "official.tinh@linkage.demo"
TEXT_TYPES = ("text/html", "text/css", "image/svg+xml", "text/javascript", "application/json")


@pytest.fixture(scope="module")
def demo_app(database_url: str, _schema: None) -> Iterator[Flask]:
    with demo_database(database_url) as app:
        yield app


class Assets(HTMLParser):
    """The files a page makes the browser fetch: styles, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "link" and attributes.get("href") and attributes.get("rel") != "alternate":
            self.urls.append(attributes["href"])
        elif tag in ("script", "img", "source") and attributes.get("src"):
            self.urls.append(attributes["src"])


@dataclass
class Weighing:
    client: FlaskClient
    sizes: dict[str, int] = field(default_factory=dict)  # asset URL -> bytes sent
    uncompressed: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> tuple[bytes, bytes]:
        """The body as sent and as read, for a client that accepts gzip."""
        response = self.client.get(url, headers={"Accept-Encoding": "gzip"})
        sent = response.get_data()
        response.close()
        assert response.status_code == 200, f"{url}: {response.status_code}"
        encoding = response.headers.get("Content-Encoding")
        if encoding is None and response.mimetype in TEXT_TYPES and len(sent) >= 2 * KB:
            self.uncompressed.append(f"{url} ({len(sent)} bytes)")
        assert encoding in (None, "gzip"), f"{url}: {encoding} was not asked for"
        return sent, gzip.decompress(sent) if encoding == "gzip" else sent

    def page(self, url: str) -> tuple[int, dict[str, int]]:
        """The bytes a first visit of `url` transfers, and their split by URL."""
        sent, html = self.fetch(url)
        parser = Assets()
        parser.feed(html.decode())
        parts = {url: len(sent)}
        for asset in dict.fromkeys(parser.urls):
            assert asset.startswith("/"), f"{url} loads {asset} from another site"
            if asset not in self.sizes:
                self.sizes[asset] = len(self.fetch(asset)[0])
            parts[asset] = self.sizes[asset]
        return sum(parts.values()), parts


def _client(app: Flask, email: str | None) -> FlaskClient:
    client = app.test_client()
    if email is not None:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"the demo login of {email} fails"
    return client


def _manager_cooperative_id() -> int:
    manager = db.session.scalar(select(User).where(User.email == MANAGER))
    return min(c.id for c in manager.cooperatives)


def catalog() -> list[str]:
    return ["/catalog"]


def listings() -> list[str]:
    ids = db.session.scalars(select(Listing.id).where(Listing.status == ListingStatus.ACTIVE))
    return [f"/listings/{i}" for i in ids]


def trace_pages() -> list[str]:
    """The processed lots made of the most input lots, and the collection lot with the most
    deliveries: the two ways a trace page grows."""
    processed = db.session.scalars(
        select(Lot.code)
        .join(Transformation, Transformation.output_lot_id == Lot.id)
        .join(TransformationInput, TransformationInput.transformation_id == Transformation.id)
        .group_by(Lot.id, Lot.code)
        .order_by(func.count(TransformationInput.id).desc(), Lot.id)
        .limit(5)
    ).all()
    collected = db.session.scalar(
        select(Lot.code)
        .join(Collection, Collection.lot_id == Lot.id)
        .group_by(Lot.id, Lot.code)
        .order_by(func.count(Collection.id).desc(), Lot.id)
        .limit(1)
    )
    return [f"/trace/{code}" for code in [*processed, collected] if code]


def manager_dashboard() -> list[str]:
    return [f"/manage/{_manager_cooperative_id()}/"]


def collection_form() -> list[str]:
    """The lot page with its delivery form, for the collection lot with the most deliveries."""
    cooperative_id = _manager_cooperative_id()
    lot_id = db.session.scalar(
        select(Lot.id)
        .outerjoin(Collection, Collection.lot_id == Lot.id)
        .where(Lot.cooperative_id == cooperative_id, Lot.origin == "collection")
        .group_by(Lot.id)
        .order_by(func.count(Collection.id).desc(), Lot.id)
        .limit(1)
    )
    return [f"/manage/{cooperative_id}/lots/{lot_id}"]


def household_statement() -> list[str]:
    """The statement of the cooperative's household with the most deliveries."""
    cooperative_id = _manager_cooperative_id()
    household_id = db.session.scalar(
        select(Collection.household_id)
        .join(Lot, Lot.id == Collection.lot_id)
        .where(Lot.cooperative_id == cooperative_id)
        .group_by(Collection.household_id)
        .order_by(func.count(Collection.id).desc(), Collection.household_id)
        .limit(1)
    )
    return [f"/manage/{cooperative_id}/households/{household_id}/statement"]


def province_dashboard() -> list[str]:
    return ["/official/"]


PAGES: dict[str, tuple[str | None, Callable[[], list[str]], int]] = {
    "catalog": (None, catalog, PAGE_BUDGET),
    "listing": (None, listings, PAGE_BUDGET),
    "trace": (None, trace_pages, PAGE_BUDGET),
    "manager-dashboard": (MANAGER, manager_dashboard, PAGE_BUDGET),
    "collection-form": (MANAGER, collection_form, PAGE_BUDGET),
    "household-statement": (MANAGER, household_statement, PAGE_BUDGET),
    "province-dashboard": (PROVINCE_OFFICIAL, province_dashboard, DASHBOARD_BUDGET),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_a_first_visit_transfers_at_most_the_budget(demo_app, name):
    email, urls_of, budget = PAGES[name]
    urls = urls_of()
    assert urls, f"{name}: the demo has no such page"
    weighing = Weighing(_client(demo_app, email))
    heaviest, parts = max((weighing.page(url) for url in urls), key=lambda w: w[0])
    split = ", ".join(f"{url} {size / KB:.1f} KB" for url, size in parts.items())
    assert weighing.uncompressed == [], f"{name}: sent uncompressed: {weighing.uncompressed}"
    assert heaviest <= budget, (
        f"{name}: {heaviest / KB:.1f} KB transferred, over {budget / KB:.0f} KB ({split})"
    )
    if name == "collection-form":
        page = weighing.fetch(urls[0])[1].decode()
        assert 'name="household_id"' in page, "the lot page shows no delivery form"
