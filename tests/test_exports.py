"""CSV and XLSX exports: formula neutralisation, file layout, sheet titles."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from linkage.exports import (
    SHEET_NAMES,
    Column,
    Table,
    column_widths,
    csv_response,
    neutralise,
    sheet_name,
    valid_sheet_name,
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
    with force_locale("en"):
        write_workbook([_table(), _table("regions", "Income by region")], META, target)
    book = load_workbook(io.BytesIO(target.getvalue()))
    assert book.sheetnames == ["By commune", "By region"]  # short names, not cut titles
    rows = list(book["By commune"].iter_rows(values_only=True))
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


def test_every_sheet_name_fits_excel_as_written(app):
    """The short names are valid sheet names in both languages, as written: nothing cut."""
    names = {}
    for language in ("vi", "en"):
        with app.test_request_context(), force_locale(language):
            names[language] = {slug: str(name) for slug, name in SHEET_NAMES.items()}
            for slug, text in names[language].items():
                assert valid_sheet_name(text), (language, slug, text, len(text))
                assert sheet_name(_table(slug, "x" * 40)) == text
    untranslated = [slug for slug in SHEET_NAMES if names["vi"][slug] == names["en"][slug]]
    assert untranslated == []


@pytest.mark.parametrize(
    ("slug", "title", "expected"),
    [
        ("unknown", "A short title", "A short title"),  # fits: the title itself
        ("unknown", "x" * 32, "unknown"),  # too long: the slug, never a cut title
        ("unknown", "Income by commune/ward", "unknown"),  # a character Excel refuses
    ],
)
def test_a_table_without_a_short_name(slug, title, expected):
    assert sheet_name(_table(slug, title)) == expected


def test_sheet_names_stay_unique_and_valid(app):
    target = io.BytesIO()
    tables = [_table("communes"), _table("communes"), _table("x" * 40, "y" * 40)]
    with force_locale("en"):
        write_workbook(tables, META, target)
    names = load_workbook(io.BytesIO(target.getvalue())).sheetnames
    assert names == ["By commune", "By commune 2", "x" * 31]
    assert all(valid_sheet_name(name) for name in names)


def test_columns_are_as_wide_as_their_contents(app):
    target = io.BytesIO()
    table = _table()
    table.rows = [
        *table.rows,
        {"label": "Xã Đạo Trù, huyện Tam Đảo (cũ)", "households": 12, "platform_income_vnd": 1},
        {"label": "z" * 200, "households": 1, "platform_income_vnd": 123_456_789_012},
    ]
    with force_locale("en"):
        write_workbook([table], META, target)
    sheet = load_workbook(io.BytesIO(target.getvalue()))["By commune"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] == 60  # the long label, capped
    assert widths["B"] == len("Households") + 2
    assert widths["C"] == len("123,456,789,012") + 2
    assert widths["D"] == len("Share (%)") + 2


@pytest.mark.parametrize(
    ("lines", "widths"),
    [
        ([["a", 1]], [8, 8]),  # at least MIN_WIDTH
        ([["Households", 1_000_000], ["x", None]], [12, 11]),
        ([["line one\nline two is longer"]], [20]),
        ([], []),
    ],
)
def test_column_widths(lines, widths):
    assert column_widths(lines) == widths


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_officials_workbooks_use_the_short_names(app, client, login_as, language):
    """Every sheet of the dashboard workbook and of the household export has its short name
    (no title cut at 31 characters) and sized columns, in both languages."""
    login_as("official", province_wide=True)
    client.get(f"/language/{language}")
    with app.test_request_context(), force_locale(language):
        short_names = {str(name) for name in SHEET_NAMES.values()}
    period = {"period_start": "2026-01", "period_end": "2026-03"}
    for url, count in (
        ("/official/export/dashboard.xlsx", 9),
        ("/official/households/export.xlsx", 1),
    ):
        response = client.get(url, query_string=period)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(response.data))
        assert len(book.sheetnames) == count
        assert set(book.sheetnames) <= short_names, book.sheetnames
        for sheet in book:
            assert sheet.column_dimensions["A"].width >= 8
            assert sheet.column_dimensions["B"].width >= 8
