"""Catalog pages: search with filters, a listing with provenance, a cooperative's profile.

Public pages: anonymous callers and every role see them; none shows a household.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.periods import current_day
from models import CertificationKind, CooperativeStatus, ListingStatus, Role

from ..factories import CooperativeFactory, LotFactory
from ..factories_catalog import (
    ETHNIC_GROUP,
    SECRET_CODES,
    SECRET_NAMES,
    certification,
    listing,
    secret_lot,
    ship,
)

DOAN_HUNG = "07969"
ROLES = [None, *Role]


def english(client) -> None:
    """Show the pages in English (source strings: tests do not depend on translations)."""
    client.get("/language/en")


def main(response) -> str:
    """The page's <main> element: what the page itself says, without header and footer."""
    text = response.get_data(as_text=True)
    return text[text.index("<main") : text.index("</main>")]


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/listings/\d+">([^<]+)</a></h3>', main(response))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_public_pages_answer_everyone(client, login_as, role):
    item = listing("Ba kích khô Đạo Trù")
    db.session.commit()
    if role is not None:
        login_as(role)
    for url in ("/catalog", f"/listings/{item.id}", f"/cooperatives/{item.cooperative.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Ba kích khô Đạo Trù" in main(response)


def test_pages_are_vietnamese_by_default(client):
    response = client.get("/catalog")
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_navigation_and_home_lead_to_the_catalog(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/catalog">' in page  # the main navigation
    assert '<form method="get" action="/catalog" role="search"' in page
    assert 'href="/catalog?product=' in page  # featured products


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("giao co lam", "Giảo cổ lam khô Yên Trị"),
        ("GIẢO CỔ LAM", "Giảo cổ lam khô Yên Trị"),
        ("ba kich", "Ba kích tím rút lõi"),
        ("tra hoa vang", "Trà hoa vàng sấy khô"),
        ("doan hung", "Bưởi Đoan Hùng loại 1"),
        ("Đoan  Hùng", "Bưởi Đoan Hùng loại 1"),
    ],
)
def test_search_ignores_accents_and_case(client, query, title):
    listing("Giảo cổ lam khô Yên Trị", "PT-GIAO-CO-LAM-KHO")
    listing("Ba kích tím rút lõi", "PT-BA-KICH-KHO")
    listing("Trà hoa vàng sấy khô", "PT-TRA-HOA-VANG-KHO")
    listing("Bưởi Đoan Hùng loại 1", "PT-BUOI-DOAN-HUNG")
    db.session.commit()
    response = client.get("/catalog", query_string={"q": query})
    assert response.status_code == 200
    assert titles(response) == [title]
    assert f'value="{query}"' in main(response)  # the search box keeps the words


def test_each_filter_and_the_result_count(client):
    english(client)
    midland = CooperativeFactory(name="HTX Bưởi Chí Đám", commune_code=DOAN_HUNG)
    bakich = listing("Ba kích", unit_price_vnd=450_000)
    listing("Bưởi", "PT-BUOI-DOAN-HUNG", cooperative=midland, unit_price_vnd=30_000)
    herb = listing("Giảo cổ lam", "PT-GIAO-CO-LAM-TUOI", unit_price_vnd=80_000)
    certification(bakich.cooperative, CertificationKind.ORGANIC, listings=(herb,))
    db.session.commit()
    cases = {
        "": ["Giảo cổ lam", "Bưởi", "Ba kích"],
        "product=PT-BUOI-DOAN-HUNG": ["Bưởi"],
        "category=medicinal": ["Giảo cổ lam"],
        f"commune={DOAN_HUNG}": ["Bưởi"],
        "region=mountain&sort=price_asc": ["Giảo cổ lam", "Ba kích"],
        "certification=organic": ["Giảo cổ lam"],
        f"cooperative={midland.id}": ["Bưởi"],
        "min_price=80,000&sort=price_desc": ["Ba kích", "Giảo cổ lam"],
        "max_price=80000&sort=price_asc": ["Bưởi", "Giảo cổ lam"],
        "sort=price_asc": ["Bưởi", "Giảo cổ lam", "Ba kích"],
        "sort=price_desc": ["Ba kích", "Giảo cổ lam", "Bưởi"],
    }
    for query, expected in cases.items():
        response = client.get(f"/catalog?{query}")
        assert response.status_code == 200, query
        assert titles(response) == expected, query
    response = client.get("/catalog?region=mountain")
    assert "2 listings found" in main(response)
    assert "1 listing found" in main(client.get("/catalog?category=crop"))


