"""The upstream of lots in a bounded number of queries, whatever the chain's length.

A recursive CTE walks from lots back through the transformations that produced them to the
lots they consumed; two more queries fetch the transformation inputs and the collections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection as Many
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from linkage.extensions import db
from models import Collection, Lot, Transformation, TransformationInput

from .attribution import LotSources
from .counted import counted


def upstream_lot_ids(lot_ids: Many[int]) -> set[int]:
    """The lots themselves and every lot upstream of them (one recursive query)."""
    if not lot_ids:
        return set()
    anchor = select(Lot.id.label("lot_id")).where(Lot.id.in_(list(lot_ids)))
    upstream = anchor.cte(name="upstream", recursive=True)
    step = (
        select(TransformationInput.lot_id.label("lot_id"))
        .join(Transformation, Transformation.id == TransformationInput.transformation_id)
        .join(upstream, Transformation.output_lot_id == upstream.c.lot_id)
    )
    upstream = upstream.union(step)
    return set(db.session.scalars(select(upstream.c.lot_id)).all())


@dataclass(frozen=True)
class CollectionFacts:
    lot_id: int
    household_id: int
    quantity: Decimal


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
    for collection_id, lot_id, household_id, quantity in db.session.execute(
        select(Collection.id, Collection.lot_id, Collection.household_id, Collection.quantity)
        .where(Collection.lot_id.in_(list(lot_ids)), *counted(Collection))
        .order_by(Collection.id)
    ).all():
        collections[lot_id].append((collection_id, quantity))
        facts[collection_id] = CollectionFacts(lot_id, household_id, quantity)
    sources = {
        lot_id: LotSources(
            collections=tuple(collections.get(lot_id, ())), inputs=tuple(inputs.get(lot_id, ()))
        )
        for lot_id in lot_ids
    }
    return sources, facts


def downstream_lot_ids(lot_ids: Many[int]) -> set[int]:
    """The lots themselves and every lot made from them, at any depth (one recursive query)."""
    if not lot_ids:
        return set()
    anchor = select(Lot.id.label("lot_id")).where(Lot.id.in_(list(lot_ids)))
    downstream = anchor.cte(name="downstream", recursive=True)
    step = (
        select(Transformation.output_lot_id.label("lot_id"))
        .join(TransformationInput, TransformationInput.transformation_id == Transformation.id)
        .join(downstream, TransformationInput.lot_id == downstream.c.lot_id)
    )
    downstream = downstream.union(step)
    return set(db.session.scalars(select(downstream.c.lot_id)).all())
