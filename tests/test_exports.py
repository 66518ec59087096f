"""CSV and XLSX exports: formula neutralisation, file layout, sheet titles."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from linkage.exports import (
    Column,
    Table,
    _sheet_title,
    csv_response,
    neutralise,
    write_workbook,
    xlsx_response,
)

META = [("Period", "2026-01 – 2026-03"), ("Scope", "=cmd|' /C calc'!A0")]


def _table(slug: str = "communes", title: str = "Income by commune") -> Table:
    return Table(
        slug=slug,
        title=title,
        columns=(
            Column("label", "Commune"),
            Column("households", "Households", "int"),
            Column("platform_income_vnd", "Paid (₫)", "vnd"),
            Column("share", "Share", "pct"),
        ),
        rows=[
            {"label": "Đạo Trù", "households": 3, "platform_income_vnd": 3_000_000, "share": 0.5},
            {"label": "@SUM(A1)", "households": 0, "platform_income_vnd": -5, "share": None},
        ],
        totals={"label": "Total", "households": 3, "platform_income_vnd": 2_999_995},
    )


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_dangerous_text_is_neutralised(prefix):
    assert neutralise(f"{prefix}1+1") == f"'{prefix}1+1"


@pytest.mark.parametrize("value", [0, -5, 12_500_000, 0.25, -0.5])
def test_numbers_are_untouched(value):
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_none_and_plain_text():
    assert neutralise(None) == ""
    assert neutralise("Đạo Trù") == "Đạo Trù"
    assert neutralise("a=b") == "a=b"
    assert neutralise(_l("Total")) == "Total"


def test_csv_has_a_bom_then_title_meta_and_header(app):
    with app.test_request_context():
        response = csv_response(_table(), META, "linkage-impact-communes.csv")
        data = b"".join(response.response)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["Income by commune"]
    assert lines[1] == ["Period", "2026-01 – 2026-03"]
    assert lines[2] == ["Scope", "'=cmd|' /C calc'!A0"]
    assert lines[3] == []
    assert lines[4] == ["Commune", "Households", "Paid (₫)", "Share (%)"]
    assert lines[5] == ["Đạo Trù", "3", "3000000", "50.0"]
    assert lines[6] == ["'@SUM(A1)", "0", "-5", ""]
    assert lines[7] == ["Total", "3", "2999995", ""]
    assert "linkage-impact-communes.csv" in response.headers["Content-Disposition"]


def test_xlsx_write_only_workbook_reads_back(app):
    target = io.BytesIO()
    write_workbook([_table(), _table("regions", "Income by region")], META, target)
    book = load_workbook(io.BytesIO(target.getvalue()))
    assert book.sheetnames == ["Income by commune", "Income by region"]
    rows = list(book["Income by commune"].iter_rows(values_only=True))
    assert rows[0][0] == "Income by commune"
    assert rows[2][:2] == ("Scope", "'=cmd|' /C calc'!A0")
    header = rows[4]
    assert header[:4] == ("Commune", "Households", "Paid (₫)", "Share (%)")
    assert rows[5][:4] == ("Đạo Trù", 3, 3_000_000, 50.0)
    assert rows[6][0] == "'@SUM(A1)"
    assert rows[6][2] == -5
    for sheet in book:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    with app.test_request_context():
        response = xlsx_response([_table()], META, "t.xlsx")
        assert int(response.headers["Content-Length"]) == len(b"".join(response.response))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Income [by] commune: a/b\\c*d?", "Income by commune abcd"),
        ("x" * 40, "x" * 31),
        ("[]:*?/\\", "Sheet"),
    ],
)
def test_sheet_titles_are_cleaned(text, expected):
    assert _sheet_title(text, set()) == expected


def test_sheet_titles_stay_unique_and_short():
    taken: set[str] = set()
    first = _sheet_title("y" * 40, taken)
    second = _sheet_title("y" * 40, taken)
    assert first == "y" * 31
    assert second == "y" * 29 + " 2"
    assert len(second) == 31