def test_a_card_shows_price_stock_minimum_cooperative_and_certifications(client):
    english(client)
    item = listing("Ba kích tím", min_order_quantity=5)
    certification(item.cooperative, CertificationKind.GACP_WHO, listings=(item,))
    certification(
        item.cooperative,
        CertificationKind.ORGANIC,
        valid_from=current_day() - timedelta(days=800),
        valid_to=current_day() - timedelta(days=1),
        listings=(item,),
    )
    db.session.commit()
    card = main(client.get("/catalog"))
    assert "450,000 ₫</strong> / kg" in card
    assert "Available: 100 kg" in card
    assert "Minimum order: 5 kg" in card
    assert f'href="/cooperatives/{item.cooperative.id}">{item.cooperative.name}</a>' in card
    assert "Đạo Trù · Mountain" in card
    assert '<span class="badge ok">GACP-WHO</span>' in card
    assert 'badge ok">Organic' not in card  # expired: no badge on the card


def test_pagination_keeps_the_filters(client):
    for number in range(25):
        listing(f"Ba kích loại {number:02d}", unit_price_vnd=100_000 + number)
    listing("Bưởi", "PT-BUOI-DOAN-HUNG")
    db.session.commit()
    first = client.get("/catalog?q=ba+kich&sort=price_asc")
    assert len(titles(first)) == 20
    assert titles(first)[0] == "Ba kích loại 00"
    links = re.findall(r'href="(/catalog\?[^"]+)" rel="next"', main(first))
    assert len(links) == 1
    next_url = links[0].replace("&amp;", "&")
    assert "q=ba+kich" in next_url
    assert "sort=price_asc" in next_url
    assert "page=2" in next_url
    second = client.get(next_url)
    assert titles(second) == [f"Ba kích loại {n}" for n in range(20, 25)]
    assert 'rel="prev"' in main(second)
    assert titles(client.get("/catalog?q=ba+kich&sort=price_asc&page=999")) == titles(second)
    assert client.get("/catalog?page=abc").status_code == 200
    assert client.get("/catalog?page=%C2%B2").status_code == 200
    assert client.get("/catalog?page=99999999999999999999").status_code == 200


def test_empty_states(client):
    english(client)
    empty = main(client.get("/catalog"))
    assert "No cooperative has put a product in the catalog yet" in empty
    listing("Ba kích")
    db.session.commit()
    response = client.get("/catalog?q=khong+co+gi")
    assert response.status_code == 200
    assert titles(response) == []
    assert 'No listing matches: <a href="/catalog">clear the filters</a>' in main(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_price=500000&max_price=100000", "The minimum price must not be above the maximum"),
        ("min_price=abc", "Enter a number, for example 150,000."),
        ("min_price=100.000", "did you mean 100,000?"),
        ("product=NO-SUCH-PRODUCT", "Choose one of the options of the list."),
        ("region=coast", "Choose one of the options of the list."),
        ("cooperative=424242", "Choose one of the options of the list."),
        ("cooperative=%C2%B2", "Choose one of the options of the list."),
        ("commune=%00", "Choose one of the options of the list."),
        ("q=" + "x" * 201, "Use at most 200 characters."),
    ],
)
def test_bad_filters_are_explained_and_the_rest_still_applies(client, query, message):
    english(client)
    listing("Ba kích", unit_price_vnd=450_000)
    listing("Bưởi", "PT-BUOI-DOAN-HUNG", unit_price_vnd=30_000)
    db.session.commit()
    response = client.get(f"/catalog?{query}&category=crop")
    assert response.status_code == 422
    page = main(response)
    assert 'class="error-summary"' in page
    assert message in page
    assert titles(response) == ["Bưởi"]  # the valid filter still applies


