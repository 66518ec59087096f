"""The demo's tables: UTF-8 CSV files in linkage/data/demo, one per kind of record.

Each file has a header row. A cell holding a list separates its items with spaces (codes,
names, months), except grades, which contain spaces, separated by semicolons. An empty cell
means none.
"""

from __future__ import annotations

from datetime import date

from linkage.seed.reference import data_rows

Row = dict[str, str]


def rows(name: str) -> list[Row]:
    """The rows of linkage/data/demo/<name>, in file order."""
    return data_rows("demo", name)


def words(cell: str) -> tuple[str, ...]:
    """The items of a space-separated list cell."""
    return tuple(cell.split())


def optional_date(cell: str) -> date | None:
    return date.fromisoformat(cell) if cell else None
