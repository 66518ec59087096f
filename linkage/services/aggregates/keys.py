"""The keys of the write-time aggregates: Vietnam months as YYYYMM numbers, in Python and in
SQL, and the key tuples of each table.

A key never changes once a record is written under it: household, month of payment,
cooperative, payment kind, product. A record whose values change (a correction, a void) is
taken out of its old key and added to its new one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ..periods import Month, Period

# Vietnam keeps UTC+7 all year (`periods.VIETNAM`): the SQL below adds the same fixed offset
SQLITE_MONTH = "CAST(strftime('%Y%m', {column}, '+7 hours') AS INTEGER)"
POSTGRESQL_MONTH = (
    "CAST(to_char(({column} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYYMM') AS INTEGER)"
)


def month_number(moment: datetime) -> int:
    """The Vietnam-time month of an aware timestamp, as YYYYMM (2026-03 -> 202603)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for a month of the aggregates")
    return number_of(Month.of(moment))


def number_of(month: Month) -> int:
    return month.year * 100 + month.month


def month_of(number: int) -> Month:
    """The month of a YYYYMM number (number_of's inverse)."""
    return Month(number // 100, number % 100)


def in_period(month: Any, period: Period) -> ColumnElement[bool]:
    """A condition on an aggregate's month column (YYYYMM): within the period."""
    return month.between(number_of(period.start), number_of(period.end))


class vietnam_month(FunctionElement):
    """SQL: the Vietnam-time month of a UTC timestamp column, as YYYYMM (an integer)."""

    type = Integer()
    inherit_cache = True
    name = "vietnam_month"


@compiles(vietnam_month, "sqlite")
def _sqlite_month(element: vietnam_month, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite holds UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff" text (models.types)
    return SQLITE_MONTH.format(column=compiler.process(element.clauses, **kw))


@compiles(vietnam_month, "postgresql")
def _postgresql_month(element: vietnam_month, compiler: SQLCompiler, **kw: Any) -> str:
    return POSTGRESQL_MONTH.format(column=compiler.process(element.clauses, **kw))


class IncomeKey(NamedTuple):
    household_id: int
    month: int
    cooperative_id: int
    kind: str


class ProductKey(NamedTuple):
    household_id: int
    month: int
    cooperative_id: int
    product_id: int


class SalesKey(NamedTuple):
    cooperative_id: int
    month: int
    product_id: int