def test_control_characters_are_harmless(client):
    listing("Ba kích")
    db.session.commit()
    response = client.get("/catalog", query_string={"q": "ba\x00kich", "product": "X\x00"})
    assert response.status_code == 422  # the product is not one of the list...
    assert titles(response) == ["Ba kích"]  # ...and NUL separates words like a space


def test_the_search_form_works_without_javascript(client):
    page = main(client.get("/catalog"))
    assert '<form method="get" action="/catalog" role="search"' in page
    for name in (
        "q",
        "product",
        "category",
        "commune",
        "region",
        "certification",
        "cooperative",
        "min_price",
        "max_price",
        "sort",
    ):
        assert f'name="{name}"' in page
        assert f'<label for="{name}">' in page
    assert "<script" not in page
    assert "style=" not in page


def test_listing_page(client, app):
    english(client)
    today = current_day()
    item = listing(
        "Ba kích tím khô",
        grade="Loại 1",
        min_order_quantity=5,
        harvest_start=today.replace(month=1, day=15),
        harvest_end=today.replace(month=3, day=31),
    )
    certification(item.cooperative, CertificationKind.VIETGAP, number="VG-777", listings=(item,))
    certification(
        item.cooperative,
        CertificationKind.OCOP_4,
        number="OCOP-12",
        valid_from=today - timedelta(days=800),
        valid_to=today - timedelta(days=1),
        listings=(item,),
    )
    shipped = LotFactory(cooperative=item.cooperative, code="DT-2026-0042")
    LotFactory(cooperative=item.cooperative, code="DT-2026-0043")
    ship(item, shipped, "50")
    db.session.commit()
    response = client.get(f"/listings/{item.id}")
    assert response.status_code == 200
    page = main(response)
    assert "<h1>Ba kích tím khô</h1>" in page
    assert "Ba kích khô (rút lõi)" in page
    assert "450,000 ₫</strong> / kg" in page
    assert "Available: 100 kg" in page
    assert "Minimum order: 5 kg" in page
    assert "Grade: Loại 1" in page
    assert "Harvest:" in page and "15 Jan " in page and "31 Mar " in page
    assert "VG-777" in page and "OCOP-12" in page
    assert re.search(r"OCOP 4 stars</th>.*?Expired", page, re.S)
    assert re.search(r"VietGAP</th>.*?badge ok\">Valid", page, re.S)
    assert "Đạo Trù" in page and "Mountain" in page
    assert f'href="/cooperatives/{item.cooperative.id}"' in page
    assert '<a href="/trace/DT-2026-0042">DT-2026-0042</a>' in page
    assert '<a href="/trace/DT-2026-0043">DT-2026-0043</a>' in page
    with app.test_request_context():
        order_url = url_for("buyer.order_new", listing_id=item.id)
    assert f'href="{order_url}">Order</a>' in page  # anonymous: the link leads to login


@pytest.mark.parametrize("role", list(Role))
def test_only_buyers_and_visitors_see_the_order_button(client, app, login_as, role):
    item = listing("Ba kích")
    db.session.commit()
    login_as(role)
    english(client)
    page = main(client.get(f"/listings/{item.id}"))
    assert (">Order</a>" in page) == (role == Role.BUYER)


def test_listing_page_empty_provenance_and_sold_out(client):
    english(client)
    item = listing("Ba kích", status=ListingStatus.SOLD_OUT, quantity_available=0)
    db.session.commit()
    page = main(client.get(f"/listings/{item.id}"))
    assert "Sold out" in page
    assert "Nothing has been shipped from this listing yet." in page
    assert "No lot of this product is in stock right now." in page
    assert "No certification recorded." in page
    assert ">Order</a>" not in page


def test_listing_page_is_404_unless_visible(client):
    draft = listing("Nháp", status=ListingStatus.DRAFT)
    archived = listing("Lưu trữ", status=ListingStatus.ARCHIVED)
    pending = listing("Chờ", cooperative=CooperativeFactory(status=CooperativeStatus.PENDING))
    db.session.commit()
    for listing_id in (draft.id, archived.id, pending.id, 424242, 2147483647, 2147483648, 0):
        assert client.get(f"/listings/{listing_id}").status_code == 404


