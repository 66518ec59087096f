"""The household import file: reading a CSV file into rows (UTF-8, a header naming the
columns; `read_rows` reads any import file of the same kind), the errors it can have, and the
template to fill in.

A header names each column by its key (`head_name`, as the API names the field) or by its
Vietnamese or English title (`Tên chủ hộ`, `Head of household`), compared without case or
accents; the template's titles are in the page's language."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from linkage.numbers import format_number, page_locale
from linkage.services.errors import Invalid
from linkage.text import fold

from .values import COLUMNS, OPTIONAL_COLUMNS

MAX_IMPORT_ROWS = 20_000

# key: (Vietnamese title, English title), for every column of COLUMNS and OPTIONAL_COLUMNS
TITLES = {
    "code": ("Mã hộ", "Household code"),
    "head_name": ("Tên chủ hộ", "Head of household"),
    "commune_code": ("Mã xã", "Commune code"),
    "members": ("Số nhân khẩu", "Members"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "official_status": ("Tình trạng nghèo chính thức", "Official poverty status"),
    "deprivations": ("Số chỉ số thiếu hụt", "Deprivations"),
    "baseline_income_vnd": (
        "Thu nhập bình quân (đồng/người/tháng)",
        "Income (VND per person per month)",
    ),
    "meritorious": ("Gia đình có công", "Meritorious family"),
    "consent": ("Đồng ý", "Consent"),
    "needs_review": ("Cần rà soát", "Needs review"),
}
# Yes and no, and the poverty statuses, as the template writes them in each language.
TEMPLATE_WORDS = {
    "vi": {"yes": "có", "no": "không", "poor": "nghèo", "near_poor": "cận nghèo"},
    "en": {"yes": "yes", "no": "no", "poor": "poor", "near_poor": "near poor"},
}


def _title_key(text: str) -> str:
    """A title as compared: folded, `_` and `-` as spaces, without brackets or slashes."""
    return fold(re.sub(r"[_\-()/]", " ", unicodedata.normalize("NFC", text)))


_KEYS = {_title_key(name): key for key, titles in TITLES.items() for name in (key, *titles)}


def title(key: str, language: str) -> str:
    """A column's title in `language` (vi or en)."""
    vi, en = TITLES[key]
    return en if language == "en" else vi


def column_titles(language: str) -> dict[str, str]:
    """Every column's title in `language`, by key."""
    return {key: title(key, language) for key in TITLES}


def _language() -> str:
    return "en" if page_locale().language == "en" else "vi"


def _columns_text() -> str:
    """The required columns as the page names them, each with its key: "Mã hộ (code), ..."."""
    language = _language()
    return ", ".join(f"{title(key, language)} ({key})" for key in COLUMNS)


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: row number (the header is row 1), field, message."""

    row: int
    field: str
    message: str


class ImportRejected(Invalid):
    """The file has errors; nothing was imported. `errors` lists every problem found (422)."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            ngettext(
                "The file has %(count)s problem. Nothing was imported.",
                "The file has %(count)s problems. Nothing was imported.",
                len(errors),
                count=format_number(len(errors)),
            )
        )
        self.errors = errors


def _rejected(row: int, field: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(row, field, message)])


def _header(names: list[str]) -> list[str]:
    """The column names of the header row, checked (errors raise ImportRejected)."""
    if len(names) == 1 and ";" in names[0]:
        raise _rejected(1, "header", _("Separate the columns with commas (,), not semicolons."))
    while names and not names[-1].strip():
        names = names[:-1]  # a spreadsheet's empty columns after the last title
    keys = [_KEYS.get(_title_key(name), "") for name in names]
    language = _language()
    problems = []
    if unknown := [name.strip() for name, key in zip(names, keys, strict=True) if not key]:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if missing := [title(key, language) for key in COLUMNS if key not in keys]:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if repeated := sorted({key for key in keys if key and keys.count(key) > 1}):
        named = ", ".join(title(key, language) for key in repeated)
        problems.append(_("Columns named twice: %(names)s.", names=named))
    if problems:
        hint = _("The first row must name the columns: %(columns)s.", columns=_columns_text())
        raise ImportRejected([RowError(1, "header", f"{p} {hint}") for p in problems])
    return keys


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows of a CSV file as (row number, {column: text}), and the rows' shape errors."""
    empty = _(
        "The file is empty. The first row must name the columns: %(columns)s.",
        columns=_columns_text(),
    )
    return read_rows(data, _header, empty, _too_many_rows)


def read_rows(
    data: bytes,
    header: Callable[[list[str]], list[str]],
    empty: str,
    too_many: Callable[[], str],
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows of a UTF-8 CSV file (a BOM allowed) as (row number, {column: text}),
    and the rows' shape errors. `header` names the columns of the first row or raises
    ImportRejected; `empty` says what a file without rows must hold; `too_many` says why
    a file of more than MAX_IMPORT_ROWS rows is refused. Blank rows are skipped."""
    if not data.strip():
        raise _rejected(1, "file", empty)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise _rejected(
            row, "file", _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
        ) from None
    reader = csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline=""))
    number = 1
    records: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    try:
        names = header(next(reader))
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (and empty spreadsheet rows) are skipped
            if len(records) == MAX_IMPORT_ROWS:
                raise _rejected(number, "file", too_many())
            if any(cell.strip() for cell in cells[len(names) :]):
                errors.append(
                    RowError(
                        number,
                        "row",
                        _(
                            "This row has %(found)d values; the header names %(expected)d columns.",
                            found=len(cells),
                            expected=len(names),
                        ),
                    )
                )
                continue
            records.append((number, dict(zip(names, cells, strict=False))))
    except csv.Error:
        raise _rejected(number + 1, "file", _("This row could not be read as CSV.")) from None
    return records, errors


def _too_many_rows() -> str:
    return _(
        "The file has more than %(n)s households. Split it into files of at most %(n)s rows.",
        n=format_number(MAX_IMPORT_ROWS),
    )


def csv_template(commune_code: str = "08914", language: str = "vi") -> str:
    """The import file's header, titled in `language` (vi or en), and two example rows,
    comma-separated."""
    language = "en" if language == "en" else "vi"
    words = TEMPLATE_WORDS[language]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(title(key, language) for key in (*COLUMNS, *OPTIONAL_COLUMNS))
    for code, name, members, group, status, deprivations, income, merit in (
        ("HTX-0001", "Triệu Văn Minh", 5, "Dao", "poor", 4, 1200000, "no"),
        ("HTX-0002", "Hà Thị Lan", 3, "Mường", "near_poor", 2, 1800000, "yes"),
    ):
        row = (code, name, commune_code, members, group, words[status], deprivations, income)
        writer.writerow((*row, words[merit], words["yes"], words["no"]))
    return out.getvalue()
