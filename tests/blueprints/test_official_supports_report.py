"""The dashboard's support and income section: its table equals the API, its CSV and XLSX
exports equal the table, a commune official sees only their communes, the page says the
figures are descriptive."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from linkage.services.impact.support_table import COLUMNS, support_row

from ..factories_support_report import LOAN, QUERY, VARIETY, report_setting
from .test_official_dashboard import number, parse


@pytest.fixture
def setting(app):
    return report_setting()


def _api_rows(client, bearer, user) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/impact/supports", query_string=QUERY, headers=bearer(user))
    assert response.status_code == 200
    return {item["programme"]: support_row(item) for item in response.json["items"]}


def _in_file(column: Any, value: Any) -> Any:
    """A value as the exports write it (a share as a percentage with one decimal)."""
    if value is None:
        return None
    return round(value * 100, 1) if column.kind == "pct" else value


def _file_rows(lines: list[list[Any]]) -> list[list[Any]]:
    """The rows under the table's header (the header names the first column)."""
    header = next(i for i, line in enumerate(lines) if line and line[0] == str(COLUMNS[0].header))
    return [line for line in lines[header + 1 :] if line and line[0] not in ("", None)]


def _check_file_rows(rows: list[list[Any]], api: dict[str, dict[str, Any]]) -> None:
    assert len(rows) == len(api)
    by_label = {str(row["label"]): row for row in api.values()}
    for line in rows:
        expected = by_label[str(line[0])]
        for column, cell in zip(COLUMNS[1:], line[1:], strict=True):
            wanted = _in_file(column, expected.get(column.key))
            got = None if cell in ("", None) else float(cell)
            assert got == pytest.approx(wanted), column.key


def test_the_page_table_equals_the_api(client, login_as, bearer, setting):
    api = _api_rows(client, bearer, setting.official)
    login_as(user=setting.official)
    response = client.get("/official/", query_string={**QUERY, "section": "supports"})
    assert response.status_code == 200
    table = parse(response.text).tables["supports"]
    assert set(table) == {LOAN, VARIETY}
    checked = 0
    for key, row in table.items():
        for column in COLUMNS[1:]:
            assert number(row[column.key]) == pytest.approx(api[key].get(column.key)), column.key
            checked += 1
    assert checked == 2 * (len(COLUMNS) - 1)
    assert table[LOAN]["households"] == "2"
    assert table[LOAN]["comparison_households"] == "3"
    assert 'data-note="descriptive"' in response.text
    assert 'id="supports-section"' in response.text


def test_the_exports_equal_the_api(client, login_as, bearer, setting):
    api = _api_rows(client, bearer, setting.official)
    login_as(user=setting.official)
    response = client.get("/official/export/supports.csv", query_string=QUERY)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "linkage-impact-supports-2026-01_2026-03.csv" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    _check_file_rows(_file_rows(lines), api)
    response = client.get("/official/export/supports.xlsx", query_string=QUERY)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    _check_file_rows(_file_rows([list(row) for row in sheet.iter_rows(values_only=True)]), api)
    # the workbook of every table holds it too
    book = load_workbook(
        io.BytesIO(client.get("/official/export/dashboard.xlsx", query_string=QUERY).data)
    )
    assert len(book.worksheets) == 9


def test_a_commune_official_sees_only_their_communes(client, login_as, setting):
    login_as(user=setting.town_official)
    table = parse(
        client.get("/official/", query_string={**QUERY, "section": "supports"}).text
    ).tables["supports"]
    assert list(table) == [LOAN]
    assert table[LOAN]["households"] == "1"
    assert table[LOAN]["amount_vnd"] == "7000000"
    outside = {**QUERY, "commune": "08914"}
    assert client.get("/official/", query_string=outside).status_code == 404
    assert client.get("/official/export/supports.csv", query_string=outside).status_code == 404


def test_the_print_view_has_the_section(client, login_as, setting):
    login_as(user=setting.official)
    response = client.get("/official/print", query_string=QUERY)
    assert response.status_code == 200
    assert set(parse(response.text).tables["supports"]) == {LOAN, VARIETY}
