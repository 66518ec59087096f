"""Mass balance of a cooperative's lots, with the lots that do not balance flagged (issue 5).

Everything is SQL aggregates: one row per lot from grouped subqueries (collected in, produced
by processing, consumed by processing, shipped), totals by unit, and the processing yields
(`trace.yields`). A fixed number of queries whatever the number of lots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select

from linkage.extensions import db
from models import (
    Collection,
    Cooperative,
    Lot,
    LotAllocation,
    Process,
    Product,
    Transformation,
    TransformationInput,
    Unit,
)

from ..counted import counted
from ..paging import Page
from .yields import (
    PHYSICAL_MAX_YIELD,
    ImpossibleYield,
    YieldRow,
    as_quantity,
    impossible_yields,
    yield_rows,
)

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
            *(as_quantity(amount).label(name) for name, amount in amounts.items()),
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
                as_quantity(func.sum(rows.c[name]))
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
        yields=yield_rows(cooperative.id, max_yield),
        impossible=impossible_yields(cooperative.id, max_yield),
    )
