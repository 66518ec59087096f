"""Attributing a paid order's revenue to the households whose produce it carried.

Reads the chain in a bounded number of queries (lineage), splits in pure Python
(attribution), and stores one IncomeAttribution per order line and collection with one
set-based INSERT, in the same transaction as the payment. The attributions it replaces and
those it writes go into the write-time aggregates in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from linkage.extensions import db
from models import IncomeAttribution, Listing, LotAllocation, Order, OrderLine, utcnow

from . import aggregates
from .valuechain.attribution import ValueChain, attribute_lines
from .valuechain.lineage import load_sources, upstream_lot_ids


@dataclass(frozen=True)
class Attribution:
    """What a paid order's attributions should be, and the products they are for."""

    rows: list[dict[str, Any]]
    product_of_collection: dict[int, int]
    lines: list[tuple[int, int]]  # (product_id of the listing, amount_vnd) per order line


def attribute_order(
    order: Order, delta: aggregates.Delta | None = None, *, sold: bool = False
) -> int:
    """Store the attributions of a paid order; returns the number of rows written.

    The aggregates follow: written here, or added to `delta` for the caller to apply with
    its other changes. `sold`: the order has just been paid, so its lines count as sales."""
    attribution = compute(order)
    rows = attribution.rows
    removed = db.session.execute(
        delete(IncomeAttribution)
        .where(IncomeAttribution.order_id == order.id)
        .returning(
            IncomeAttribution.collection_id,
            IncomeAttribution.household_id,
            IncomeAttribution.cooperative_id,
            IncomeAttribution.amount_vnd,
            IncomeAttribution.paid_at,
        )
        .execution_options(synchronize_session=False)
    ).all()
    if rows:
        db.session.execute(insert(IncomeAttribution), rows)
    changes = aggregates.Delta() if delta is None else delta
    products = dict(attribution.product_of_collection)
    # a collection voided since is no longer in the chain: its product is looked up
    unknown = {row.collection_id for row in removed} - products.keys()
    products.update(aggregates.products_of_collections(unknown))
    for old in removed:
        changes.attribution(
            old.household_id,
            old.cooperative_id,
            products[old.collection_id],
            old.paid_at,
            old.amount_vnd,
            sign=-1,
        )
    for row in rows:
        changes.attribution(
            row["household_id"],
            row["cooperative_id"],
            products[row["collection_id"]],
            row["paid_at"],
            row["amount_vnd"],
        )
    if sold:
        for product_id, amount in attribution.lines:
            changes.sale(order.cooperative_id, product_id, order.paid_at, amount)
    if delta is None:
        aggregates.apply(changes)
    return len(rows)


def compute(order: Order) -> Attribution:
    """The attributions a paid order should have, with the products of their collections."""
    if order.paid_at is None:
        raise ValueError("only a paid order is attributed")
    lines = db.session.execute(
        select(OrderLine.id, OrderLine.amount_vnd, Listing.product_id)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.id)
    ).all()
    line_amounts = {line_id: amount for line_id, amount, _product in lines}
    allocations: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
    for allocation_id, line_id, lot_id, quantity in db.session.execute(
        select(
            LotAllocation.id,
            LotAllocation.order_line_id,
            LotAllocation.lot_id,
            LotAllocation.quantity,
        )
        .where(LotAllocation.order_line_id.in_(list(line_amounts)))
        .order_by(LotAllocation.id)
    ).all():
        allocations[line_id].append((allocation_id, lot_id, quantity))
    shipped_lots = {lot_id for rows in allocations.values() for _a, lot_id, _q in rows}
    sources, facts = load_sources(upstream_lot_ids(shipped_lots))
    parts = attribute_lines(line_amounts, ValueChain(lots=sources, allocations=allocations))
    now = utcnow()
    rows = [
        {
            "order_id": order.id,
            "order_line_id": line_id,
            "collection_id": collection_id,
            "household_id": facts[collection_id].household_id,
            "cooperative_id": order.cooperative_id,
            "amount_vnd": amount,
            "paid_at": order.paid_at,
            "created_at": now,
        }
        for (line_id, collection_id), amount in sorted(parts.items())
        if amount > 0
    ]
    return Attribution(
        rows=rows,
        product_of_collection={cid: fact.product_id for cid, fact in facts.items()},
        lines=[(product_id, amount) for _id, amount, product_id in lines],
    )
