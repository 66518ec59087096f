"""Pages in the chosen language: the API documentation, product names on officials' pages,
the household import template."""

from __future__ import annotations

import csv
import io
import re

import pytest

from blueprints.apidocs import texts
from linkage.extensions import api, db
from linkage.services.impact.summary import NO_PRODUCT
from models import Product

from ..factories_impact import PERIOD, small_province
from ..html_checks import visible_text

# --- the API documentation ----------------------------------------------------------------------


def test_every_tag_of_the_api_has_its_texts(app):
    tags = {tag["name"] for tag in api.spec.to_dict()["tags"]}
    assert tags == set(texts.TAGS)


@pytest.mark.parametrize(
    ("language", "title", "description", "heading", "tag_text"),
    [
        (
            "vi",
            "API của Linkage",
            "Nền tảng liên kết thị trường của các hợp tác xã tỉnh Phú Thọ",
            "Xác thực",
            "Đổi email và mật khẩu lấy mã truy cập",
        ),
        (
            "en",
            "Linkage API",
            "Cooperative market-linkage platform of Phu Tho province",
            "Authentication",
            "Exchange an email and password for a bearer token",
        ),
    ],
)
def test_the_api_docs_page_follows_the_language(
    client, language, title, description, heading, tag_text
):
    client.get(f"/language/{language}")
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title} v1</h1>" in html
    assert description in html
    assert f'<h2 id="tag-api_tokens-title">{heading}</h2>' in html
    assert tag_text in html
    # every tag is a section with its heading; the operations keep their English summaries
    assert html.count('<section class="operations"') == len(texts.TAGS)
    assert "Exchange email and password for a bearer token." in html
    other_title = "Linkage API" if language == "vi" else "API của Linkage"
    assert other_title not in visible_text(html)


def test_the_openapi_description_stays_english(client):
    client.get("/language/vi")
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Linkage API"
    assert {tag["description"] for tag in spec["tags"]} >= {"Authentication", "Orders"}


def test_every_operation_is_listed_once(client):
    spec = api.spec.to_dict()
    operations = sum(
        1
        for item in spec["paths"].values()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert html.count('<section class="operation"') == operations


# --- product names on the officials' dashboard ----------------------------------------------------


def _product_rows(html: str) -> dict[str, str]:
    table = html.split('id="products"', 1)[1].split("</table>", 1)[0]
    return {
        code: visible_text(cells).strip()
        for code, cells in re.findall(
            r'<tr data-row="([^"]+)">\s*<th scope="row" data-key="label"[^>]*>(.*?)</th>',
            table,
            re.S,
        )
    }


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_dashboard_names_products_as_every_page_does(client, login_as, language):
    small_province()
    db.session.commit()
    login_as("official", province_wide=True)
    client.get(f"/language/{language}")
    part = {**PERIOD, "section": "products"}  # the dashboard shows one part at a time
    html = client.get("/official/", query_string=part).get_data(as_text=True)
    rows = _product_rows(html)
    assert rows
    for code, name in rows.items():
        if code in (*NO_PRODUCT, "total"):  # rows that are no product, and the totals
            continue
        product = db.session.scalar(db.select(Product).where(Product.code == code))
        assert name == product.display_name(language)
        assert ("(" + product.name_en) not in name  # never "Ba kích (Morinda root)"
        assert (product.name_en in name) == (language == "en")


def test_the_english_csv_of_the_products_table_names_them_in_english_too(client, login_as):
    small_province()
    db.session.commit()
    login_as("official", province_wide=True)
    client.get("/language/en")
    response = client.get("/official/export/products.csv", query_string=PERIOD)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    names = [p.display_name("en") for p in db.session.scalars(db.select(Product))]
    assert any(" · " in name and name in text for name in names), text


# --- the household import template ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first_titles", "example"),
    [("vi", ["Mã hộ", "Tên chủ hộ", "Mã xã"], "nghèo"), ("en", ["Household code"], "poor")],
)
def test_the_household_template_follows_the_page(client, login_as, language, first_titles, example):
    manager = login_as("manager")
    cooperative = manager.cooperatives[0]
    client.get(f"/language/{language}")
    page = client.get(f"/manage/{cooperative.id}/households/import").get_data(as_text=True)
    assert f"{first_titles[0]} (<code>code</code>)" in page
    response = client.get(f"/manage/{cooperative.id}/households/template.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][: len(first_titles)] == first_titles
    assert example in rows[1]
    # the downloaded template imports back as it is (codes changed: the examples may exist)
    body = response.data.decode("utf-8-sig").replace("HTX-000", f"T{language}-")
    imported = client.post(
        f"/manage/{cooperative.id}/households/import",
        data={"file": (io.BytesIO(body.encode()), "households.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302, visible_text(imported.get_data(as_text=True))[-600:]


def test_the_template_s_language_may_be_asked_for(client, login_as):
    manager = login_as("manager")
    client.get("/language/vi")
    response = client.get(
        f"/manage/{manager.cooperatives[0].id}/households/template.csv?language=en"
    )
    assert response.data.decode("utf-8-sig").startswith("Household code,Head of household")
