"""A table as a page shows it and a download holds it: columns, rows and totals.

Plain data, no web import: the services build tables (the impact dashboard), and
`linkage.exports` writes them as CSV and XLSX responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a (lazy) translated string
    kind: str = "text"  # text, int, vnd, pct (a share 0..1, written as a percentage)


@dataclass
class Table:
    slug: str
    title: Any
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] | None = None
