"""Tables as CSV and XLSX downloads, with formula injection neutralised.

A `Table` (linkage/tables.py) is what a page shows and what a file holds: the same rows, the
same headers. Rows may be an iterator (a large export is never held in memory): the file is
written to a temporary file while the request's transaction is open, then streamed in chunks.
Every file starts with who and what it covers (period, scope, poverty standard), so a sheet
printed for a meeting still says where its numbers come from.

Formula injection (DESIGN 4.4): a text cell that starts with `= + - @`, a tab or a carriage
return is prefixed with an apostrophe, so a spreadsheet shows it as text and never runs it.
Numbers are written as numbers.

XLSX sheets are named by short names chosen for the purpose (`SHEET_NAMES`, within Excel's 31
characters in both languages, checked by tests/test_exports.py), never by cutting a table's
title; each column is as wide as its header and its first rows need.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, islice
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from linkage.tables import Column, Table

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
# A sheet's name by the table's slug: short by design (Excel allows 31 characters and none of
# [ ] : * ? / \\), in both languages; a table without one is named by its title when that fits,
# else by its slug.
SHEET_NAMES: dict[str, Any] = {
    "communes": _l("By commune"),
    "regions": _l("By region"),
    "ethnicity": _l("Income by ethnicity group"),
    "transitions": _l("Projected transitions"),
    "products": _l("Farmer share by product"),
    "targeting": _l("Communes by need"),
    "monthly": _l("By month"),
    "figures": _l("Key figures"),
    "supports": _l("Support and income"),
    "households": _l("Household impact"),
    "audit": _l("Audit log"),
}
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAMES = frozenset("[]:*?/\\")
WIDTH_SAMPLE = 200  # rows read to size the columns (the rest streams as it comes)
MIN_WIDTH, MAX_WIDTH = 8, 60


def neutralise(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(DANGEROUS):
        return "'" + text
    return text


def cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "pct":
        return round(float(value) * 100, 1)
    return value


def header_text(column: Column) -> str:
    return f"{column.header} (%)" if column.kind == "pct" else str(column.header)


def _lines(table: Table) -> Iterator[list[Any]]:
    yield [header_text(c) for c in table.columns]
    for row in table.rows:
        yield [neutralise(cell_value(c, row.get(c.key))) for c in table.columns]
    if table.totals is not None:
        yield [neutralise(cell_value(c, table.totals.get(c.key))) for c in table.columns]


def _csv_chunks(table: Table, meta: Sequence[tuple[Any, Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte order mark: spreadsheets then read Vietnamese as UTF-8
    writer.writerow([neutralise(str(table.title))])
    for label, value in meta:
        writer.writerow([neutralise(str(label)), neutralise(str(value))])
    writer.writerow([])
    for count, line in enumerate(_lines(table)):
        writer.writerow(line)
        if count % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(table: Table, meta: Sequence[tuple[Any, Any]], filename: str) -> Response:
    """The table as a CSV download (UTF-8 with a byte order mark), written to a temporary
    file first: the rows are read once, within the request's transaction."""
    return _spooled(
        lambda target: target.writelines(_csv_chunks(table, meta)), CSV_MIMETYPE, filename
    )


def valid_sheet_name(name: str) -> bool:
    """True when Excel accepts `name` as it is (no cutting, no character dropped)."""
    name = name.strip()
    return 0 < len(name) <= MAX_SHEET_NAME and not FORBIDDEN_IN_SHEET_NAMES & set(name)


def sheet_name(table: Table) -> str:
    """The table's sheet name: its short name, else its title if valid, else its slug."""
    for candidate in (SHEET_NAMES.get(table.slug), table.title):
        if candidate is not None and valid_sheet_name(str(candidate)):
            return str(candidate).strip()
    return table.slug[:MAX_SHEET_NAME]


def _unique(name: str, slug: str, taken: set[str]) -> str:
    """The name, or (a second table of the same name) the name with a number, or the slug."""
    number = 2
    candidate = name
    while candidate.casefold() in taken:
        candidate = f"{name} {number}"
        if not valid_sheet_name(candidate):
            candidate = f"{slug[: MAX_SHEET_NAME - 4]} {number}"
        number += 1
    taken.add(candidate.casefold())
    return candidate


def _width(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 0
    text = f"{value:,}" if isinstance(value, int | float) else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def column_widths(lines: Sequence[Sequence[Any]]) -> list[int]:
    """Each column's width in characters: its widest cell among `lines`, plus a margin,
    between MIN_WIDTH and MAX_WIDTH (a long text wraps in the cell rather than the sheet
    growing without end)."""
    count = max((len(line) for line in lines), default=0)
    widest = [
        max((_width(line[i]) for line in lines if i < len(line)), default=0) for i in range(count)
    ]
    return [min(MAX_WIDTH, max(MIN_WIDTH, width + 2)) for width in widest]


def write_workbook(tables: Sequence[Table], meta: Sequence[tuple[Any, Any]], target: Any) -> None:
    """One sheet per table (openpyxl write-only mode: rows go to disk, not memory), named by
    `sheet_name`, its columns sized by their header, the labels above and the first rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    labels = [[neutralise(str(label))] for label, _value in meta]
    for table in tables:
        sheet = workbook.create_sheet(_unique(sheet_name(table), table.slug, taken))
        lines = _lines(table)
        head = list(islice(lines, WIDTH_SAMPLE + 1))  # the header and the first rows
        # widths must be set before the first row in write-only mode
        for index, width in enumerate(column_widths([*labels, *head]), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        title = WriteOnlyCell(sheet, value=neutralise(str(table.title)))
        title.font = bold
        sheet.append([title])
        for label, value in meta:
            sheet.append([neutralise(str(label)), neutralise(str(value))])
        sheet.append([])
        for index, line in enumerate(chain(head, lines)):
            if index == 0:
                cells = []
                for text in line:
                    cell = WriteOnlyCell(sheet, value=neutralise(text))
                    cell.font = bold
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(line)
    workbook.save(target)


def xlsx_response(
    tables: Sequence[Table], meta: Sequence[tuple[Any, Any]], filename: str
) -> Response:
    """The tables as an XLSX download, built in a temporary file."""
    return _spooled(lambda target: write_workbook(tables, meta, target), XLSX_MIMETYPE, filename)


def _spooled(write: Callable[[Any], None], mimetype: str, filename: str) -> Response:
    """A download written to a temporary file (in memory up to 8 MB, then on disk), then
    streamed to the client in chunks."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while data := spool.read(CHUNK):
                yield data
        finally:
            spool.close()

    response = Response(chunks(), mimetype=mimetype)
    # a generator never started (HEAD, an answer compressed on the way) runs no `finally`
    response.call_on_close(spool.close)
    response.headers["Content-Disposition"] = _disposition(filename)
    response.headers["Content-Length"] = str(size)
    return response
