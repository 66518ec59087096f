"""Manager listing pages: list, add, edit, activate/pause/archive; access route by route."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from models import AuditEntry, CooperativeStatus, Listing, ListingStatus

from ..factories_listings import CertificationFactory, ListingFactory


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are checked in English (Vietnamese is the default language)."""
    with client.session_transaction() as session:
        session["locale"] = "en"


FORM = {
    "product_code": "PT-BA-KICH-KHO",
    "title": "Ba kích khô rút lõi loại 1",
    "description": "Sấy dưới 60 °C.",
    "grade": "Loại 1",
    "unit_price_vnd": "1,500,000",  # as typed on an English page
    "quantity_available": "12.5",
    "min_order_quantity": "0.5",
    "harvest_start": "2025-10-01",
    "harvest_end": "2026-03-31",
}


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Listing.id)))


@pytest.fixture
def manager(login_as):
    return login_as("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def test_empty_state_explains_what_to_do(client, cooperative):
    page = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert "No listings yet" in page
    assert f"/manage/{cooperative.id}/listings/new" in page


def test_add_a_listing_with_vietnamese_numbers(client, cooperative):
    certificate = CertificationFactory(cooperative=cooperative)
    db.session.commit()
    with client.session_transaction() as session:
        session["locale"] = "vi"
    typed = {
        "unit_price_vnd": "1.500.000",
        "quantity_available": "12,5",
        "min_order_quantity": "0,5",
    }
    response = client.post(
        f"/manage/{cooperative.id}/listings/new",
        data={**FORM, **typed, "certifications": [str(certificate.id)]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = db.session.scalars(db.select(Listing)).one()
    assert listing.unit_price_vnd == 1_500_000
    assert listing.quantity_available == Decimal("12.500")
    assert listing.min_order_quantity == Decimal("0.500")
    assert listing.status == ListingStatus.DRAFT
    assert listing.certifications == [certificate]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ba kích khô rút lõi loại 1" in page
    assert "GACP-WHO" in page


def test_zero_stock_is_accepted_for_a_draft(client, cooperative):
    response = client.post(
        f"/manage/{cooperative.id}/listings/new", data={**FORM, "quantity_available": "0"}
    )
    assert response.status_code == 302
    assert db.session.scalars(db.select(Listing)).one().quantity_available == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"product_code": ""}, "product_code"),
        ({"product_code": "PT-NO-SUCH"}, "product_code"),
        ({"unit_price_vnd": "-5"}, "unit_price_vnd"),
        ({"unit_price_vnd": "abc"}, "unit_price_vnd"),
        ({"quantity_available": "-1"}, "quantity_available"),
        ({"quantity_available": "1.2345"}, "quantity_available"),
        ({"quantity_available": "1,2345"}, "quantity_available"),
        ({"unit_price_vnd": "80,000.50"}, "unit_price_vnd"),
        ({"quantity_available": "1e40"}, "quantity_available"),
        ({"min_order_quantity": "99999999999999999999999999999999"}, "min_order_quantity"),
        ({"unit_price_vnd": "9" * 40}, "unit_price_vnd"),
        ({"min_order_quantity": "0"}, "min_order_quantity"),
        ({"harvest_end": "2025-09-01"}, "harvest_end"),
        ({"certifications": ["424242"]}, "certifications"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_writes_nothing(
    client, cooperative, change, field
):

    response = client.post(f"/manage/{cooperative.id}/listings/new", data={**FORM, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "error-summary" in page
    assert _count() == 0


def test_a_certificate_of_another_cooperative_is_refused(client, cooperative):
    foreign = CertificationFactory()
    db.session.commit()
    response = client.post(
        f"/manage/{cooperative.id}/listings/new",
        data={**FORM, "certifications": [str(foreign.id)]},
    )
    assert response.status_code == 422
    assert _count() == 0


def test_pending_cooperative_is_told_it_prepares_drafts(client, cooperative):
    cooperative.status = CooperativeStatus.PENDING
    listing = ListingFactory(cooperative=cooperative, status=ListingStatus.DRAFT)
    db.session.commit()
    page = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert "waiting for approval" in page
    assert 'name="status" value="active"' not in page  # no "put on sale" button
    response = client.post(
        f"/manage/{cooperative.id}/listings/{listing.id}/status", data={"status": "active"}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == ListingStatus.DRAFT


def test_edit_prefills_and_saves(client, cooperative):
    listing = ListingFactory(cooperative=cooperative, quantity_available=Decimal("100"))
    db.session.commit()
    url = f"/manage/{cooperative.id}/listings/{listing.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert listing.title in page
    assert 'name="product_code"' not in page  # a listing on sale keeps its product
    data = {**FORM, "quantity_available": "0", "stock_seen": "100.000"}
    del data["product_code"]
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Listing, listing.id)
    assert (saved.title, saved.status) == (FORM["title"], ListingStatus.SOLD_OUT)


def test_edit_refuses_to_overwrite_stock_changed_meanwhile(client, cooperative):
    listing = ListingFactory(cooperative=cooperative, quantity_available=Decimal("100"))
    db.session.commit()
    url = f"/manage/{cooperative.id}/listings/{listing.id}/edit"
    data = {**FORM, "quantity_available": "80", "stock_seen": "90"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The stock changed while you were editing" in page
    assert 'value="100.000"' in page  # the next save compares with the stock as it is now
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).quantity_available == Decimal("100.000")


def test_status_buttons_activate_pause_and_archive(client, cooperative):
    listing = ListingFactory(cooperative=cooperative, status=ListingStatus.DRAFT)
    db.session.commit()
    url = f"/manage/{cooperative.id}/listings/{listing.id}/status"
    page = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert f'action="{url}"' in page
    for status in ("active", "paused", "active", "archived"):
        response = client.post(url, data={"status": status})
        assert response.status_code == 303
        db.session.expire_all()
        assert db.session.get(Listing, listing.id).status == status
    refused = client.post(url, data={"status": "active"})
    assert refused.status_code == 409
    assert "cannot become" in refused.get_data(as_text=True)
    assert client.post(url, data={"status": "sold_out"}).status_code == 400
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "listing")
    ).all()
    assert len(entries) == 4


def test_list_filters_by_status_and_paginates(client, cooperative):
    for _ in range(21):
        ListingFactory(cooperative=cooperative)
    ListingFactory(cooperative=cooperative, status=ListingStatus.PAUSED, title="Tạm dừng")
    db.session.commit()
    page = client.get(f"/manage/{cooperative.id}/listings?status=paused").get_data(as_text=True)
    assert "Tạm dừng" in page
    assert "1 listing" in page
    first = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert "22 listings" in first
    assert 'rel="next"' in first
    second = client.get(f"/manage/{cooperative.id}/listings?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second
    assert client.get(f"/manage/{cooperative.id}/listings?page=99999999999").status_code == 200


def test_the_list_takes_a_bounded_number_of_queries(client, cooperative):
    certificates = [CertificationFactory(cooperative=cooperative) for _ in range(3)]
    for _ in range(20):
        ListingFactory(cooperative=cooperative, certifications=certificates)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(f"/manage/{cooperative.id}/listings").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 10, "\n".join(statements)


ROUTES = [
    ("GET", "/manage/{c}/listings"),
    ("GET", "/manage/{c}/listings/new"),
    ("POST", "/manage/{c}/listings/new"),
    ("GET", "/manage/{c}/listings/{l}/edit"),
    ("POST", "/manage/{c}/listings/{l}/edit"),
    ("POST", "/manage/{c}/listings/{l}/status"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_access_route_by_route(client, make_user, login_as, method, route):
    owner = make_user("manager")
    theirs = owner.cooperatives[0]
    listing = ListingFactory(cooperative=theirs, status=ListingStatus.DRAFT)
    db.session.commit()
    url = route.format(c=theirs.id, l=listing.id)
    data = {**FORM, "status": "active"} if method == "POST" else None

    anonymous = client.open(url, method=method, data=data)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]

    other = login_as("manager")
    assert client.open(url, method=method, data=data).status_code == 404
    if "{l}" in route:  # B's listing reached through A's own cooperative is 404 too
        through_mine = route.format(c=other.cooperatives[0].id, l=listing.id)
        assert client.open(through_mine, method=method, data=data).status_code == 404
    for role in ("buyer", "official"):
        login_as(role)
        assert client.open(url, method=method, data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == ListingStatus.DRAFT
    assert db.session.get(Listing, listing.id).title != FORM["title"]
    assert _count() == 1

    login_as("admin")
    assert client.open(url, method=method, data=data).status_code in (200, 302, 303)
