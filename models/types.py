"""Column types shared by the models: exact quantities and UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

QUANTUM = Decimal("0.001")
MAX_ID = 2_147_483_647  # the largest id an INTEGER primary key holds (SQLite and PostgreSQL)
SCALE = 1000


def amount_vnd(quantity: Decimal, unit_price_vnd: int) -> int:
    """Quantity x unit price in whole đồng, rounded half-up (orders, deliveries, payments)."""
    return int((quantity * unit_price_vnd).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_quantity(value: Any) -> Decimal:
    """A quantity as a Decimal with 3 places (half-up)."""
    return Decimal(str(value)).quantize(QUANTUM, rounding=ROUND_HALF_UP)


class Quantity(TypeDecorator):
    """A decimal quantity with 3 places, exact on every database.

    PostgreSQL stores NUMERIC(14, 3). SQLite has no exact decimal type (it would store a float,
    and `remaining >= taken` could then fail by 1e-17), so there the value is stored as an
    integer number of thousandths. Ratios and comparisons are the same in both forms, so
    set-based SQL over quantities agrees across databases.
    """

    impl = Numeric(14, 3)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 3, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        quantity = to_quantity(value)
        if dialect.name == "sqlite":
            return int(quantity * SCALE)
        return quantity

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / SCALE).quantize(QUANTUM)
        return to_quantity(value)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored in UTC and always returned aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
