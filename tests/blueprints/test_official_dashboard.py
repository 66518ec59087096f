"""The officials' impact dashboard: same numbers as the API, scope, exports, print view."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.impact import TABLE_SLUGS
from models import (
    AuditEntry,
    Commune,
    OfficialStatus,
    Payment,
    PaymentKind,
)

from ..aggregates_helpers import written_directly
from ..factories import (
    CooperativeFactory,
    HouseholdFactory,
    MembershipFactory,
)
from ..factories_impact import PERIOD, RURAL, URBAN, WHEN, small_province

HYPERLINK = '=HYPERLINK("http://x")'


@pytest.fixture
def province(app):
    return small_province()


class DashboardParser(HTMLParser):
    """Reads the figures (data-figure) and tables (data-row / data-key / data-value)."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.tables: dict[str, dict[str, dict[str, str]]] = {}
        self.ids: set[str] = set()
        self._table: str | None = None
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if "data-figure" in values:
            self.figures[values["data-figure"]] = values["data-value"]
        if tag == "table":
            self._table = values.get("id")
            self.tables[self._table or ""] = {}
        elif tag == "tr" and "data-row" in values:
            self._row = values["data-row"]
            self.tables[self._table or ""].setdefault(self._row, {})
        elif tag in ("td", "th") and "data-key" in values and self._row is not None:
            self.tables[self._table or ""][self._row][values["data-key"]] = values["data-value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None


def parse(html: str) -> DashboardParser:
    parser = DashboardParser()
    parser.feed(html)
    return parser


def number(text: str) -> Any:
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def with_shares(row: dict[str, Any]) -> dict[str, Any]:
    """The API's row with the shares derived as the dashboard states it does."""
    return {
        **row,
        "poor_near_poor_share": share(row["poor"] + row["near_poor"], row["households"]),
        "income_to_poor_near_poor_share": share(
            row["income_to_poor_vnd"] + row["income_to_near_poor_vnd"], row["platform_income_vnd"]
        ),
        "farmer_share": share(row["platform_income_vnd"], row["attributed_sales_vnd"]),
    }


def assert_same(page_row: dict[str, str], api_row: dict[str, Any]) -> None:
    checked = 0
    for key, text in page_row.items():
        if key in ("label", "key") or key not in api_row or isinstance(api_row[key], str | list):
            continue
        if isinstance(api_row[key], bool):
            assert text == str(api_row[key]).lower(), key
            continue
        assert number(text) == pytest.approx(api_row[key]), key
        checked += 1
    assert checked >= 2, page_row


GROUPS = {
    "communes": "commune",
    "regions": "region",
    "ethnicity": "ethnicity_group",
    "transitions": "official_status",
    "products": "product",
}


def api(client, headers, path: str, query: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/v1/impact/{path}", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize(
    "extra",
    [{}, {"region": "mountain"}, {"ethnicity_group": "minority"}],
    ids=["province", "mountain", "minority"],
)
def test_every_number_equals_the_api(client, make_user, login_as, bearer, province, extra):
    official = make_user("official", province_wide=True)
    headers = bearer(official)
    login_as(user=official)
    query = {**PERIOD, **extra}
    response = client.get("/official/print", query_string=query)  # every table at once
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))

    totals = api(client, headers, "summary", {**query, "group_by": "commune"})["totals"]
    derived = with_shares(totals)
    expected = {
        "cooperatives": totals["cooperatives"],
        "households": totals["households"],
        "poor_share": share(totals["poor"], totals["households"]),
        "near_poor_share": share(totals["near_poor"], totals["households"]),
        "sales_vnd": totals["sales_vnd"],
        "platform_income_vnd": totals["platform_income_vnd"],
        "income_to_poor_near_poor_share": derived["income_to_poor_near_poor_share"],
        "farmer_share": derived["farmer_share"],
        "projected_exits": totals["projected_exits"],
        "projected_worsened": totals["projected_worsened"],
        "not_yet_known": totals["not_yet_known"],
    }
    assert set(page.figures) == set(expected)
    for key, value in expected.items():
        assert number(page.figures[key]) == pytest.approx(value), key
    assert page.figures["households"] == str(3 if extra.get("region") else totals["households"])

    for slug, group in GROUPS.items():
        body = api(client, headers, "summary", {**query, "group_by": group})
        rows = {row["key"]: with_shares(row) for row in body["rows"]}
        table = page.tables[slug]
        assert set(table) - {"total"} == set(rows), slug
        for key, row in rows.items():
            assert_same(table[key], row)
        if "total" in table:
            assert_same(table["total"], with_shares(body["totals"]))

    months = api(client, headers, "monthly", query)["months"]
    assert [key for key in page.tables["monthly"] if key != "total"] == [m["month"] for m in months]
    for month in months:
        assert_same(page.tables["monthly"][month["month"]], month)
    assert number(page.tables["monthly"]["total"]["platform_income_vnd"]) == sum(
        m["platform_income_vnd"] for m in months
    )

    targeting = api(client, headers, "targeting", query)
    assert list(page.tables["targeting"]) == [row["commune_code"] for row in targeting["rows"]]
    for row in targeting["rows"]:
        page_row = page.tables["targeting"][row["commune_code"]]
        assert_same(page_row, row)
        assert page_row["reasons"] == " ".join(reason["code"] for reason in row["reasons"])


