"""Reference lists: communes, products, poverty standards."""

from __future__ import annotations


def test_communes_are_the_real_communes_of_the_province(client):
    body = client.get("/api/v1/communes?per_page=200").json
    assert body["total"] == 148
    by_code = {c["code"]: c for c in body["items"]}
    dao_tru = by_code["08914"]
    assert dao_tru["name"] == "Đạo Trù"
    assert dao_tru["former_province"] == "vinh_phuc"
    assert dao_tru["region"] == "mountain"
    assert dao_tru["area"] == "rural"
    assert {c["former_province"] for c in body["items"]} == {"phu_tho", "vinh_phuc", "hoa_binh"}
    assert {c["region"] for c in body["items"]} == {"urban", "midland", "mountain"}


def test_communes_filter_by_region_and_name(client):
    body = client.get("/api/v1/communes?region=urban&per_page=200").json
    assert body["total"] == 15
    assert all(c["kind"] == "phuong" for c in body["items"])
    assert client.get("/api/v1/communes?q=Đạo").json["items"][0]["code"] == "08914"


def test_products_with_categories(client):
    body = client.get("/api/v1/products?per_page=200").json
    assert body["total"] >= 20
    codes = {p["code"] for p in body["items"]}
    assert {"PT-BA-KICH-TUOI", "PT-BA-KICH-KHO"} <= codes
    medicinal = client.get("/api/v1/products?category=medicinal&per_page=200").json
    assert medicinal["total"] > 0
    assert all(p["category"] == "medicinal" for p in medicinal["items"])


def test_poverty_standards_are_data(client):
    body = client.get("/api/v1/poverty-standards").json
    standards = {s["code"]: s for s in body["items"]}
    assert standards["VN-2022-2025"]["rural_line_vnd"] == 1_500_000
    assert standards["VN-2022-2025"]["urban_line_vnd"] == 2_000_000
    assert standards["VN-2022-2025"]["valid_to"] == "2026-12-31"
    assert standards["VN-2027-2030"]["rural_line_vnd"] == 2_200_000
    assert standards["VN-2027-2030"]["urban_line_vnd"] == 2_800_000
    assert standards["VN-2027-2030"]["deprivation_threshold"] == 3
