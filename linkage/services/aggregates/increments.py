"""Keeping the aggregates at write time: a write path gathers what it adds and takes away in a
`Delta`, then `apply` adds it in one upsert per table, in the same transaction.

`INSERT ... ON CONFLICT (key) DO UPDATE SET x = table.x + excluded.x` is atomic on SQLite
and PostgreSQL, so concurrent writers to the same key never lose an addition. Keys are
written in sorted order, so two writers lock shared rows in the same order; on PostgreSQL a
deadlock that still happens (with rows another statement of the transaction holds) is
retried from a savepoint a few times before the error goes up.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from linkage.extensions import db
from models import (
    Collection,
    CooperativeMonthSales,
    HouseholdMonthIncome,
    HouseholdMonthProduct,
    ImpactOutbox,
    Lot,
    Payment,
    PaymentKind,
)

from . import outbox
from .keys import IncomeKey, ProductKey, SalesKey, month_number

DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE for deadlock_detected
ATTEMPTS = 5
BATCH = 500


@dataclass
class Delta:
    """Additions (negative: removals) to the aggregates, by key, not yet written."""

    income: dict[IncomeKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    products: dict[ProductKey, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    sales: dict[SalesKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # households with a payment or attribution added or taken out, even of 0 dong (a row
    # by product counts the households paid there, whatever the amount)
    touched: set[int] = field(default_factory=set)

    def payment(self, payment: Payment, product_id: int | None, sign: int = 1) -> None:
        """A payment counted (`sign` 1) or taken out (-1) as it stands now: a void payment
        counts nowhere; a farmgate payment also counts for the product of its delivery."""
        if payment.voided_at is not None:
            return
        self.touched.add(payment.household_id)
        kind = PaymentKind(payment.kind)
        month = month_number(payment.paid_at)
        amount = sign * payment.amount_vnd
        income = self.income[
            IncomeKey(payment.household_id, month, payment.cooperative_id, kind.value)
        ]
        income[0] += amount
        income[1] += sign
        if kind == PaymentKind.FARMGATE:
            if product_id is None:
                raise ValueError("a farmgate payment counts for the product of its delivery")
            key = ProductKey(payment.household_id, month, payment.cooperative_id, product_id)
            products = self.products[key]
            products[0] += amount
            products[1] += sign

    def attribution(
        self,
        household_id: int,
        cooperative_id: int,
        product_id: int,
        paid_at: datetime,
        amount_vnd: int,
        sign: int = 1,
    ) -> None:
        """An income attribution added (`sign` 1) or removed (-1)."""
        key = ProductKey(household_id, month_number(paid_at), cooperative_id, product_id)
        self.products[key][2] += sign * amount_vnd
        self.touched.add(household_id)

    def sale(
        self, cooperative_id: int, product_id: int, paid_at: datetime, amount_vnd: int
    ) -> None:
        """A paid order line of the cooperative's, for a listing of the product."""
        sales = self.sales[SalesKey(cooperative_id, month_number(paid_at), product_id)]
        sales[0] += amount_vnd
        sales[1] += 1

    def households(self) -> set[int]:
        """The households whose figures the delta may change."""
        return set(self.touched)

    def __bool__(self) -> bool:
        return any(any(values) for part in self._parts() for values in part.values())

    def _parts(self) -> tuple[dict[Any, list[int]], ...]:
        return (self.income, self.products, self.sales)


SUMS: dict[str, tuple[Table, tuple[str, ...]]] = {
    "income": (HouseholdMonthIncome.__table__, ("amount_vnd", "payments")),
    "products": (
        HouseholdMonthProduct.__table__,
        ("farmgate_vnd", "farmgate_payments", "attributed_vnd"),
    ),
    "sales": (CooperativeMonthSales.__table__, ("sales_vnd", "lines")),
}


