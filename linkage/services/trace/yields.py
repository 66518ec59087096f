"""Processing yields of a cooperative: output per unit of input, by process and product, and
the steps that gave out more than they took in (physically impossible: a typing error).

SQL aggregates over the transformations and their summed inputs; ratios are computed in SQL
as doubles and read back as Decimals with 4 places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, select, type_coerce

from linkage.extensions import db
from models import Lot, Process, Product, Quantity, Transformation, TransformationInput

from .views import YIELD_PLACES

# No drying, slicing, sorting or packing step can give out more than it took in.
PHYSICAL_MAX_YIELD: Mapping[Process, Decimal] = {process: Decimal("1") for process in Process}
MAX_LISTED_OUTLIERS = 100


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
        return (self.output_quantity / self.input_quantity).quantize(YIELD_PLACES)


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
        return (self.output_quantity / self.input_quantity).quantize(YIELD_PLACES)


def as_quantity(expression: Any) -> Any:
    """A SQL quantity read back as a Decimal (on SQLite, from its integer thousandths)."""
    return type_coerce(expression, Quantity())


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


def yield_rows(cooperative_id: int, max_yield: Mapping[Process, Decimal]) -> list[YieldRow]:
    inputs, impossible = _inputs_and_limit(cooperative_id, max_yield)
    ratio = cast(Transformation.output_quantity, Float) / cast(inputs.c.quantity, Float)
    rows = db.session.execute(
        select(
            Transformation.process,
            Product.code,
            Product.name_vi,
            Product.name_en,
            func.count(Transformation.id),
            as_quantity(func.sum(inputs.c.quantity)),
            as_quantity(func.sum(Transformation.output_quantity)),
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


def impossible_yields(
    cooperative_id: int, max_yield: Mapping[Process, Decimal]
) -> list[ImpossibleYield]:
    inputs, impossible = _inputs_and_limit(cooperative_id, max_yield)
    rows = db.session.execute(
        select(
            Transformation.id,
            Transformation.process,
            Transformation.occurred_at,
            Lot.code,
            as_quantity(inputs.c.quantity),
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
    return None if value is None else Decimal(repr(value)).quantize(YIELD_PLACES)
