"""Lots: numbered, created empty for deliveries, listed; their quantities change in place.

A lot's quantities change only by atomic UPDATE statements: a delivery adds in place, a
processing step or a shipment takes with `... WHERE quantity_remaining >= :q` and checks the
row count, so concurrent writers can neither lose an addition nor take more than a lot holds.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from linkage.text import fold
from models import Cooperative, Lot, LotOrigin, Product, User, utcnow
from models.types import MAX_ID

from .. import audit
from ..errors import Conflict, NotFound
from ..periods import VIETNAM
from ..scope import manages, require_manager
from . import checks

CODE_ATTEMPTS = 8
LOT_FIELDS = ("code", "cooperative_id", "product_id", "origin", "quantity_in", "note")


def lot_code_prefix(cooperative_name: str) -> str:
    """'HTX Dược liệu Đạo Trù' -> 'DT': the initials of the last two words (the place)."""
    words = [w for w in re.findall(r"[a-z0-9]+", fold(cooperative_name)) if w != "htx"]
    return "".join(w[0] for w in words[-2:]).upper() or "LOT"


def _next_lot_code(prefix: str, year: int) -> str:
    stem = f"{prefix}-{year}-"
    last = db.session.scalars(
        select(Lot.code)
        .where(Lot.code.like(f"{stem}%"))
        .order_by(func.length(Lot.code).desc(), Lot.code.desc())
        .limit(1)
    ).first()
    suffix = last.removeprefix(stem) if last else ""
    number = int(suffix) + 1 if suffix.isdigit() else 1
    return f"{stem}{number:04d}"


def insert_lot(
    cooperative: Cooperative,
    product: Product,
    origin: LotOrigin,
    quantity: Decimal,
    note: str,
    created_at: datetime,
) -> Lot:
    """A new lot numbered `<prefix>-<year>-<n>`; a concurrent writer taking the same number
    makes the insert fail on the unique code, and the next number is tried in a savepoint."""
    prefix = lot_code_prefix(cooperative.name)
    year = created_at.astimezone(VIETNAM).year
    for _attempt in range(CODE_ATTEMPTS):
        lot = Lot(
            code=_next_lot_code(prefix, year),
            cooperative_id=cooperative.id,
            product=product,
            origin=origin,
            quantity_in=quantity,
            quantity_remaining=quantity,
            note=note,
            created_at=created_at,
        )
        try:
            with db.session.begin_nested():
                db.session.add(lot)
        except IntegrityError:
            continue
        return lot
    raise Conflict(_("The lot could not be numbered; please try again."))


def create_lot(actor: User, cooperative: Cooperative, product_code: str, note: str = "") -> Lot:
    """An empty collection lot of one product; audited."""
    require_manager(actor, cooperative.id)
    product = checks.product(product_code, "product_code")
    lot = insert_lot(
        cooperative, product, LotOrigin.COLLECTION, Decimal("0"), checks.note(note), utcnow()
    )
    audit.record_created(actor, "lot", lot, LOT_FIELDS)
    return lot


def get_lot_for(actor: User, lot_id: int, cooperative_id: int | None = None) -> Lot:
    """A lot of a cooperative the actor manages (of `cooperative_id` when given); else 404."""
    lot = (
        db.session.get(Lot, lot_id, options=[joinedload(Lot.product)]) if lot_id <= MAX_ID else None
    )
    if (
        lot is None
        or not manages(actor, lot.cooperative_id)
        or (cooperative_id is not None and lot.cooperative_id != cooperative_id)
    ):
        raise NotFound(_("Lot not found."))
    return lot


def lots_query(
    actor: User,
    cooperative: Cooperative,
    product: str | None = None,
    with_stock: bool | None = None,
) -> Select[Any]:
    """The cooperative's lots, newest first; by product code and whether any stock is left."""
    require_manager(actor, cooperative.id)
    statement = (
        select(Lot)
        .where(Lot.cooperative_id == cooperative.id)
        .options(selectinload(Lot.product))
        .order_by(Lot.created_at.desc(), Lot.id.desc())
    )
    if product:
        statement = statement.where(
            Lot.product_id.in_(select(Product.id).where(Product.code == product))
        )
    if with_stock is True:
        statement = statement.where(Lot.quantity_remaining > 0)
    elif with_stock is False:
        statement = statement.where(Lot.quantity_remaining == 0)
    return statement


def lots_with_stock(cooperative: Cooperative) -> list[Lot]:
    """Lots that still hold something (inputs a transformation may take), by code."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(Lot.cooperative_id == cooperative.id, Lot.quantity_remaining > 0)
            .options(selectinload(Lot.product))
            .order_by(Lot.code)
        ).all()
    )


def change_delivered(lot: Lot, delta: Decimal) -> bool:
    """Add `delta` (negative: take it back) to what a collection lot received and holds, in one
    atomic UPDATE; False, and nothing changed, when the lot no longer holds what would go."""
    statement = (
        update(Lot)
        .where(Lot.id == lot.id)
        .values(
            quantity_in=Lot.quantity_in + delta,
            quantity_remaining=Lot.quantity_remaining + delta,
        )
        .execution_options(synchronize_session=False)
    )
    if delta < 0:
        statement = statement.where(Lot.quantity_remaining >= -delta)
    result = db.session.execute(statement)
    db.session.expire(lot, ["quantity_in", "quantity_remaining"])
    return bool(result.rowcount)  # type: ignore[attr-defined]