def _rows(part: dict[Any, list[int]], sums: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows with something to add, in key order (one lock order for every writer)."""
    return [
        {**key._asdict(), **dict(zip(sums, values, strict=True))}
        for key, values in sorted(part.items())
        if any(values)
    ]


def _bound(table: Table, columns: tuple[str, ...], count: int) -> list[dict[str, BindParameter]]:
    """Multi-row VALUES as parameters named by table, position and column (`_params`)."""
    return [
        {
            column: bindparam(f"{table.name}_{index}_{column}", type_=table.c[column].type)
            for column in columns
        }
        for index in range(count)
    ]


def _params(table: Table, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        f"{table.name}_{index}_{column}": value
        for index, row in enumerate(rows)
        for column, value in row.items()
    }


OUTBOX = ImpactOutbox.__table__
TABLES = {table.name: (table, sums) for table, sums in [*SUMS.values(), (OUTBOX, ())]}


@functools.lru_cache(maxsize=256)
def _combined(shape: tuple[tuple[str, tuple[str, ...], int], ...]) -> Any:
    """One PostgreSQL statement writing rows into several tables (the first ones ride along
    as data-modifying CTEs), for a `shape` of (table, columns, number of rows): built once
    per shape, its values bound parameters, so that a write neither builds nor compiles it
    again."""
    statements = []
    for name, columns, count in shape:
        table, sums = TABLES[name]
        values = _bound(table, columns, count)
        if table is OUTBOX:  # a Core insert: its parameters are no ORM rows
            statement = insert(table).values(values)
        else:
            statement = upsert(table, sums, "postgresql", values)
        statements.append(statement.returning(table.c[table.primary_key.columns[0].name]))
    *others, last = statements
    return last.add_cte(*(other.cte(f"write_{index}") for index, other in enumerate(others)))


def upsert(
    table: Table,
    sums: tuple[str, ...],
    dialect: str,
    values: list[dict[str, Any]] | None = None,
    source: tuple[list[str], Select] | None = None,
) -> Any:
    """The upsert adding `sums` into `table` by its primary key: of multi-row `values`
    (`_bound`), of the rows of a SELECT (`source`: its columns and the statement), or of
    the rows given when it is executed."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if values is not None:
        statement = statement.values(values)
    elif source is not None:
        statement = statement.from_select(*source)
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + statement.excluded[name] for name in sums},
    )


def _write(delta: Delta, dialect: str) -> None:
    """The delta's upserts and its outbox rows: on PostgreSQL in one statement (the others
    ride along as data-modifying CTEs) unless there are many rows, one after the other else."""
    parts = [
        (SUMS[name], _rows(part, SUMS[name][1]))
        for name, part in zip(SUMS, delta._parts(), strict=True)
    ]
    parts = [(spec, rows) for spec, rows in parts if rows]
    changed = outbox.rows(delta.households())
    if dialect == "postgresql" and sum(len(r) for _s, r in parts) + len(changed) <= BATCH:
        written = [(table, rows) for (table, _sums), rows in parts]
        if changed:
            written.append((OUTBOX, changed))
        if written:
            shape = tuple((table.name, tuple(rows[0]), len(rows)) for table, rows in written)
            params = {
                key: value for table, rows in written for key, value in _params(table, rows).items()
            }
            db.session.execute(_combined(shape), params)
        return
    if changed:
        db.session.execute(insert(OUTBOX), changed)
    for (table, sums), rows in parts:
        statement = upsert(table, sums, dialect)
        for start in range(0, len(rows), BATCH):
            db.session.execute(statement, rows[start : start + BATCH])


def is_deadlock(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) == DEADLOCK


def apply(delta: Delta) -> None:
    """Write the delta into the aggregates (nothing when it adds nothing), and the households
    it touches into the outbox of the kept projections."""
    if not delta:
        outbox.changed(delta.households())  # a payment of 0 dong: its household still counts
        return
    dialect = db.session.connection().dialect.name
    if dialect != "postgresql":
        # SQLite has one writer at a time: the upsert cannot deadlock
        _write(delta, dialect)
        return
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with db.session.begin_nested():
                _write(delta, dialect)
            return
        except DBAPIError as error:
            if not is_deadlock(error) or attempt == ATTEMPTS:
                raise
            time.sleep(0.01 * attempt)


def products_of_collections(collection_ids: Iterable[int]) -> dict[int, int]:
    """The product of each collection's lot (one query)."""
    ids = sorted(set(collection_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Collection.id, Lot.product_id)
            .join(Lot, Lot.id == Collection.lot_id)
            .where(Collection.id.in_(ids))
        ).all()
    )