def test_the_filtered_view_is_narrower(client, make_user, login_as, province):
    login_as("official", province_wide=True)
    query = {**PERIOD, "region": "mountain", "section": "communes"}
    page = parse(client.get("/official/", query_string=query).text)
    assert set(page.tables["communes"]) == {RURAL, "total"}
    assert page.figures["households"] == "3"
    assert page.figures["platform_income_vnd"] == "3000000"
    everything = parse(client.get("/official/", query_string=PERIOD).text)
    assert everything.figures["households"] == "4"
    assert everything.figures["farmer_share"] == str(3_600_000 / 5_000_000)


def test_a_commune_official_never_sees_another_commune(client, make_user, login_as, province):
    login_as("official")  # Đạo Trù only
    ward_name = db.session.get(Commune, URBAN).name
    bodies = [client.get("/official/", query_string={**PERIOD, "section": "communes"}).text]
    bodies.append(client.get("/official/print", query_string=PERIOD).text)
    for slug in TABLE_SLUGS:
        bodies.append(client.get(f"/official/export/{slug}.csv", query_string=PERIOD).text)
    workbook = client.get("/official/export/dashboard.xlsx", query_string=PERIOD)
    book = load_workbook(io.BytesIO(workbook.data))
    bodies.append(
        " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    )
    page = parse(bodies[0])
    assert set(page.tables["communes"]) == {RURAL, "total"}
    assert page.figures["households"] == "3"
    for body in bodies:
        assert ward_name not in body
        assert URBAN not in body
    for url in ("/official/", "/official/print", "/official/export/communes.csv"):
        assert client.get(url, query_string={**PERIOD, "commune": URBAN}).status_code == 404
    response = client.get("/official/export/dashboard.xlsx", query_string={"commune": URBAN})
    assert response.status_code == 404
    other = CooperativeFactory(commune_code=URBAN, name="HTX C")
    db.session.commit()
    assert client.get("/official/", query_string={"cooperative": other.id}).status_code == 404


def test_csv_export_reads_back(client, make_user, login_as, bearer, province):
    official = login_as("official", province_wide=True)
    response = client.get("/official/export/communes.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert "linkage-impact-communes-2026-01_2026-03.csv" in disposition
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    meta = {line[0]: line[1] for line in lines[1 : lines.index([])]}
    assert len(meta) == 4  # period, scope, poverty standard, generated at
    text = response.data.decode("utf-8-sig")
    assert "2026-01 – 2026-03" in text
    assert "VN-2022-2025" in text
    header_at = lines.index([]) + 1
    rows = lines[header_at + 1 :]
    api_rows = api(client, bearer(official), "summary", {**PERIOD, "group_by": "commune"})["rows"]
    by_label = {row["label"]: row for row in api_rows}
    households_column = 1  # label, households, poor, ...
    for row in rows[:-1]:
        assert int(row[households_column]) == by_label[row[0]]["households"]
        assert int(row[6]) == by_label[row[0]]["platform_income_vnd"]
    assert int(rows[-1][households_column]) == 4
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "impact_export")
    ).one()
    assert entry.actor_id == official.id
    assert entry.action.value == "export"
    assert entry.new_values["table"] == "communes"
    assert entry.new_values["format"] == "csv"


