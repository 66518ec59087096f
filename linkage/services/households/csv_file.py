"""The household import file: reading a CSV file into rows (UTF-8, a header naming the
columns; `read_rows` reads any import file of the same kind), the errors it can have, and the
template to fill in."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from linkage.numbers import format_number
from linkage.services.errors import Invalid

from .values import COLUMNS, OPTIONAL_COLUMNS

MAX_IMPORT_ROWS = 20_000


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
                "The file has %(num)d problem. Nothing was imported.",
                "The file has %(num)d problems. Nothing was imported.",
                len(errors),
            )
        )
        self.errors = errors


def _rejected(row: int, field: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(row, field, message)])


def _header(names: list[str]) -> list[str]:
    """The column names of the header row, checked (errors raise ImportRejected)."""
    expected = ", ".join(COLUMNS)
    if len(names) == 1 and ";" in names[0]:
        raise _rejected(1, "header", _("Separate the columns with commas (,), not semicolons."))
    names = [name.strip().lower() for name in names]
    allowed = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = []
    if unknown := [name for name in names if name not in allowed]:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if missing := [name for name in COLUMNS if name not in names]:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        problems.append(_("Columns named twice: %(names)s.", names=", ".join(repeated)))
    if problems:
        hint = _("The first row must name the columns: %(columns)s.", columns=expected)
        raise ImportRejected([RowError(1, "header", f"{p} {hint}") for p in problems])
    return names


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows of a CSV file as (row number, {column: text}), and the rows' shape errors."""
    empty = _(
        "The file is empty. The first row must name the columns: %(columns)s.",
        columns=", ".join(COLUMNS),
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


def csv_template(commune_code: str = "08914") -> str:
    """The import file's header and two example rows (Vietnamese), comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((*COLUMNS, *OPTIONAL_COLUMNS))
    for code, name, members, group, status, deprivations, income, merit in (
        ("HTX-0001", "Triệu Văn Minh", 5, "Dao", "nghèo", 4, 1200000, "không"),
        ("HTX-0002", "Hà Thị Lan", 3, "Mường", "cận nghèo", 2, 1800000, "có"),
    ):
        row = (code, name, commune_code, members, group, status, deprivations, income, merit)
        writer.writerow((*row, "có", "không"))
    return out.getvalue()
