"""Processing steps: quantities taken from input lots, one new output lot; all or nothing.

A lot gives with `... WHERE quantity_remaining >= :q` and a check of the row count, so
concurrent steps can never take more than a lot holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.numbers import format_quantity, unit_label
from models import (
    AuditAction,
    Cooperative,
    Lot,
    LotOrigin,
    Process,
    Transformation,
    TransformationInput,
    User,
)
from models.types import MAX_ID

from .. import audit
from ..errors import Conflict, Invalid, NotFound, UnknownReference
from ..scope import require_manager
from . import checks
from .checks import MAX_INPUTS, check_moment, positive_quantity
from .lots import insert_lot


def _process(value: Any) -> Process:
    try:
        return Process(value)
    except ValueError:
        raise UnknownReference(_("Unknown processing step."), field="process") from None


def _takes(inputs: Iterable[tuple[int, Any]], add_repeats: bool) -> dict[int, Decimal]:
    takes: dict[int, Decimal] = {}
    for lot_id, quantity in inputs:
        if not isinstance(lot_id, int) or not 1 <= lot_id <= MAX_ID:
            raise NotFound(_("Lot not found."), field="inputs")
        if lot_id in takes and not add_repeats:
            raise Invalid(_("Each input lot may appear only once."), field="inputs")
        # each quantity given is bounded; a lot given again takes the sum (at most MAX_INPUTS
        # times the bound: within a quantity's column)
        takes[lot_id] = takes.get(lot_id, Decimal(0)) + positive_quantity(quantity, "inputs")
    if not takes:
        raise Invalid(_("Choose at least one input lot."), field="inputs")
    if len(takes) > MAX_INPUTS:
        raise Invalid(_("Too many input lots."), field="inputs")
    return takes


def _take(lot: Lot, quantity: Decimal) -> None:
    """Take `quantity` from the lot atomically, or refuse with what it holds (409)."""
    result = db.session.execute(
        update(Lot)
        .where(Lot.id == lot.id, Lot.quantity_remaining >= quantity)
        .values(quantity_remaining=Lot.quantity_remaining - quantity)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(lot, ["quantity_remaining"])
    if result.rowcount == 0:  # type: ignore[attr-defined]
        held = db.session.scalar(select(Lot.quantity_remaining).where(Lot.id == lot.id))
        raise Conflict(
            _(
                "Lot %(code)s holds only %(quantity)s %(unit)s.",
                code=lot.code,
                quantity=format_quantity(held),
                unit=unit_label(lot.product.unit),
            )
        )


def record_transformation(
    actor: User,
    cooperative: Cooperative,
    process: Process | str,
    occurred_at: datetime,
    inputs: Iterable[tuple[int, Any]],
    output_product_code: str,
    output_quantity: Decimal,
    note: str = "",
    *,
    add_repeats: bool = False,
) -> Transformation:
    """A processing step: takes from input lots, fills one new output lot; all or nothing.

    A lot given twice is refused (422), or with `add_repeats` (the API, whose document cannot
    forbid it) taken once for the sum of its quantities.
    """
    require_manager(actor, cooperative.id)
    process = _process(process)
    occurred_at = check_moment(occurred_at, "occurred_at")
    takes = _takes(inputs, add_repeats)
    product = checks.product(output_product_code, "output")
    output_quantity = positive_quantity(output_quantity, "output")
    note = checks.note(note)
    lots = {
        lot.id: lot
        for lot in db.session.scalars(
            select(Lot)
            .where(Lot.id.in_(list(takes)), Lot.cooperative_id == cooperative.id)
            .options(joinedload(Lot.product))
        )
    }
    if len(lots) != len(takes):
        raise NotFound(_("Lot not found."), field="inputs")
    # a savepoint makes the step all-or-nothing even for a caller that does not roll back
    with db.session.begin_nested():
        for lot_id in sorted(takes):  # one lock order for every writer: no deadlock
            _take(lots[lot_id], takes[lot_id])
        output = insert_lot(
            cooperative, product, LotOrigin.TRANSFORMATION, output_quantity, note, occurred_at
        )
        transformation = Transformation(
            cooperative_id=cooperative.id,
            process=process,
            occurred_at=occurred_at,
            output_lot=output,
            output_quantity=output_quantity,
            note=note,
            recorded_by_id=actor.id,
            inputs=[TransformationInput(lot_id=i, quantity=q) for i, q in takes.items()],
        )
        db.session.add(transformation)
    audit.record(
        actor,
        AuditAction.CREATE,
        "transformation",
        transformation.id,
        new={
            "process": process,
            "occurred_at": occurred_at,
            "inputs": {lots[i].code: str(q) for i, q in takes.items()},
            "output_lot": output.code,
            "output_quantity": output_quantity,
        },
    )
    return transformation