def test_xlsx_export_is_neutralised_and_has_no_formula(client, login_as, bearer, province):
    official = login_as("official", province_wide=True)
    province["a"].name = HYPERLINK
    db.session.commit()
    query = {**PERIOD, "cooperative": province["a"].id}
    response = client.get("/official/export/dashboard.xlsx", query_string=query)
    assert response.status_code == 200
    assert (
        "linkage-impact-dashboard-2026-01_2026-03.xlsx" in response.headers["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == len(TABLE_SLUGS)
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    sheet = book.worksheets[TABLE_SLUGS.index("communes")]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    blank = next(i for i, row in enumerate(values) if not any(row))
    meta = {row[0]: row[1] for row in values[1:blank]}
    named = [value for value in meta.values() if "HYPERLINK" in str(value)]
    assert named == [f"'{HYPERLINK}"]
    assert "2026-01 – 2026-03" in meta.values()
    assert any("VN-2022-2025" in str(value) for value in meta.values())
    body = api(client, bearer(official), "summary", {**query, "group_by": "commune"})
    rural = next(row for row in values if row[0] == "Đạo Trù")
    assert rural[1] == body["rows"][0]["households"] == 3
    assert rural[6] == body["rows"][0]["platform_income_vnd"]

    csv_text = client.get("/official/export/regions.csv", query_string=query).text
    assert f"'{HYPERLINK}" in csv_text.replace('""', '"')


@pytest.mark.parametrize("role", ["buyer", "manager"])
def test_other_roles_are_turned_away(client, login_as, province, role):
    login_as(role)
    for url in (
        "/official/",
        "/official/print",
        "/official/export/communes.csv",
        "/official/export/dashboard.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "H-POOR" not in response.text


def test_anonymous_goes_to_login(client, province):
    for url in ("/official/", "/official/print", "/official/export/figures.xlsx"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_wrong_filter_is_shown_and_left_out(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get("/official/", query_string={**PERIOD, "region": "colour"})
    assert response.status_code == 422
    html = response.text
    assert 'id="region-error"' in html
    assert parse(html).figures["households"] == "4"  # the region filter is left out
    bad_month = client.get("/official/", query_string={"period_start": "2026-13"})
    assert bad_month.status_code == 422
    assert 'id="period_start-error"' in bad_month.text
    export = client.get("/official/export/communes.csv", query_string={"region": "colour"})
    assert export.status_code == 422
    assert 'id="region-error"' in export.text
    exports = db.select(AuditEntry).where(AuditEntry.entity_type == "impact_export")
    assert db.session.scalars(exports).all() == []
    assert client.get("/official/export/households.csv").status_code == 404
    assert client.get("/official/export/communes.pdf").status_code == 404


def test_an_official_lands_on_the_dashboard(client, make_user):
    from ..conftest import PASSWORD

    user = make_user("official")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/official/"


def test_the_print_view_has_every_table(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get("/official/print", query_string=PERIOD)
    assert response.status_code == 200
    page = parse(response.text)
    assert set(TABLE_SLUGS) <= page.ids
    assert 'class="filters' not in response.text
    assert 'class="subnav"' not in response.text
    # six charts and the support report's, each drawn wide and narrow
    assert response.text.count('class="chart chart-wide"') == 7
    assert response.text.count('class="chart chart-narrow"') == 7
    assert "VN-2022-2025" in response.text


def _count_queries(client, query: dict[str, Any]) -> int:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):  # transaction control
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/official/", query_string=query).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_query_count_does_not_grow_with_households(client, login_as, province):
    login_as("official", province_wide=True)
    few = _count_queries(client, PERIOD)
    for index in range(26):
        household = HouseholdFactory(
            code=f"H-MORE-{index}",
            commune_code=URBAN if index % 2 else RURAL,
            official_status=OfficialStatus.POOR,
        )
        MembershipFactory(household=household, cooperative=province["a"])
        db.session.add(
            Payment(
                cooperative_id=province["a"].id,
                household_id=household.id,
                kind=PaymentKind.SURPLUS,
                amount_vnd=100_000,
                paid_at=WHEN,
            )
        )
        written_directly()
    db.session.commit()
    many = _count_queries(client, PERIOD)
    assert many == few
    assert few < 60


def test_the_commune_chart_shows_the_top_25_and_says_so(app):
    from blueprints.official.charts import MAX_BARS, _income_bars
    from linkage.exports import Column, Table

    rows = [
        {"label": f"Xã {index:02d}", "platform_income_vnd": index * 1000, "attributed_sales_vnd": 0}
        for index in range(40)
    ]
    table = Table("communes", "Income by commune", (Column("label", "Commune"),), rows)
    with app.test_request_context():
        chart = _income_bars(table, MAX_BARS)
        small = _income_bars(Table("regions", "R", table.columns, rows[:3]), MAX_BARS)
    assert chart.note is not None and "25" in chart.note and "40" in chart.note
    assert "Xã 39" in chart.svg and "Xã 15" in chart.svg
    assert "Xã 14" not in chart.svg  # the 15 communes with the least income are left out
    assert small.note is None
    assert len(table.rows) == 40  # the table keeps every commune


def test_the_dashboard_shows_the_key_figures_and_one_part(client, login_as, province):
    login_as("official", province_wide=True)
    first = client.get("/official/", query_string=PERIOD)
    assert first.status_code == 200
    page = parse(first.text)
    assert set(page.tables) == {"monthly"}  # the chosen part only: the default is by month
    assert page.figures["households"] == "4"
    assert first.text.count('class="chart chart-wide"') == 1
    for slug in ("communes", "regions", "ethnicity", "transitions", "products", "targeting"):
        assert f"section={slug}" in first.text  # a link to each other part, filters kept
        response = client.get("/official/", query_string={**PERIOD, "section": slug})
        assert response.status_code == 200
        assert set(parse(response.text).tables) == {slug}, slug
        assert parse(response.text).figures == page.figures
        assert 'name="section" value="' + slug + '"' in response.text  # Apply keeps the part
    supports = client.get("/official/", query_string={**PERIOD, "section": "supports"})
    assert set(parse(supports.text).tables) == {"supports"}
    assert client.get("/official/", query_string={"section": "nope"}).status_code == 404


def test_each_key_figure_has_one_meaning_and_a_note(client, login_as, province):
    """Sales and attributed sales are equal by construction for the province (every paid
    order is attributed in full): only sales is a key figure; each says how it is computed."""
    login_as("official", province_wide=True)
    text = client.get("/official/", query_string=PERIOD).text
    page = parse(text)
    assert "attributed_sales_vnd" not in page.figures
    assert "sales_vnd" in page.figures and "farmer_share" in page.figures
    assert text.count('class="figure-note"') == len(page.figures)


def test_the_product_rows_add_up_to_the_totals(client, login_as, province):
    login_as("official", province_wide=True)
    page = parse(client.get("/official/", query_string={**PERIOD, "section": "products"}).text)
    table = page.tables["products"]
    rows = [row for key, row in table.items() if key != "total"]
    assert "other_payments" in table  # the surplus payments of the fixture
    for column in ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd"):
        assert sum(number(row[column]) for row in rows) == number(table["total"][column])


def test_the_monthly_chart_marks_the_month_in_progress(app):
    """Months after the current one are not drawn (not zero yet); the current one is hollow,
    in a shaded band, with a note; a period in the past has no such mark."""
    from blueprints.official.charts import monthly_chart
    from linkage.exports import Column, Table
    from linkage.services.periods import Month, Period

    rows = [
        {
            "month": f"2026-0{m}",
            "sales_vnd": 10,
            "platform_income_vnd": 4,
            "attributed_sales_vnd": 10,
        }
        for m in range(1, 7)
    ]
    table = Table("monthly", "Monthly", (Column("month", "Month"),), rows)
    period = Period(Month(2026, 1), Month(2026, 6))
    with app.test_request_context():
        current = monthly_chart(table, period, now=Month(2026, 4))
        past = monthly_chart(table, period, now=Month(2026, 9))
    wide = current.svg.split('class="chart chart-narrow"')[0]
    assert wide.count("<circle") == 4  # January to April: May and June are not drawn
    assert wide.count('fill="#ffffff"') == 3  # April hollow, in each of the 3 series
    assert "04/2026" in current.svg and 'class="chart-partial"' in current.svg  # vi month
    assert 'class="chart-partial"' not in past.svg
    assert past.svg.split('class="chart chart-narrow"')[0].count("<circle") == 6