def test_cooperative_page(client):
    english(client)
    cooperative = CooperativeFactory(
        name="HTX Dược liệu Tam Đảo",
        description="Trồng ba kích dưới tán rừng.",
        address="Thôn Đồng Giang, xã Đạo Trù",
        contact_name="Ban quản trị",
        contact_phone="0211 3888 999",
        contact_email="htx@example.vn",
    )
    certification(cooperative, CertificationKind.GACP_WHO, number="GACP-9")
    for number in range(23):
        listing(f"Ba kích {number}", cooperative=cooperative)
    listing("Nháp ẩn", cooperative=cooperative, status=ListingStatus.DRAFT)
    listing("Của HTX khác")
    db.session.commit()
    response = client.get(f"/cooperatives/{cooperative.id}")
    assert response.status_code == 200
    page = main(response)
    assert "<h1>HTX Dược liệu Tam Đảo</h1>" in page
    assert "Đạo Trù" in page and "Mountain" in page
    assert "Trồng ba kích dưới tán rừng." in page
    assert "Thôn Đồng Giang, xã Đạo Trù" in page
    assert 'href="tel:02113888999"' in page
    assert 'href="mailto:htx@example.vn"' in page
    assert "GACP-9" in page
    assert "23 listings" in page
    assert len(titles(response)) == 20
    assert "Nháp ẩn" not in page and "Của HTX khác" not in page
    second = client.get(f"/cooperatives/{cooperative.id}?page=2")
    assert len(titles(second)) == 3


def test_cooperative_page_empty_and_404(client):
    english(client)
    idle = CooperativeFactory()
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    suspended = CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    db.session.commit()
    page = main(client.get(f"/cooperatives/{idle.id}"))
    assert "This cooperative offers nothing in the catalog right now." in page
    assert "The cooperative has not published contact details yet." in page
    for cooperative_id in (pending.id, suspended.id, 424242, 2147483648):
        assert client.get(f"/cooperatives/{cooperative_id}").status_code == 404


def _count_queries(client, url: str) -> int:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_pages_take_a_bounded_number_of_queries(client):
    cooperatives = [CooperativeFactory() for _ in range(5)]
    for number in range(20):
        item = listing(f"Ba kích {number}", cooperative=cooperatives[number % 5])
        certification(item.cooperative, number=f"VG-{number}", listings=(item,))
    for number in range(10):
        ship(item, LotFactory(cooperative=item.cooperative, code=f"DT-Q-{number}"), "1")
    db.session.commit()
    assert _count_queries(client, "/catalog") <= 8
    assert _count_queries(client, "/catalog?q=ba+kich&region=mountain&certification=vietgap") <= 8
    assert _count_queries(client, f"/listings/{item.id}") <= 8
    assert _count_queries(client, f"/cooperatives/{item.cooperative.id}") <= 8


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_no_household_data_on_any_page(client, login_as, role):
    item = listing("Ba kích khô")
    shipped = secret_lot(item.cooperative, "DT-2026-0301")
    secret_lot(item.cooperative, "DT-2026-0302")
    ship(item, shipped, "10")
    db.session.commit()
    if role is not None:
        login_as(role)
    urls = (
        "/catalog",
        "/catalog?q=ba+kich",
        f"/catalog?cooperative={item.cooperative.id}",
        f"/listings/{item.id}",
        f"/cooperatives/{item.cooperative.id}",
    )
    for locale in ("vi", "en"):
        client.get(f"/language/{locale}")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            whole = response.get_data(as_text=True)
            page = main(response)
            assert "Ba kích khô" in page
            if url.startswith("/listings/"):  # the page is about these lots...
                assert "DT-2026-0301" in page and "DT-2026-0302" in page
            for secret in (*SECRET_NAMES, *SECRET_CODES, ETHNIC_GROUP[1], "HH-"):
                assert secret not in whole  # ...and never names a household
            for word in ("household", "ethnic", "poor", "nghèo", "dân tộc", "hộ gia đình"):
                assert word not in page.lower(), (url, word)
