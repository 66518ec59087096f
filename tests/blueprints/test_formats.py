"""One style for dates, months, percentages and numbers on pages, in Vietnamese and English:
`27/11/2026` and `27 Nov 2026` (with `18:00` where the time matters), `11/2026` and
`Nov 2026`, `24,9%` and `24.9%`, `1.050` and `1,050`. Files and the API keep ISO formats."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template_string, session

from linkage.extensions import db
from linkage.formats import format_day, format_moment, format_month, format_share
from linkage.services.periods import Month, current_month
from models import Order

from ..factories_impact import PERIOD, small_province
from ..factories_orders import make_market, place
from ..html_checks import visible_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MOMENT = datetime(2026, 11, 27, 11, 0, 6, tzinfo=UTC)  # 18:00:06 in Vietnam
VI_DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
VI_MOMENT = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")
EN_DAY = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
# Babel's other styles, which the pages must no longer show
OTHER_STYLES = re.compile(
    r"thg \d|tháng \d+ \d{4}|\d{1,2}/\d{1,2}/\d{2}\b|\d{4}-\d{2}-\d{2}[ T]|"
    r"\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} \d{1,2}, \d{4}|\d %"
)


def _in(language: str) -> None:
    session["locale"] = language


@pytest.fixture
def vi(app):
    with app.test_request_context():
        _in("vi")
        yield


@pytest.fixture
def en(app):
    with app.test_request_context():
        _in("en")
        yield


# --- the functions and filters ----------------------------------------------------------------


def test_vietnamese_formats(vi):
    assert format_day(date(2026, 3, 3)) == "03/03/2026"
    assert format_day(MOMENT) == "27/11/2026"
    assert format_day(datetime(2026, 11, 27, 18, 30, tzinfo=UTC)) == "28/11/2026"  # Vietnam day
    assert format_moment(MOMENT) == "27/11/2026 18:00"
    assert format_moment(datetime(2026, 11, 27, 11, 0)) == "27/11/2026 18:00"  # noqa: DTZ001 - naive is UTC
    assert format_month(Month(2026, 1)) == "01/2026"
    assert format_month("2026-12") == "12/2026"
    assert format_share(0.249) == "24,9%"
    assert format_share(0.51) == "51%"
    assert format_share(None) == "–"


def test_english_formats(en):
    assert format_day(date(2026, 3, 3)) == "3 Mar 2026"
    assert format_moment(MOMENT) == "27 Nov 2026, 18:00"
    assert format_month(Month(2026, 1)) == "Jan 2026"
    assert format_month(date(2026, 12, 5)) == "Dec 2026"
    assert format_share(0.249) == "24.9%"
    assert format_share(Decimal("0.3")) == "30%"


def test_a_month_cell_that_is_not_a_month_stays_as_it_is(vi):
    assert format_month("Total") == "Total"
    assert format_month(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "03/03/2026|27/11/2026 18:00|27/11/2026|11/2026|24,9%|1.050 hộ|1.000 kg|1.500 ₫"),
        (
            "en",
            "3 Mar 2026|27 Nov 2026, 18:00|27 Nov 2026|Nov 2026|24.9%|1,050 households|"
            "1,000 kg|1,500 ₫",
        ),
    ],
)
def test_the_filters_write_in_the_page_language(app, language, expected):
    source = (
        "{{ d|when }}|{{ m|when }}|{{ m|day }}|{{ m|month }}|{{ 0.249|percent }}|"
        '{{ ngettext("%(num)d household", "%(num)d households", 1050) }}|'
        "{{ 1000|qty }} kg|{{ 1500|vnd }}"
    )
    with app.test_request_context():
        _in(language)
        assert render_template_string(source, d=date(2026, 3, 3), m=MOMENT) == expected


def test_babel_s_own_filters_are_not_offered(app):
    for name in ("dateformat", "datetimeformat", "percentformat", "decimalformat"):
        assert name not in app.jinja_env.filters
    for name in ("when", "day", "month", "percent", "number", "qty", "vnd"):
        assert name in app.jinja_env.filters


# --- the rule stays: no template formats a date or number its own way -------------------------

FORBIDDEN = {
    "strftime": re.compile(r"strftime"),
    "isoformat": re.compile(r"isoformat"),
    "Babel's functions": re.compile(r"format_(date|datetime|time|decimal|percent|currency)\b"),
    "Babel's filters": re.compile(
        r"\|\s*(date|datetime|time|number|decimal|percent|currency)format"
    ),
    "Jinja's format/round": re.compile(r"\|\s*(format|round)\b"),
    "a style given to when": re.compile(r"\|\s*when\s*\("),
    "a percent sign after a value": re.compile(r"\}\}\s*%"),
    "str.format": re.compile(r"\.format\("),
}


def test_templates_format_dates_and_numbers_only_through_the_filters():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for what, pattern in FORBIDDEN.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}: {what}")
    assert not found, "format dates and numbers with the filters of linkage.templating:\n" + (
        "\n".join(found)
    )


def test_the_scan_would_find_a_raw_date():
    line = "<td>{{ order.placed_at.strftime('%d/%m') }} {{ share * 100 }} %</td>"
    assert FORBIDDEN["strftime"].search(line)
    assert FORBIDDEN["a percent sign after a value"].search(line)


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def market(make_user):
    return make_market(make_user, stock="5000")


@pytest.fixture
def order(market) -> Order:
    placed = place(market.buyer, market.listing, quantity="1200")
    placed.placed_at = MOMENT
    db.session.commit()
    return placed


def test_the_buyer_s_orders_in_vietnamese(client, login_as, market, order):
    login_as(user=market.buyer)
    client.get("/language/vi")
    listing = visible_text(client.get("/orders").get_data(as_text=True))
    assert "27/11/2026" in listing
    detail = visible_text(client.get(f"/orders/{order.id}").get_data(as_text=True))
    assert "27/11/2026 18:00" in detail
    assert "1.200" in detail  # the quantity, grouped
    for page in (listing, detail):
        assert not OTHER_STYLES.search(page), OTHER_STYLES.search(page)


def test_the_buyer_s_orders_in_english(client, login_as, market, order):
    login_as(user=market.buyer)
    client.get("/language/en")
    listing = visible_text(client.get("/orders").get_data(as_text=True))
    assert "27 Nov 2026" in listing
    detail = visible_text(client.get(f"/orders/{order.id}").get_data(as_text=True))
    assert "27 Nov 2026, 18:00" in detail
    assert "1,200" in detail
    for page in (listing, detail):
        assert not OTHER_STYLES.search(page), OTHER_STYLES.search(page)


@pytest.mark.parametrize(
    ("language", "when", "badge"),
    [
        ("vi", "27/11/2026 18:00", "Chưa đọc"),
        ("en", "27 Nov 2026, 18:00", "Unread"),
    ],
)
def test_notices_have_one_date_style_and_no_doubled_words(
    client, login_as, market, order, language, when, badge
):
    from models import Notice

    for notice in db.session.scalars(db.select(Notice)):
        notice.created_at = MOMENT
    db.session.commit()
    login_as(user=market.manager)
    client.get(f"/language/{language}")
    html = client.get("/notices").get_data(as_text=True)
    rows = [visible_text(row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]]
    assert rows and all(when in row for row in rows)
    assert all(badge in row for row in rows)
    for row in rows:
        doubled = re.search(r"\b(\w+) \1\b", row, re.IGNORECASE)
        assert doubled is None, row


@pytest.mark.parametrize(("language", "month"), [("vi", "%m/%Y"), ("en", "%b %Y")])
def test_the_manager_dashboard_names_the_month(client, login_as, market, language, month):
    login_as(user=market.manager)
    client.get(f"/language/{language}")
    page = visible_text(client.get(f"/manage/{market.cooperative.id}/").get_data(as_text=True))
    assert current_month().first_day.strftime(month) in page
    assert not OTHER_STYLES.search(page), OTHER_STYLES.search(page)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_inputs_carry_the_page_language(client, login_as, market, language):
    login_as(user=market.manager)
    client.get(f"/language/{language}")
    html = client.get(f"/manage/{market.cooperative.id}/listings/new").get_data(as_text=True)
    inputs = re.findall(r'<input[^>]*type="date"[^>]*>', html)
    assert inputs
    assert all(f'lang="{language}"' in tag for tag in inputs)


@pytest.mark.parametrize(
    ("language", "months", "percent"),
    [("vi", ("01/2026", "03/2026"), r"\d,\d%|\d%"), ("en", ("Jan 2026", "Mar 2026"), r"\d%")],
)
def test_the_official_dashboard_in_both_languages(client, login_as, app, language, months, percent):
    small_province()
    db.session.commit()
    login_as("official", province_wide=True)
    client.get(f"/language/{language}")
    html = client.get("/official/", query_string=PERIOD).get_data(as_text=True)
    page = visible_text(html)
    assert all(month in page for month in months)
    assert re.search(percent, page)
    assert not re.search(r"\d %", page)  # no "24,9 %"
    assert 'data-value="2026-01"' in html or "2026-01" in html  # machine values stay ISO
    month_inputs = re.findall(r'<input[^>]*type="month"[^>]*>', html)
    assert month_inputs and all(f'lang="{language}"' in tag for tag in month_inputs)
    assert not OTHER_STYLES.search(page), OTHER_STYLES.search(page)


def test_the_official_dashboard_exports_keep_iso_months(client, login_as, app):
    small_province()
    db.session.commit()
    login_as("official", province_wide=True)
    client.get("/language/vi")
    response = client.get("/official/export/monthly.csv", query_string=PERIOD)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "2026-01" in text and "01/2026" not in text


@pytest.mark.parametrize(
    ("language", "left"), [("vi", "chỉ còn 5.000 kg"), ("en", "5,000 kg left")]
)
def test_a_refused_order_says_the_stock_grouped(app, market, language, left):
    from linkage.services import orders
    from linkage.services.errors import DomainError

    with app.test_request_context():
        _in(language)
        with pytest.raises(DomainError) as refused:
            orders.place_order(
                market.buyer, [orders.LineRequest(market.listing.id, Decimal("6000"))], ""
            )
    db.session.rollback()
    assert left in str(refused.value)
