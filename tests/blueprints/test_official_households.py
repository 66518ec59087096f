"""Officials' household impact list, household page, re-classification form and exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from linkage.extensions import db
from models import (
    AuditEntry,
    Collection,
    Household,
    OfficialStatus,
    OfficialStatusChange,
    Payment,
    PaymentKind,
)

from ..aggregates_helpers import written_directly
from ..audit_entries import record_entries
from ..factories import (
    HouseholdFactory,
    LotFactory,
)
from ..factories_impact import PERIOD, URBAN, WHEN, small_province

ROW = re.compile(r'<tr data-household="([^"]*)">(.*?)</tr>', re.S)
CELL = re.compile(r'data-key="([^"]+)" data-value="([^"]*)"')
FIGURES = ("platform_income_vnd", "attributed_sales_vnd", "projected_income_vnd")


@pytest.fixture
def province(app):
    return small_province()


def rows_of(html: str) -> list[dict[str, str]]:
    """The list's rows as {data-key: data-value}, in page order."""
    return [{"code": code, **dict(CELL.findall(body))} for code, body in ROW.findall(html)]


def api_items(client, bearer, user, **query) -> list[dict]:
    body = client.get(
        "/api/v1/impact/households",
        query_string={**PERIOD, "per_page": 100, **query},
        headers=bearer(user),
    ).json
    return body["items"]


def page_rows(client, **query) -> list[dict[str, str]]:
    response = client.get("/official/households", query_string={**PERIOD, **query})
    assert response.status_code == 200
    return rows_of(response.get_data(as_text=True))


def audits(entity_type: str) -> list[AuditEntry]:
    return list(db.session.scalars(record_entries().where(AuditEntry.entity_type == entity_type)))


# --- the list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{}, {"transition": "exit"}, {"projected_status": "not_poor"}, {"commune": URBAN}],
)
def test_the_list_shows_the_apis_items(client, login_as, bearer, province, query):
    official = login_as("official", province_wide=True)
    expected = api_items(client, bearer, official, **query)
    rows = page_rows(client, **query)
    assert [r["code"] for r in rows] == [i["code"] for i in expected]
    assert expected
    for row, item in zip(rows, expected, strict=True):
        assert {k: int(row[k]) for k in FIGURES} == {k: item[k] for k in FIGURES}
        assert (row["projected_status"], row["transition"]) == (
            item["projected_status"],
            item["transition"],
        )


@pytest.mark.parametrize("sort", ["gap", "-platform_income", "code", "-attributed_sales"])
def test_sorting_gives_the_apis_order(client, login_as, bearer, province, sort):
    official = login_as("official", province_wide=True)
    expected = [i["code"] for i in api_items(client, bearer, official, sort=sort)]
    assert [r["code"] for r in page_rows(client, sort=sort)] == expected


def test_the_list_shows_codes_not_names_and_is_audited(client, login_as, province):
    official = login_as("official", province_wide=True)
    html = client.get("/official/households", query_string={**PERIOD, "transition": "exit"})
    text = html.get_data(as_text=True)
    assert 'data-household="H-NEAR"' in text
    assert province["near"].head_name not in text
    assert 'data-total="1"' in text
    assert "VN-2022-2025" in text
    (entry,) = audits("impact_households")
    assert entry.actor_id == official.id
    assert entry.new_values == {
        "period": "2026-01..2026-03",
        "transition": "exit",
        "page": 1,
        "rows": 1,
    }


