"""The templates' own toolkit (templates/_macros): a table in its scroll box or the text that
stands in for it, the filters of a list, a workspace's sub-navigation, a product's names."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import force_locale
from markupsafe import Markup

from linkage.services.paging import Page
from models import OrderStatus, Product, Unit

IMPORTS = (
    '{% from "_macros/tables.html" import data_table, empty_state, empty_start %}'
    '{% from "_macros/forms.html" import filter_form, select_filter, period_fields %}'
    '{% from "_macros/nav.html" import subnav %}'
    '{% from "_macros/products.html" import product_name %}'
)
ORDERS = (
    '{% call(order) data_table(caption, [_("Order"), (_("Total"), "num")], rows=orders,'
    " empty=empty, empty_link=link, empty_box=box, empty_heading=heading, foot=foot) %}"
    '<tr><th scope="row">{{ order.id }}</th><td class="num">{{ order.total }}</td></tr>'
    "{% endcall %}"
)


def render(app, source: str, path: str = "/", **context) -> str:
    with app.test_request_context(path), force_locale("en"):
        html = render_template_string(IMPORTS + source, **context)
    return re.sub(r">\s+<", "><", html.strip())


def orders_table(app, orders, **options) -> str:
    context = {"caption": "2 orders", "empty": None, "link": None, "box": False}
    context.update({"heading": None, "foot": None, **options})
    return render(app, ORDERS, orders=orders, **context)


def test_a_table_stands_in_a_scroll_box_named_by_its_caption(app):
    foot = Markup('<tr><th scope="row">Total</th><td class="num">30</td></tr>')
    html = orders_table(app, [{"id": 1, "total": 10}, {"id": 2, "total": 20}], foot=foot)
    box = '<div class="table-scroll" tabindex="0" role="region" aria-label="2 orders">'
    assert html.startswith(box + "<table><caption>2 orders</caption>")
    assert '<thead><tr><th scope="col">Order</th><th scope="col" class="num">Total</th>' in html
    assert re.search(r'<tbody><tr><th scope="row">1</th>.*<th scope="row">2</th>.*</tbody>', html)
    assert html.endswith(f"</tbody><tfoot>{foot}</tfoot></table></div>")


def test_the_box_is_named_in_plain_text_by_a_caption_with_markup(app):
    caption = Markup("<strong>Lots</strong> &amp; stock")
    html = orders_table(app, [{"id": 1, "total": 10}], caption=caption)
    assert 'aria-label="Lots &amp; stock"' in html
    assert "<caption><strong>Lots</strong> &amp; stock</caption>" in html


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, '<p class="empty">No order yet.</p>'),
        ({"link": ("/orders", "All orders")}, '<p class="empty">No order yet. <a href="/orders">'),
        ({"box": True}, '<section class="empty"><p>No order yet.</p></section>'),
        ({"heading": "h3"}, '<h3>2 orders</h3><p class="empty">No order yet.</p>'),
    ],
)
def test_without_rows_the_empty_text_stands_instead_of_the_table(app, options, expected):
    html = orders_table(app, [], empty="No order yet.", **options)
    assert html.startswith(expected)
    assert "<table" not in html and "table-scroll" not in html


def test_without_an_empty_text_the_table_stays_even_without_rows(app):
    html = orders_table(app, [])
    assert "<caption>2 orders</caption>" in html and "<tbody></tbody>" in html


def test_a_table_named_by_its_sections_heading_is_no_second_region_of_that_name(app):
    source = (
        '<section aria-labelledby="paid-title"><h2 id="paid-title">Paid</h2>'
        '{% call data_table(labelledby="paid-title", columns=["Date"]) %}'
        "<tbody><tr><td>1</td></tr></tbody>{% endcall %}</section>"
    )
    html = render(app, source)
    box = '<div class="table-scroll" tabindex="0"><table aria-labelledby="paid-title"><thead>'
    assert box in html
    assert "<caption" not in html and 'role="region"' not in html


def test_a_box_can_be_kept_from_being_a_region(app):
    source = '{% call data_table("Sales", ["Month"], region=false) %}{% endcall %}'
    html = render(app, source)
    assert html.startswith('<div class="table-scroll" tabindex="0"><table><caption>Sales')


def test_a_paginated_table_is_followed_by_its_page_links(app):
    page = Page(items=[{"id": 3, "total": 1}], page=2, per_page=1, total=3)
    source = (
        '{% call(order) data_table("3 orders", ["Order"], rows=page.items,'
        ' pages=(page, "catalog.index")) %}<tr><td>{{ order.id }}</td></tr>{% endcall %}'
    )
    html = render(app, source, path="/catalog?q=ba&page=2", page=page)
    links = html.split("</table></div>")[1]
    assert links.startswith('<nav aria-label="Pages"><ul class="pagination">')
    assert 'href="/catalog?q=ba&amp;page=1" rel="prev"' in links
    assert 'href="/catalog?q=ba&amp;page=3" rel="next"' in links


def test_empty_states_of_a_list_and_of_a_page(app):
    html = render(app, '{{ empty_state("Nothing.", ("/a", "See all"), box=true) }}')
    assert html == '<section class="empty"><p>Nothing. <a href="/a">See all</a></p></section>'
    source = '{% call empty_start("No lots yet", "A lot pools…") %}<p>Start</p>{% endcall %}'
    assert render(app, source) == (
        '<section class="empty"><h2>No lots yet</h2><p>A lot pools…</p><p>Start</p></section>'
    )
    assert render(app, '{{ empty_start("No payments", heading="h3") }}') == (
        '<section class="empty"><h3>No payments</h3></section>'
    )


def test_a_filter_select_names_enumeration_values_and_marks_the_current_one(app):
    source = (
        '{% call filter_form("Filter orders") %}'
        '{{ select_filter("status", "Status", OrderStatus, status, all="All") }}{% endcall %}'
    )
    html = render(app, source, status=OrderStatus.SHIPPED)
    assert html.startswith('<form method="get" class="filters" aria-label="Filter orders">')
    assert '<label for="status">Status</label><select id="status" name="status">' in html
    assert '<option value="">All</option><option value="placed">Placed</option>' in html
    assert '<option value="shipped" selected>Shipped</option>' in html
    assert html.count(" selected") == 1
    assert html.endswith('<button type="submit" class="button">Show</button></form>')
    assert " selected" not in render(app, source, status=None)


def test_a_filter_select_of_pairs_compares_values_as_text(app):
    source = '{{ select_filter("flagged", "Show", ((0, "All lots"), (1, "Flagged")), "1") }}'
    html = render(app, source)
    assert '<option value="0">All lots</option><option value="1" selected>Flagged</option>' in html
    assert '<option value="">' not in html  # no "all" option unless asked


def test_a_filter_form_can_clear_its_filters_and_name_its_button(app):
    source = (
        '{% call filter_form("Find", "Search", "search", clear=("/h", "Clear")) %}{% endcall %}'
    )
    html = render(app, source)
    assert 'role="search"' in html
    assert html.endswith('class="button">Search</button><a href="/h">Clear</a></form>')


def test_the_period_fields_point_to_the_refusal_when_there_is_one(app):
    period = {"start": "2026-01", "end": "2026-03"}
    fine = render(app, "{{ period_fields(period) }}", period=period)
    refused = render(app, '{{ period_fields(period, "period-error") }}', period=period)
    assert 'id="period_start" name="period_start" value="2026-01"' in fine
    assert 'id="period_end" name="period_end" value="2026-03"' in fine
    assert fine.count('<input type="month" lang="en" id=') == 2  # the page's language
    assert "aria-invalid" not in fine
    assert refused.count('aria-invalid="true" aria-describedby="period-error"') == 2


def test_the_sub_navigation_marks_the_page_shown(app):
    source = (
        '{% call subnav((("catalog.index", "Catalog"), ("public.impact", "Impact")), "Menu") %}'
        "Title{% endcall %}"
    )
    html = render(app, source, path="/catalog")
    assert html.startswith('<nav class="subnav" aria-label="Menu"><p class="subnav-title">Title')
    assert '<a href="/catalog" aria-current="page">Catalog</a>' in html
    assert '<a href="/impact">Impact</a>' in html


@pytest.mark.parametrize(
    ("locale", "text", "html"),
    [
        ("vi", "Ba kích", '<span lang="vi">Ba kích</span>'),
        ("en", "Ba kích · Morinda root", '<span lang="vi">Ba kích</span> · <span lang="en">'),
    ],
)
def test_a_product_is_named_in_vietnamese_and_in_english_on_english_pages(app, locale, text, html):
    product = Product(name_vi="Ba kích", name_en="Morinda root", unit=Unit.KG)
    assert product.display_name(locale) == text
    with app.test_request_context(), force_locale(locale):
        shown = render_template_string(
            IMPORTS + "{{ product_name(p.name_vi, p.name_en) }}", p=product
        )
    assert shown.strip().startswith(html)
