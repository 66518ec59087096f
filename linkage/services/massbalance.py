"""Mass balance of a cooperative's lots and processing yields, with outliers flagged (issue 5).

Everything is SQL aggregates: one row per lot from grouped subqueries (collected in, produced
by processing, consumed by processing, shipped), totals, and yields grouped by process and
product. A fixed number of queries whatever the number of lots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Select, case, cast, func, literal, or_, select, type_coerce

from linkage.extensions import db
from models import (
    Collection,
    Cooperative,
    Lot,
    LotAllocation,
    Process,
    Product,
    Quantity,
    Transformation,
    TransformationInput,
    Unit,
)

from .counted import counted
from .paging import Page

# No drying, slicing, sorting or packing step can give out more than it took in.
PHYSICAL_MAX_YIELD: Mapping[Process, Decimal] = {process: Decimal("1") for process in Process}
RATIO_PLACES = Decimal("0.0001")
MAX_LISTED_OUTLIERS = 100
OVERDRAWN, REMAINING_MISMATCH, IN_MISMATCH = "overdrawn", "remaining_mismatch", "in_mismatch"


@dataclass(frozen=True)
class LotBalance:
    lot_id: int
    code: str
    product_code: str
    product_name_vi: str
    product_name_en: str
    unit: Unit
    collected: Decimal
    produced: Decimal
    consumed: Decimal
    shipped: Decimal
    remaining: Decimal
    recorded_in: Decimal
    flags: tuple[str, ...]

    @property
    def came_in(self) -> Decimal:
        return self.collected + self.produced

    @property
    def expected_remaining(self) -> Decimal:
        return self.came_in - self.consumed - self.shipped


@dataclass(frozen=True)
class Totals:
    """The sums over the lots of products counted in one unit (kg, litres, items)."""

    unit: Unit
    lots: int
    flagged_lots: int
    collected: Decimal
    produced: Decimal
    consumed: Decimal
    shipped: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class YieldRow:
    """The yield of one process making one product: overall, lowest, highest, impossible."""

    process: Process
    product_code: str
    product_name_vi: str
    product_name_en: str
    transformations: int
    input_quantity: Decimal
    output_quantity: Decimal
    lowest: Decimal | None
    highest: Decimal | None
    impossible: int

    @property
    def yield_ratio(self) -> Decimal | None:
        if not self.input_quantity:
            return None
        return (self.output_quantity / self.input_quantity).quantize(RATIO_PLACES)


@dataclass(frozen=True)
class ImpossibleYield:
    transformation_id: int
    process: Process
    occurred_at: datetime
    output_lot_code: str
    input_quantity: Decimal
    output_quantity: Decimal

    @property
    def yield_ratio(self) -> Decimal:
        return (self.output_quantity / self.input_quantity).quantize(RATIO_PLACES)


@dataclass(frozen=True)
class MassBalance:
    cooperative_id: int
    totals: list[Totals]  # one row per unit
    lots: Page[LotBalance]
    yields: list[YieldRow]
    impossible: list[ImpossibleYield]

    @property
    def lot_count(self) -> int:
        return sum(t.lots for t in self.totals)

    @property
    def flagged_count(self) -> int:
        return sum(t.flagged_lots for t in self.totals)


def _quantity(expression: Any) -> Any:
    """A SQL quantity read back as a Decimal (on SQLite, from its integer thousandths)."""
    return type_coerce(expression, Quantity())


def _lot_rows(cooperative_id: int) -> tuple[Select[Any], dict[str, Any]]:
    """The per-lot balance as a SELECT and its flag conditions, from grouped subqueries."""
    lot_ids = select(Lot.id).where(Lot.cooperative_id == cooperative_id)

    def grouped(key: Any, amount: Any, *conditions: Any) -> Any:
        return (
            select(key.label("lot_id"), func.sum(amount).label("quantity"))
            .where(key.in_(lot_ids), *conditions)
            .group_by(key)
            .subquery()
        )

    collected = grouped(Collection.lot_id, Collection.quantity, *counted(Collection))
    produced = grouped(Transformation.output_lot_id, Transformation.output_quantity)
    consumed = grouped(TransformationInput.lot_id, TransformationInput.quantity)
    shipped = grouped(LotAllocation.lot_id, LotAllocation.quantity)
    zero = literal(0)
    amounts = {
        name: func.coalesce(sub.c.quantity, zero)
        for name, sub in (
            ("collected", collected),
            ("produced", produced),
            ("consumed", consumed),
            ("shipped", shipped),
        )
    }
    came_in = amounts["collected"] + amounts["produced"]
    taken = amounts["consumed"] + amounts["shipped"]
    flags = {
        OVERDRAWN: taken > came_in,
        REMAINING_MISMATCH: Lot.quantity_remaining != came_in - taken,
        IN_MISMATCH: Lot.quantity_in != came_in,
    }
    statement = (
        select(
            Lot.id,
            Lot.code,
            Product.code.label("product_code"),
            Product.name_vi,
            Product.name_en,
            Product.unit,
            *(_quantity(amount).label(name) for name, amount in amounts.items()),
            Lot.quantity_remaining,
            Lot.quantity_in,
            *(case((condition, 1), else_=0).label(name) for name, condition in flags.items()),
        )
        .join(Product, Product.id == Lot.product_id)
        .where(Lot.cooperative_id == cooperative_id)
    )
    for sub in (collected, produced, consumed, shipped):
        statement = statement.outerjoin(sub, sub.c.lot_id == Lot.id)
    return statement, flags


def _balance(row: Any) -> LotBalance:
    return LotBalance(
        lot_id=row.id,
        code=row.code,
        product_code=row.product_code,
        product_name_vi=row.name_vi,
        product_name_en=row.name_en,
        unit=row.unit,
        collected=row.collected,
        produced=row.produced,
        consumed=row.consumed,
        shipped=row.shipped,
        remaining=row.quantity_remaining,
        recorded_in=row.quantity_in,
        flags=tuple(
            name for name in (OVERDRAWN, REMAINING_MISMATCH, IN_MISMATCH) if row._mapping[name]
        ),
    )


def mass_balance(
    cooperative: Cooperative,
    *,
    page: int = 1,
    per_page: int = 50,
    flagged_only: bool = False,
    max_yield: Mapping[Process, Decimal] = PHYSICAL_MAX_YIELD,
) -> MassBalance:
    """The cooperative's balance: totals, a page of lots (flagged ones only if asked), yields."""
    statement, flags = _lot_rows(cooperative.id)
    rows = statement.subquery()
    by_unit = db.session.execute(
        select(
            rows.c.unit,
            func.count(),
            func.sum(case((or_(*(rows.c[name] == 1 for name in flags)), 1), else_=0)),
            *(
                _quantity(func.sum(rows.c[name]))
                for name in ("collected", "produced", "consumed", "shipped", "quantity_remaining")
            ),
        )
        .group_by(rows.c.unit)
        .order_by(rows.c.unit)
    ).all()
    totals = [Totals(unit, int(lots), int(bad), *sums) for unit, lots, bad, *sums in by_unit]
    if flagged_only:
        statement = statement.where(or_(*flags.values()))
    total = sum(t.flagged_lots if flagged_only else t.lots for t in totals)
    page_rows = db.session.execute(
        statement.order_by(Lot.created_at.desc(), Lot.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return MassBalance(
        cooperative_id=cooperative.id,
        totals=totals,
        lots=Page([_balance(row) for row in page_rows], page, per_page, total),
        yields=_yields(cooperative.id, max_yield),
        impossible=_impossible(cooperative.id, max_yield),
    )


def _inputs_and_limit(cooperative_id: int, max_yield: Mapping[Process, Decimal]) -> tuple[Any, Any]:
    inputs = (
        select(
            TransformationInput.transformation_id.label("transformation_id"),
            func.sum(TransformationInput.quantity).label("quantity"),
        )
        .join(Transformation, Transformation.id == TransformationInput.transformation_id)
        .where(Transformation.cooperative_id == cooperative_id)
        .group_by(TransformationInput.transformation_id)
        .subquery()
    )
    factor = case(
        {process: literal(float(limit), Float()) for process, limit in max_yield.items()},
        value=Transformation.process,
        else_=literal(1.0, Float()),
    )
    impossible = (
        cast(Transformation.output_quantity, Float) > cast(inputs.c.quantity, Float) * factor
    )
    return inputs, impossible


def _yields(cooperative_id: int, max_yield: Mapping[Process, Decimal]) -> list[YieldRow]:
    inputs, impossible = _inputs_and_limit(cooperative_id, max_yield)
    ratio = cast(Transformation.output_quantity, Float) / cast(inputs.c.quantity, Float)
    rows = db.session.execute(
        select(
            Transformation.process,
            Product.code,
            Product.name_vi,
            Product.name_en,
            func.count(Transformation.id),
            _quantity(func.sum(inputs.c.quantity)),
            _quantity(func.sum(Transformation.output_quantity)),
            func.min(ratio),
            func.max(ratio),
            func.sum(case((impossible, 1), else_=0)),
        )
        .join(inputs, inputs.c.transformation_id == Transformation.id)
        .join(Lot, Lot.id == Transformation.output_lot_id)
        .join(Product, Product.id == Lot.product_id)
        .where(Transformation.cooperative_id == cooperative_id)
        .group_by(Transformation.process, Product.code, Product.name_vi, Product.name_en)
        .order_by(Transformation.process, Product.code)
    ).all()
    return [
        YieldRow(
            process,
            code,
            name_vi,
            name_en,
            int(count),
            taken,
            made,
            _ratio(low),
            _ratio(high),
            int(bad or 0),
        )
        for process, code, name_vi, name_en, count, taken, made, low, high, bad in rows
    ]


def _impossible(cooperative_id: int, max_yield: Mapping[Process, Decimal]) -> list[ImpossibleYield]:
    inputs, impossible = _inputs_and_limit(cooperative_id, max_yield)
    rows = db.session.execute(
        select(
            Transformation.id,
            Transformation.process,
            Transformation.occurred_at,
            Lot.code,
            _quantity(inputs.c.quantity),
            Transformation.output_quantity,
        )
        .join(inputs, inputs.c.transformation_id == Transformation.id)
        .join(Lot, Lot.id == Transformation.output_lot_id)
        .where(Transformation.cooperative_id == cooperative_id, impossible)
        .order_by(Transformation.occurred_at.desc(), Transformation.id.desc())
        .limit(MAX_LISTED_OUTLIERS)
    ).all()
    return [ImpossibleYield(*row) for row in rows]


def _ratio(value: float | None) -> Decimal | None:
    """A ratio computed in SQL as a double, back to a Decimal with 4 places."""
    return None if value is None else Decimal(repr(value)).quantize(RATIO_PLACES)
