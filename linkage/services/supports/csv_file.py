"""The support import file: its columns (Vietnamese or English titles, or the API's keys), its
cells read into typed values, and the template to fill in.

Bank and commune lists arrive as spreadsheets, in Vietnamese: a header of Vietnamese titles
means Vietnamese numbers (`1.500.000`); English titles or keys mean English ones
(`1,500,000`). Digits alone are read the same way in both. Dates are day/month/year
(`15/03/2026`) or ISO (`2026-03-15`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask_babel import gettext as _

from linkage.numbers import NumberError, page_locale, parse_number
from linkage.services.households import ImportRejected, RowError
from linkage.services.households.csv_file import MAX_IMPORT_ROWS, read_rows
from linkage.text import fold
from models import SupportProgramme


@dataclass(frozen=True)
class Column:
    """One column of the file: its key (the API's field name) and its titles."""

    key: str
    title_vi: str
    title_en: str
    required: bool = True

    def title(self, language: str) -> str:
        return self.title_vi if language == "vi" else self.title_en


COLUMNS = (
    Column("household_code", "Mã hộ", "Household code"),
    Column("programme", "Chương trình hỗ trợ", "Programme"),
    Column("amount_vnd", "Số tiền (đồng)", "Amount (VND)"),
    Column("received_on", "Ngày nhận", "Date received"),
    Column("purpose_product_code", "Mã sản phẩm mục đích", "Purpose product code", False),
    Column("term_months", "Thời hạn vay (tháng)", "Loan term (months)", False),
    Column("note", "Ghi chú", "Note", False),
)
# The programmes as a file names them: the key, or its Vietnamese or English name.
PROGRAMME_NAMES = {
    SupportProgramme.POLICY_LOAN: ("Vay vốn chính sách", "Policy loan"),
    SupportProgramme.CROP_VARIETY: ("Giống cây trồng", "Crop variety"),
    SupportProgramme.LIVESTOCK_BREED: ("Giống vật nuôi", "Livestock breed"),
    SupportProgramme.VOCATIONAL_TRAINING: ("Đào tạo nghề", "Vocational training"),
    SupportProgramme.HOUSING_REPAIR: ("Hỗ trợ nhà ở", "Housing repair"),
    SupportProgramme.HEALTH_INSURANCE: ("Bảo hiểm y tế", "Health insurance"),
    SupportProgramme.OTHER: ("Hỗ trợ khác", "Other"),
}
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DIGITS = re.compile(r"[0-9]{1,4}")


def _key(text: str) -> str:
    """A title or name as compared: folded, `_` and `-` as spaces, without brackets."""
    return fold(re.sub(r"[_\-()]", " ", text))


_PROGRAMMES = {
    _key(name): programme
    for programme, names in PROGRAMME_NAMES.items()
    for name in (programme.value, *names)
}
_TITLES = {
    _key(name): (column, language)
    for column in COLUMNS
    for name, language in (
        (column.key, "en"),
        (column.title_en, "en"),
        (column.title_vi, "vi"),
    )
}


@dataclass(frozen=True)
class SupportFile:
    """The rows of a file as (row number, {key: text}), its language, and shape errors."""

    rows: list[tuple[int, dict[str, str]]]
    language: str
    errors: list[RowError]


def _rejected(row: int, field: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(row, field, message)])


def _columns_hint() -> str:
    titles = ", ".join(column.title_vi for column in COLUMNS if column.required)
    keys = ", ".join(column.key for column in COLUMNS if column.required)
    columns = titles + " (" + keys + ")"
    return _("The first row must name the columns: %(columns)s.", columns=columns)


def _header(cells: list[str]) -> tuple[list[str], str]:
    """The keys of the header's columns and the file's language (errors: ImportRejected)."""
    if len(cells) == 1 and ";" in cells[0]:
        raise _rejected(1, "header", _("Separate the columns with commas (,), not semicolons."))
    while cells and not cells[-1].strip():
        cells = cells[:-1]  # a spreadsheet's empty columns after the last title
    found = [_TITLES.get(_key(unicodedata.normalize("NFC", cell))) for cell in cells]
    keys = [match[0].key if match else "" for match in found]
    problems = []
    if unknown := [cell.strip() for cell, match in zip(cells, found, strict=True) if not match]:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if missing := [c.title_vi for c in COLUMNS if c.required and c.key not in keys]:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if repeated := sorted({key for key in keys if key and keys.count(key) > 1}):
        problems.append(_("Columns named twice: %(names)s.", names=", ".join(repeated)))
    if problems:
        hint = _columns_hint()
        raise ImportRejected([RowError(1, "header", f"{p} {hint}") for p in problems])
    language = "vi" if any(match and match[1] == "vi" for match in found) else "en"
    return keys, language


