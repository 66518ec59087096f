"""Is a delivery plausible? Typing errors (a zero too many in the quantity, a price per tonne
typed as a price per kg) are caught before they become a household's payment.

A delivery looks wrong when its price is outside 1/3 to 3 times the median farmgate price of
the same product in the cooperative over the last 90 days, or when its quantity is over 10 times
the household's median delivery of that product (over 1,000 units without any). Void
collections count nowhere. Looking wrong only asks for a confirmation: nothing is refused.

Medians are computed the same way on SQLite and PostgreSQL: a count, then the one or two middle
values fetched in order with OFFSET and LIMIT, so no query returns more than two rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from linkage.extensions import db
from models import Collection, CollectionStatus, Lot, utcnow


class ConcernKind(enum.StrEnum):
    PRICE_HIGH = "price_high"
    PRICE_LOW = "price_low"
    QUANTITY_HIGH = "quantity_high"
    QUANTITY_WITHOUT_HISTORY = "quantity_without_history"


@dataclass(frozen=True)
class Rules:
    """The bounds of a plausible delivery."""

    price_factor: int = 3
    price_window: timedelta = timedelta(days=90)
    quantity_factor: int = 10
    quantity_without_history: Decimal = Decimal("1000")


RULES = Rules()


@dataclass(frozen=True)
class Concern:
    """Why a delivery looks wrong; `reference` is the median (or the limit) it was held to:
    a price in whole đồng per unit, or a quantity in the product's unit."""

    kind: ConcernKind
    reference: Decimal
    factor: int = 1
    days: int = 0  # the window of the median price

    @property
    def is_price(self) -> bool:
        return self.kind in (ConcernKind.PRICE_HIGH, ConcernKind.PRICE_LOW)

    @property
    def reference_vnd(self) -> int:
        """A median price rounded to the đồng, for display."""
        return int(self.reference.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def assess(
    quantity: Decimal,
    unit_price_vnd: int,
    median_price: Decimal | None,
    median_quantity: Decimal | None,
    rules: Rules = RULES,
) -> list[Concern]:
    """The concerns about a delivery, given the medians it is compared with (None: no history).
    The bounds themselves are plausible: exactly 3 times the median price passes."""
    concerns = []
    if median_price is not None:
        days = rules.price_window.days
        if unit_price_vnd > median_price * rules.price_factor:
            concerns.append(Concern(ConcernKind.PRICE_HIGH, median_price, rules.price_factor, days))
        elif unit_price_vnd * rules.price_factor < median_price:
            concerns.append(Concern(ConcernKind.PRICE_LOW, median_price, rules.price_factor, days))
    if median_quantity is not None:
        if quantity > median_quantity * rules.quantity_factor:
            concerns.append(
                Concern(ConcernKind.QUANTITY_HIGH, median_quantity, rules.quantity_factor)
            )
    elif quantity > rules.quantity_without_history:
        concerns.append(
            Concern(ConcernKind.QUANTITY_WITHOUT_HISTORY, rules.quantity_without_history)
        )
    return concerns


def _median(column: Any, *conditions: Any) -> Decimal | None:
    """The median of `column` over the counted collections (joined to their lots), or None."""
    rows = (
        select(column)
        .select_from(Collection)
        .join(Lot, Lot.id == Collection.lot_id)
        .where(Collection.status != CollectionStatus.VOID, *conditions)
    )
    count = db.session.scalar(select(func.count()).select_from(rows.subquery())) or 0
    if count == 0:
        return None
    middle = db.session.scalars(
        rows.order_by(column).offset((count - 1) // 2).limit(2 - count % 2)
    ).all()
    if not middle:  # rows went away between the two queries
        return None
    return sum((Decimal(value) for value in middle), Decimal(0)) / len(middle)


def median_price(cooperative_id: int, product_id: int, since: datetime) -> Decimal | None:
    """The median farmgate price of a product in a cooperative since `since`."""
    return _median(
        Collection.unit_price_vnd,
        Lot.cooperative_id == cooperative_id,
        Lot.product_id == product_id,
        Collection.collected_at >= since,
    )


def median_quantity(cooperative_id: int, product_id: int, household_id: int) -> Decimal | None:
    """The median quantity a household delivered of a product to the cooperative."""
    return _median(
        Collection.quantity,
        Lot.cooperative_id == cooperative_id,
        Lot.product_id == product_id,
        Collection.household_id == household_id,
    )


def check_collection(
    lot: Lot,
    household_id: int,
    quantity: Decimal,
    unit_price_vnd: int,
    *,
    now: datetime | None = None,
    rules: Rules = RULES,
) -> list[Concern]:
    """The concerns about a delivery into `lot` before it is recorded (empty: plausible)."""
    since = (now or utcnow()) - rules.price_window
    return assess(
        quantity,
        unit_price_vnd,
        median_price(lot.cooperative_id, lot.product_id, since),
        median_quantity(lot.cooperative_id, lot.product_id, household_id),
        rules,
    )
