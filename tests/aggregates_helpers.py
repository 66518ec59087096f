"""Reading the write-time aggregates in tests: stored rows by key, zero rows left out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from linkage.extensions import db
from linkage.services.aggregates import rebuild
from models import CooperativeMonthSales, HouseholdMonthIncome, HouseholdMonthProduct

TABLES = {
    "income": (HouseholdMonthIncome, ("amount_vnd", "payments")),
    "products": (HouseholdMonthProduct, ("farmgate_vnd", "farmgate_payments", "attributed_vnd")),
    "sales": (CooperativeMonthSales, ("sales_vnd", "lines")),
}
AGGREGATE_TABLES = (
    "household_month_income",
    "household_month_products",
    "cooperative_month_sales",
)


def stored(name: str) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """One table's rows that hold something: {key: sums} (a kind as its value)."""
    model, sums = TABLES[name]
    table = model.__table__
    keys = [column.name for column in table.primary_key.columns]
    rows = db.session.execute(select(table)).mappings()
    found = {}
    for row in rows:
        values = tuple(int(row[s]) for s in sums)
        if any(values):
            found[tuple(getattr(row[k], "value", row[k]) for k in keys)] = values
    return found


class Statements:
    """The SQL statements run inside the block (`with Statements() as seen:`)."""

    def __init__(self) -> None:
        self.all: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.all.append(statement)

    def __enter__(self) -> Statements:
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)

    @property
    def queries(self) -> list[str]:
        """Statements but for transaction control (savepoints)."""
        return [s for s in self.all if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]

    def on_aggregates(self) -> list[str]:
        return [s for s in self.queries if any(name in s for name in AGGREGATE_TABLES)]


def written_directly() -> None:
    """For a builder that writes payments, attributions or paid orders straight into the
    session rather than through the services that keep the write-time aggregates: the
    aggregates recomputed from the records, as `flask aggregates rebuild` does (flushes; the
    caller commits)."""
    rebuild()