def read_file(data: bytes) -> SupportFile:
    """The data rows of a CSV file; a file that cannot be read raises ImportRejected."""
    first_row: list[str] = []

    def header(cells: list[str]) -> list[str]:
        first_row.extend(cells)
        return _header(cells)[0]

    empty = _("The file is empty.") + " " + _columns_hint()
    rows, errors = read_rows(data, header, empty, _too_many_rows)
    return SupportFile(rows, _header(first_row)[1], errors)


def _too_many_rows() -> str:
    most = format_decimal(MAX_IMPORT_ROWS, format="#,##0", locale=page_locale())
    return _(
        "The file has more than %(n)s supports. Split it into files of at most %(n)s rows.",
        n=most,
    )


class CellError(ValueError):
    """A cell that cannot be read; str() is the message."""


def read_programme(text: str) -> SupportProgramme:
    """The programme a cell names: its Vietnamese or English name, or its key."""
    programme = _PROGRAMMES.get(_key(text))
    if programme is None:
        names = ", ".join(names[0] for names in PROGRAMME_NAMES.values())
        raise CellError(
            _(
                "Write the programme as one of: %(names)s (or its English name or key).",
                names=names,
            )
        )
    return programme


def read_amount(text: str, language: str) -> int | None:
    """Whole đồng, written as the file's language writes numbers."""
    try:
        number = parse_number(text, language, whole=True, example=1_500_000)
    except NumberError as error:
        raise CellError(str(error)) from None
    return None if number is None else int(number)


def read_date(text: str) -> date | None:
    """15/03/2026 (day first, as in Vietnam) or 2026-03-15."""
    text = text.strip()
    if not text:
        return None
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise CellError(_("Write the date as day/month/year, for example 15/03/2026."))
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("This date does not exist: %(text)s.", text=text)) from None


def read_whole(text: str) -> int | None:
    """A small whole number (a term in months), digits only."""
    text = text.strip()
    if not text:
        return None
    if not _DIGITS.fullmatch(text):
        raise CellError(_("Enter a whole number of months, digits only, for example 60."))
    return int(text)


def typed_values(cells: dict[str, str], language: str) -> tuple[dict[str, Any], list[RowError]]:
    """A row's cells as the values `clean_support` takes; errors have row 0 (set by caller)."""
    values: dict[str, Any] = {
        "household_code": cells.get("household_code", "").strip(),
        "purpose_product_code": cells.get("purpose_product_code", "").strip() or None,
        "note": cells.get("note") or None,
    }
    errors = []
    for key, read in (
        ("programme", read_programme),
        ("amount_vnd", lambda text: read_amount(text, language)),
        ("received_on", read_date),
        ("term_months", read_whole),
    ):
        try:
            values[key] = read(cells.get(key, ""))
        except CellError as error:
            values[key] = None
            errors.append(RowError(0, key, str(error)))
    return values, errors


def csv_template(language: str = "vi") -> str:
    """The import file's header in `language` (vi or en) and three example rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(column.title(language) for column in COLUMNS)
    english = language != "vi"
    examples = (
        ("HTX-0001", SupportProgramme.POLICY_LOAN, 50_000_000, "15/03/2025", "PT-BA-KICH-TUOI"),
        ("HTX-0001", SupportProgramme.CROP_VARIETY, 2_500_000, "02/04/2025", "PT-BA-KICH-TUOI"),
        ("HTX-0002", SupportProgramme.VOCATIONAL_TRAINING, 3_000_000, "20/05/2025", ""),
    )
    notes = {
        SupportProgramme.POLICY_LOAN: "NHCSXH - cho vay hộ nghèo",
        SupportProgramme.CROP_VARIETY: "Cây giống ba kích",
        SupportProgramme.VOCATIONAL_TRAINING: "Lớp kỹ thuật trồng dược liệu",
    }
    for code, programme, amount, received, product in examples:
        loan = programme == SupportProgramme.POLICY_LOAN
        writer.writerow(
            (
                code,
                PROGRAMME_NAMES[programme][1 if english else 0],
                format_decimal(amount, format="#,##0", locale="en" if english else "vi"),
                received,
                product,
                "60" if loan else "",
                notes[programme],
            )
        )
    return out.getvalue()
