"""Tables as CSV and XLSX downloads, with formula injection neutralised.

A `Table` (linkage/tables.py) is what a page shows and what a file holds: the same rows, the
same headers. Rows may be an iterator (a large export is never held in memory): the file is
written to a temporary file while the request's transaction is open, then streamed in chunks.
Every file starts with who and what it covers (period, scope, poverty standard), so a sheet
printed for a meeting still says where its numbers come from.

Formula injection (DESIGN 4.4): a text cell that starts with `= + - @`, a tab or a carriage
return is prefixed with an apostrophe, so a spreadsheet shows it as text and never runs it.
Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from linkage.tables import Column, Table

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


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


def _sheet_title(text: str, taken: set[str]) -> str:
    title = "".join(ch for ch in str(text) if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, number = title, 2
    while title in taken:
        suffix = f" {number}"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title)
    return title


def write_workbook(tables: Sequence[Table], meta: Sequence[tuple[Any, Any]], target: Any) -> None:
    """One sheet per table (openpyxl write-only mode: rows go to disk, not memory)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(str(table.title), taken))
        title = WriteOnlyCell(sheet, value=neutralise(str(table.title)))
        title.font = bold
        sheet.append([title])
        for label, value in meta:
            sheet.append([neutralise(str(label)), neutralise(str(value))])
        sheet.append([])
        for index, line in enumerate(_lines(table)):
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
