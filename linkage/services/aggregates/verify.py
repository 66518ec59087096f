"""The aggregates compared with their recomputation from the records, key by key.

One statement per table: the expected rows and the stored rows side by side (UNION ALL, one
GROUP BY over the key), keeping the keys whose sums differ. A stored row of zeros is the same
as no row (a void takes a record out and leaves its key's row at zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Table, cast, func, literal, or_, select, union_all

from linkage.extensions import db

from .rebuild import EXPECTED


@dataclass(frozen=True)
class Difference:
    """A key whose stored sums differ from the records' (`expected`, `stored`: by column)."""

    table: str
    key: dict[str, Any]
    expected: dict[str, int]
    stored: dict[str, int]

    def describe(self) -> str:
        key = " ".join(f"{name}={value}" for name, value in self.key.items())
        sums = ", ".join(
            f"{name} {self.stored[name]} (records: {self.expected[name]})"
            for name in self.expected
            if self.expected[name] != self.stored[name]
        )
        return f"{self.table} {key}: {sums}"


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


def _differences(table: Table, expected: Any, limit: int | None) -> list[Difference]:
    keys = [column.name for column in table.primary_key.columns]
    sums = [column.name for column in table.columns if column.name not in keys]
    zero = cast(literal(0), BigInteger)
    wanted = expected().subquery("expected")
    both = union_all(
        select(
            *(wanted.c[k] for k in keys),
            *(cast(wanted.c[s], BigInteger).label(f"e_{s}") for s in sums),
            *(zero.label(f"s_{s}") for s in sums),
        ),
        select(
            *(table.c[k] for k in keys),
            *(zero for _s in sums),
            *(cast(table.c[s], BigInteger) for s in sums),
        ),
    ).subquery("both")
    statement = (
        select(
            *(both.c[k] for k in keys),
            *(func.sum(both.c[f"e_{s}"]).label(f"e_{s}") for s in sums),
            *(func.sum(both.c[f"s_{s}"]).label(f"s_{s}") for s in sums),
        )
        .group_by(*(both.c[k] for k in keys))
        .having(or_(*(func.sum(both.c[f"e_{s}"]) != func.sum(both.c[f"s_{s}"]) for s in sums)))
        .order_by(*(both.c[k] for k in keys))
        .limit(limit)
    )
    return [
        Difference(
            table=table.name,
            key={k: row[k] for k in keys},
            expected={s: int(row[f"e_{s}"]) for s in sums},
            stored={s: int(row[f"s_{s}"]) for s in sums},
        )
        for row in db.session.execute(statement).mappings()
    ]


def compare(limit: int | None = None) -> Comparison:
    """Every key whose stored sums differ from the records (at most `limit` per table)."""
    db.session.flush()
    comparison = Comparison()
    for table, expected in EXPECTED:
        comparison.differences.extend(_differences(table, expected, limit))
    return comparison