def test_pagination_per_fifty_keeps_the_filters(client, login_as, app):
    login_as("official", province_wide=True)
    HouseholdFactory.create_batch(60, official_status=OfficialStatus.NEAR_POOR)
    db.session.commit()
    query = {**PERIOD, "official_status": "near_poor", "sort": "code"}
    first = client.get("/official/households", query_string=query).get_data(as_text=True)
    assert len(rows_of(first)) == 50
    assert 'data-total="60"' in first
    next_link = re.search(r'href="([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "official_status=near_poor" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert len(rows_of(second)) == 10
    assert not {r["code"] for r in rows_of(first)} & {r["code"] for r in rows_of(second)}
    for bad in ("0", "-3", "abc", "99999999999"):
        again = client.get("/official/households", query_string={**query, "page": bad})
        assert again.status_code == 200
        assert rows_of(again.get_data(as_text=True)) == rows_of(first)


def test_the_empty_state(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get("/official/households", query_string={**PERIOD, "meritorious": "yes"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="no-households"' in text
    assert rows_of(text) == []


def test_a_wrong_filter_is_shown_left_out_and_answers_422(client, login_as, province):
    login_as("official", province_wide=True)
    response = client.get(
        "/official/households",
        query_string={"period_start": "2026-13", "official_status": "near_poor"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="period_start-error"' in text
    assert [r["code"] for r in rows_of(text)] == ["H-NEAR"]  # period left out, filter kept


# --- scope -----------------------------------------------------------------------------------


def test_a_commune_official_never_sees_the_ward(client, login_as, province):
    login_as("official")  # Đạo Trù only
    codes = {r["code"] for r in page_rows(client)}
    assert codes == {"H-POOR", "H-NEAR", "H-RICH"}
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/official/households/export.{fmt}", query_string=PERIOD)
        assert export.status_code == 200
        assert b"H-WARD" not in export.data
    ward = province["ward"]
    assert client.get(f"/official/households/{ward.id}").status_code == 404
    response = client.post(
        f"/official/households/{ward.id}/reclassify",
        data={"official_status": "poor", "reason": "Lý do đủ dài"},
    )
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(OfficialStatusChange.id))) == 0
    assert db.session.get(Household, ward.id).official_status == OfficialStatus.NOT_POOR
    assert not audits("household")
    out = client.get("/official/households", query_string={"commune": URBAN})
    assert out.status_code == 404
    assert "H-WARD" not in out.get_data(as_text=True)
    assert client.get("/official/households/export.csv?commune=07900").status_code == 404


@pytest.mark.parametrize("role", ["buyer", "manager"])
def test_buyers_and_managers_are_turned_away(client, login_as, province, role):
    login_as(role)
    household = province["poor"]
    for url in (
        "/official/households",
        f"/official/households/{household.id}",
        "/official/households/export.csv",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert b"H-POOR" not in response.data
    response = client.post(
        f"/official/households/{household.id}/reclassify",
        data={"official_status": "near_poor", "reason": "Lý do đủ dài"},
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(OfficialStatusChange.id))) == 0


# --- the household page ----------------------------------------------------------------------


def test_the_household_page(client, login_as, bearer, province):
    official = login_as("official")
    poor = province["poor"]
    db.session.add(
        OfficialStatusChange(
            household_id=poor.id,
            previous_status=OfficialStatus.NEAR_POOR,
            status=OfficialStatus.POOR,
            effective_on=date(2025, 12, 15),
            reason="Rà soát năm 2025",
            recorded_by_id=official.id,
        )
    )
    db.session.commit()
    response = client.get(f"/official/households/{poor.id}", query_string=PERIOD)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert poor.head_name in text
    assert "HTX A" in text
    assert province["lot"].code in text  # the delivery
    assert 'data-value="30.000"' in text or 'data-value="30"' in text
    assert 'data-payment="' in text and 'data-value="1800000"' in text
    assert 'id="sales-total" data-value="3000000"' in text
    assert "Rà soát năm 2025" in text and official.name in text
    (item,) = [i for i in api_items(client, bearer, official) if i["code"] == "H-POOR"]
    for key in (*FIGURES, "poverty_line_vnd", "projected_status", "transition"):
        assert f'data-key="{key}" data-value="{item[key]}"' in text
    (entry,) = audits("household_impact")
    assert (entry.entity_id, entry.new_values) == (str(poor.id), {"period": "2026-01..2026-03"})


def _count_queries(client, url: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count(*args) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_household_page_query_count_does_not_grow(client, login_as, province):
    login_as("official")
    poor, a = province["poor"], province["a"]
    url = f"/official/households/{poor.id}?period_start=2026-01&period_end=2026-03"
    before = _count_queries(client, url)
    for n in range(8):
        lot = LotFactory(cooperative=a)
        db.session.add(
            Collection(
                lot=lot,
                household=poor,
                quantity=Decimal(5),
                unit_price_vnd=10_000,
                amount_vnd=50_000,
                collected_at=WHEN,
            )
        )
        db.session.add(
            Payment(
                cooperative_id=a.id,
                household_id=poor.id,
                kind=PaymentKind.OTHER,
                amount_vnd=1_000 + n,
                paid_at=WHEN,
                note=f"n{n}",
            )
        )
        written_directly()
    db.session.commit()
    after = _count_queries(client, url)
    assert after == before
    assert after < 40


# --- re-classification -----------------------------------------------------------------------


def test_reclassification_through_the_form(client, login_as, province):
    official = login_as("official")
    near = province["near"]
    response = client.post(
        f"/official/households/{near.id}/reclassify?period_start=2026-01",
        data={"official_status": "not_poor", "reason": "Rà soát cuối năm 2026"},
    )
    assert response.status_code in (302, 303)
    assert f"/official/households/{near.id}?period_start=2026-01" in response.headers["Location"]
    assert db.session.get(Household, near.id).official_status == OfficialStatus.NOT_POOR
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.recorded_by_id) == (
        OfficialStatus.NEAR_POOR,
        official.id,
    )
    (entry,) = audits("household")
    assert entry.reason == "Rà soát cuối năm 2026"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="official-status" data-value="not_poor"' in page
    assert f'data-change="{change.id}" data-status="not_poor"' in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"official_status": "poor"}, "reason"),
        ({"official_status": "poor", "reason": "abc"}, "reason"),
        ({"official_status": "poor", "reason": "     x    "}, "reason"),
        ({"official_status": "rich", "reason": "Lý do đủ dài"}, "official_status"),
        ({"reason": "Lý do đủ dài"}, "official_status"),
    ],
)
def test_a_wrong_reclassification_writes_nothing(client, login_as, province, data, field):
    login_as("official")
    near = province["near"]
    response = client.post(f"/official/households/{near.id}/reclassify", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text
    assert 'id="reclassify"' in text
    assert db.session.get(Household, near.id).official_status == OfficialStatus.NEAR_POOR
    assert db.session.scalar(db.select(db.func.count(OfficialStatusChange.id))) == 0
    assert not audits("household")


# --- exports ---------------------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """(meta lines, table lines) of an export."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    blank = lines.index([])
    return lines[:blank], lines[blank + 1 :]


def read_xlsx(data: bytes) -> tuple[list[list], list[list]]:
    sheet = load_workbook(io.BytesIO(data)).active
    lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    blank = next(i for i, line in enumerate(lines) if all(v is None for v in line))
    return lines[:blank], lines[blank + 1 :]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_the_apis_rows(client, login_as, bearer, province, fmt):
    official = login_as("official", province_wide=True)
    query = {**PERIOD, "sort": "gap"}
    expected = api_items(client, bearer, official, sort="gap")
    response = client.get(f"/official/households/export.{fmt}", query_string=query)
    assert response.status_code == 200
    meta, table = (read_csv if fmt == "csv" else read_xlsx)(response.data)
    header, *rows = table
    assert len(header) == 15
    assert [row[0] for row in rows] == [item["code"] for item in expected]
    for row, item in zip(rows, expected, strict=True):
        assert row[1] == item["commune_code"]
        assert [int(v) for v in row[7:11]] == [
            item["platform_income_vnd"],
            item["attributed_sales_vnd"],
            item["projected_income_vnd"],
            item["poverty_line_vnd"],
        ]
        assert int(row[3]) == item["members"]
    assert "Đạo Trù" in {row[2] for row in rows}
    text = " ".join(str(v) for line in meta for v in line if v)
    assert "2026-01" in text and "2026-03" in text
    assert "VN-2022-2025" in text
    assert "Phú Thọ" in text or "Phu Tho" in text or "tỉnh" in text.lower()
    assert province["poor"].head_name not in response.data.decode("utf-8", "replace")
    (entry,) = audits("impact_export")
    assert entry.actor_id == official.id
    assert entry.new_values["table"] == "households"
    assert entry.new_values["rows"] == 4


def test_export_meta_names_the_filters(client, login_as, province):
    login_as("official")
    response = client.get(
        "/official/households/export.csv", query_string={**PERIOD, "transition": "exit"}
    )
    meta, (_header, *rows) = read_csv(response.data)
    assert [row[0] for row in rows] == ["H-NEAR"]
    scope = " ".join(" ".join(line) for line in meta)
    assert "Đạo Trù" in scope and "transition=exit" in scope


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas(client, login_as, app, fmt):
    login_as("official", province_wide=True)
    for code in ("=1+2", "@SUM(A1)", "-3", "+4"):
        HouseholdFactory(code=code)
    db.session.commit()
    response = client.get(f"/official/households/export.{fmt}", query_string=PERIOD)
    _meta, (_header, *rows) = (read_csv if fmt == "csv" else read_xlsx)(response.data)
    assert sorted(row[0] for row in rows) == sorted(["'=1+2", "'@SUM(A1)", "'-3", "'+4"])
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert not any(cell.data_type == "f" for line in sheet.iter_rows() for cell in line)


def test_unknown_export_format_is_404(client, login_as, province):
    login_as("official")
    assert client.get("/official/households/export.pdf").status_code == 404
