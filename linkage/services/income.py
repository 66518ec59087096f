"""Attributing a paid order's revenue to the households whose produce it carried.

Reads the chain in a bounded number of queries (lineage), splits in pure Python
(attribution), and stores one IncomeAttribution per order line and collection with one
set-based INSERT, in the same transaction as the payment.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from linkage.extensions import db
from models import IncomeAttribution, LotAllocation, Order, OrderLine, utcnow

from .valuechain.attribution import ValueChain, attribute_lines
from .valuechain.lineage import load_sources, upstream_lot_ids


def attribute_order(order: Order) -> int:
    """Store the attributions of a paid order; returns the number of rows written."""
    rows = attribution_rows(order)
    db.session.execute(delete(IncomeAttribution).where(IncomeAttribution.order_id == order.id))
    if rows:
        db.session.execute(insert(IncomeAttribution), rows)
    return len(rows)


def attribution_rows(order: Order) -> list[dict[str, Any]]:
    """The attributions a paid order should have, computed from its records (nothing written)."""
    if order.paid_at is None:
        raise ValueError("only a paid order is attributed")
    line_amounts = dict(
        db.session.execute(
            select(OrderLine.id, OrderLine.amount_vnd).where(OrderLine.order_id == order.id)
        ).all()
    )
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
    return [
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
