"""Public catalog API: GET /api/v1/listings (search, filters, sort, pages) and one listing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.periods import current_day
from models import CertificationKind, CooperativeStatus, ListingStatus, Role, utcnow

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
ITEM_FIELDS = {
    "id",
    "title",
    "description",
    "grade",
    "product_code",
    "product_name_vi",
    "product_name_en",
    "category",
    "unit",
    "unit_price_vnd",
    "quantity_available",
    "min_order_quantity",
    "harvest_start",
    "harvest_end",
    "status",
    "cooperative",
    "certifications",
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_list_answers_the_fields_of_a_catalog_row(client):
    item = listing("Ba kích tím Đạo Trù", grade="Loại 1")
    item.harvest_start = current_day()
    certification(item.cooperative, CertificationKind.GACP_WHO, number="GACP-01", listings=(item,))
    db.session.commit()
    body = client.get("/api/v1/listings").json
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)
    row = body["items"][0]
    assert set(row) == ITEM_FIELDS
    assert row["title"] == "Ba kích tím Đạo Trù"
    assert row["product_code"] == "PT-BA-KICH-KHO"
    assert row["product_name_vi"] == "Ba kích khô (rút lõi)"
    assert row["category"] == "processed"
    assert row["unit"] == "kg"
    assert row["unit_price_vnd"] == 450_000
    assert row["quantity_available"] == "100.000"
    assert row["min_order_quantity"] == "1.000"
    assert row["harvest_start"] == current_day().isoformat()
    assert row["harvest_end"] is None
    assert row["status"] == "active"
    assert row["cooperative"] == {
        "id": item.cooperative.id,
        "name": item.cooperative.name,
        "commune_code": "08914",
        "commune_name": "Đạo Trù",
        "region": "mountain",
    }
    assert row["certifications"][0]["kind"] == "gacp_who"
    assert row["certifications"][0]["number"] == "GACP-01"


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("giao co lam", "Giảo cổ lam khô Yên Trị"),
        ("ba kich", "Ba kích tím rút lõi"),
        ("TRA HOA VANG", "Trà hoa vàng sấy khô"),
        ("Đoan Hùng", "Bưởi Đoan Hùng loại 1"),
        ("doan  hung", "Bưởi Đoan Hùng loại 1"),
    ],
)
def test_search_ignores_accents_and_case(client, query, title):
    listing("Giảo cổ lam khô Yên Trị", "PT-GIAO-CO-LAM-KHO")
    listing("Ba kích tím rút lõi", "PT-BA-KICH-KHO")
    listing("Trà hoa vàng sấy khô", "PT-TRA-HOA-VANG-KHO")
    listing("Bưởi Đoan Hùng loại 1", "PT-BUOI-DOAN-HUNG")
    db.session.commit()
    body = client.get("/api/v1/listings", query_string={"q": query}).json
    assert [item["title"] for item in body["items"]] == [title]


def test_every_filter(client):
    midland = CooperativeFactory(commune_code=DOAN_HUNG)
    bakich = listing("Ba kích", unit_price_vnd=450_000)
    pomelo = listing("Bưởi", "PT-BUOI-DOAN-HUNG", cooperative=midland, unit_price_vnd=30_000)
    herb = listing("Giảo cổ lam", "PT-GIAO-CO-LAM-TUOI", unit_price_vnd=80_000)
    certification(bakich.cooperative, CertificationKind.OCOP_4, listings=(herb,))
    db.session.commit()
    get = lambda **query: sorted(ids(client.get("/api/v1/listings", query_string=query)))  # noqa: E731
    assert get(product="PT-BUOI-DOAN-HUNG") == [pomelo.id]
    assert get(category="medicinal") == [herb.id]
    assert get(commune=DOAN_HUNG) == [pomelo.id]
    assert get(region="mountain") == sorted([bakich.id, herb.id])
    assert get(certification="ocop_4") == [herb.id]
    assert get(cooperative=midland.id) == [pomelo.id]
    assert get(min_price=80_000) == sorted([bakich.id, herb.id])
    assert get(max_price=80_000) == sorted([pomelo.id, herb.id])
    assert get(min_price=30_000, max_price=30_000) == [pomelo.id]
    assert get(region="midland", category="crop", max_price=50_000) == [pomelo.id]


def test_sort(client):
    now = utcnow()
    old = listing("Cũ", unit_price_vnd=300_000, created_at=now - timedelta(days=2))
    new = listing("Mới", unit_price_vnd=100_000, created_at=now - timedelta(days=1))
    mid = listing("Giữa", unit_price_vnd=200_000, created_at=now - timedelta(days=3))
    db.session.commit()
    url = "/api/v1/listings"
    assert ids(client.get(url)) == [new.id, old.id, mid.id]
    assert ids(client.get(url + "?sort=newest")) == [new.id, old.id, mid.id]
    assert ids(client.get(url + "?sort=price_asc")) == [new.id, mid.id, old.id]
    assert ids(client.get(url + "?sort=price_desc")) == [old.id, mid.id, new.id]


def test_pagination(client):
    items = [listing(f"Hàng {n}", unit_price_vnd=1000 * (n + 1)) for n in range(5)]
    db.session.commit()
    body = client.get("/api/v1/listings?sort=price_asc&page=2&per_page=2").json
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert [i["id"] for i in body["items"]] == [items[2].id, items[3].id]
    assert client.get("/api/v1/listings?page=4&per_page=2").json["items"] == []


def test_only_visible_listings_of_approved_cooperatives(client):
    shown = listing("Đang bán")
    sold_out = listing("Hết hàng", status=ListingStatus.SOLD_OUT)
    listing("Nháp", status=ListingStatus.DRAFT)
    listing("Lưu trữ", status=ListingStatus.ARCHIVED)
    listing("Chờ duyệt", cooperative=CooperativeFactory(status=CooperativeStatus.PENDING))
    db.session.commit()
    assert sorted(ids(client.get("/api/v1/listings"))) == sorted([shown.id, sold_out.id])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_price=-1", "min_price"),
        ("max_price=10000000000000000", "max_price"),
        ("min_price=abc", "min_price"),
        ("cooperative=0", "cooperative"),
        ("cooperative=99999999999999999999", "cooperative"),
        ("page=0", "page"),
        ("page=99999999999", "page"),
        ("per_page=201", "per_page"),
        ("sort=cheapest", "sort"),
        ("category=fruit", "category"),
        ("region=coast", "region"),
        ("certification=iso", "certification"),
        ("commune=abc", "commune"),
        ("product=PT%00X", "product"),
        ("product=B%C6%AF%E1%BB%9EI", "product"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_arguments_are_422_with_the_field(client, query, field):
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_control_characters_in_the_search_are_refused(client):
    listing("Ba kích")
    db.session.commit()
    response = client.get("/api/v1/listings", query_string={"q": "ba\x00 kich\x1f"})
    assert response.status_code == 422
    assert "control characters" in response.json["errors"]["q"][0]


def test_detail_has_the_row_and_the_provenance(client):
    item = listing("Ba kích khô")
    shipped = LotFactory(cooperative=item.cooperative, code="DT-2026-0100")
    LotFactory(cooperative=item.cooperative, code="DT-2026-0200")
    ship(item, shipped, "50")  # emptied by the shipment
    db.session.commit()
    response = client.get(f"/api/v1/listings/{item.id}")
    assert response.status_code == 200
    body = response.json
    assert set(body) == ITEM_FIELDS | {"provenance"}
    assert body["provenance"] == {
        "shipped_lots": [
            {
                "code": "DT-2026-0100",
                "quantity_remaining": "0.000",
                "trace_url": "/trace/DT-2026-0100",
            }
        ],
        "stock_lots": [
            {
                "code": "DT-2026-0200",
                "quantity_remaining": "50.000",
                "trace_url": "/trace/DT-2026-0200",
            }
        ],
    }


def test_detail_is_404_unless_visible(client):
    draft = listing("Nháp", status=ListingStatus.DRAFT)
    suspended = listing(
        "Tạm dừng", cooperative=CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    )
    db.session.commit()
    for listing_id in (draft.id, suspended.id, 424242, 2147483647):
        response = client.get(f"/api/v1/listings/{listing_id}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/listings/2147483648").status_code == 404
    assert client.get("/api/v1/listings/0").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_read(client, make_user, bearer, role):
    item = listing("Ba kích")
    db.session.commit()
    headers = bearer(make_user(role))
    assert ids(client.get("/api/v1/listings", headers=headers)) == [item.id]
    assert client.get(f"/api/v1/listings/{item.id}", headers=headers).status_code == 200


def _count_queries(client, url: str) -> int:
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_list_and_detail_take_a_bounded_number_of_queries(client):
    cooperatives = [CooperativeFactory() for _ in range(4)]
    for number in range(20):
        item = listing(f"Ba kích {number}", cooperative=cooperatives[number % 4])
        certification(item.cooperative, number=f"VG-{number}", listings=(item,))
    for number in range(10):
        ship(item, LotFactory(cooperative=item.cooperative, code=f"DT-Q-{number}"), "1")
    db.session.commit()
    assert _count_queries(client, "/api/v1/listings") <= 5
    assert _count_queries(client, "/api/v1/listings?q=ba+kich&certification=vietgap") <= 6
    assert _count_queries(client, f"/api/v1/listings/{item.id}") <= 7


def test_no_household_data_in_any_answer(client, make_user, bearer):
    item = listing("Ba kích khô")
    shipped = secret_lot(item.cooperative, "DT-2026-0301")
    secret_lot(item.cooperative, "DT-2026-0302")
    ship(item, shipped, "10")
    db.session.commit()
    headers = bearer(make_user(Role.BUYER))
    detail = f"/api/v1/listings/{item.id}"
    for url in ("/api/v1/listings", "/api/v1/listings?q=ba+kich", detail):
        for auth in ({}, headers):
            response = client.get(url, headers=auth)
            assert response.status_code == 200
            check_no_household_data(response.json, lots=url == detail)


def check_no_household_data(body: object, *, lots: bool) -> None:
    decoded = json.dumps(body, ensure_ascii=False)
    assert "Ba kích khô" in decoded
    if lots:  # the answer is about the lots these households filled...
        assert "DT-2026-0301" in decoded
        assert "DT-2026-0302" in decoded
    for secret in (*SECRET_NAMES, *SECRET_CODES, ETHNIC_GROUP[1], "HH-"):
        assert secret not in decoded  # ...and never names a household
    for word in ("household", "ethnic", "poor", "members", "head_name", "dân tộc", "nghèo"):
        assert word not in decoded.lower()
