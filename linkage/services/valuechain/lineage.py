"""The lots upstream and downstream of lots, and their sources, in a bounded number of
queries whatever the chain's length.

A recursive CTE walks from lots through the transformations, back to the lots they consumed
or on to the lots they made; two more queries fetch the transformation inputs and the
collections a lot's income is attributed to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection as Many
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from linkage.extensions import db
from models import Collection, Lot, Transformation, TransformationInput

from ..counted import counted
from .attribution import LotSources


def upstream_lot_ids(lot_ids: Many[int]) -> set[int]:
    """The lots themselves and every lot upstream of them (one recursive query)."""
    return _walk(lot_ids, upstream=True)


def downstream_lot_ids(lot_ids: Many[int]) -> set[int]:
    """The lots themselves and every lot made from them, at any depth (one recursive query)."""
    return _walk(lot_ids, upstream=False)


def _walk(lot_ids: Many[int], *, upstream: bool) -> set[int]:
    """The lots and those reached from them through transformations, one step after another:
    back to the input lots that made them (`upstream`), or on to the lots made from them."""
    if not lot_ids:
        return set()
    anchor = select(Lot.id.label("lot_id")).where(Lot.id.in_(list(lot_ids)))
    reached = anchor.cte(name="upstream" if upstream else "downstream", recursive=True)
    # from a lot to the next: an input of the step that made it, or the output of a step it fed
    found, known = (
        (TransformationInput.lot_id, Transformation.output_lot_id)
        if upstream
        else (Transformation.output_lot_id, TransformationInput.lot_id)
    )
    step = (
        select(found.label("lot_id"))
        .select_from(TransformationInput)
        .join(Transformation, Transformation.id == TransformationInput.transformation_id)
        .join(reached, known == reached.c.lot_id)
    )
    reached = reached.union(step)
    return set(db.session.scalars(select(reached.c.lot_id)).all())


@dataclass(frozen=True)
class CollectionFacts:
    lot_id: int
    household_id: int
    quantity: Decimal
    product_id: int  # the product of its lot


def load_sources(lot_ids: Many[int]) -> tuple[dict[int, LotSources], dict[int, CollectionFacts]]:
    """Sources of each lot (collections or transformation inputs), in two queries."""
    inputs: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Transformation.output_lot_id,
            TransformationInput.id,
            TransformationInput.lot_id,
            TransformationInput.quantity,
        )
        .join(Transformation, Transformation.id == TransformationInput.transformation_id)
        .where(Transformation.output_lot_id.in_(list(lot_ids)))
        .order_by(TransformationInput.id)
    ).all()
    for output_lot_id, input_id, input_lot_id, quantity in rows:
        inputs[output_lot_id].append((input_id, input_lot_id, quantity))
    collections: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    facts: dict[int, CollectionFacts] = {}
    for collection_id, lot_id, household_id, quantity, product_id in db.session.execute(
        select(
            Collection.id,
            Collection.lot_id,
            Collection.household_id,
            Collection.quantity,
            Lot.product_id,
        )
        .join(Lot, Lot.id == Collection.lot_id)
        .where(Collection.lot_id.in_(list(lot_ids)), *counted(Collection))
        .order_by(Collection.id)
    ).all():
        collections[lot_id].append((collection_id, quantity))
        facts[collection_id] = CollectionFacts(lot_id, household_id, quantity, product_id)
    sources = {
        lot_id: LotSources(
            collections=tuple(collections.get(lot_id, ())), inputs=tuple(inputs.get(lot_id, ()))
        )
        for lot_id in lot_ids
    }
    return sources, facts
