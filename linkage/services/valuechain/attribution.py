"""Income attribution as a pure computation (DESIGN 4.2): no Flask, no database.

A paid order line's amount is split over the lots allocated to it in proportion to the
allocated quantity; a lot's amount over its sources in proportion to quantity: a collected
lot over its collections, a transformation output over the transformation's inputs (by the
quantity taken), recursively down to collections. Every split is in whole VND by the
largest-remainder method, ties to the lower id, so the parts add up exactly to the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction


def split_largest_remainder(amount: int, weights: Sequence[tuple[int, Decimal]]) -> dict[int, int]:
    """Split `amount` VND over ids in proportion to their weights; parts sum to `amount`.

    Each id gets the floor of its exact share; the VND left over go one each to the largest
    remainders, ties to the lower id. Ids with zero weight get nothing.
    """
    if amount < 0:
        raise ValueError("amount must not be negative")
    positive = [(key, Fraction(weight)) for key, weight in weights if weight > 0]
    total = sum((weight for _key, weight in positive), Fraction(0))
    if amount == 0 or not positive:
        if amount and not positive:
            raise ValueError("cannot split a positive amount over no positive weight")
        return {key: 0 for key, _weight in weights}
    shares: dict[int, int] = defaultdict(int)
    remainders: list[tuple[Fraction, int]] = []
    for key, weight in positive:
        exact = amount * weight / total
        floor = exact.numerator // exact.denominator
        shares[key] += floor
        remainders.append((exact - floor, key))
    left = amount - sum(shares.values())
    for _remainder, key in sorted(remainders, key=lambda item: (-item[0], item[1]))[:left]:
        shares[key] += 1
    return {key: shares.get(key, 0) for key, _weight in weights}


@dataclass(frozen=True)
class LotSources:
    """Where a lot's content came from: its collections, or one transformation's inputs."""

    collections: tuple[tuple[int, Decimal], ...] = ()  # (collection_id, quantity)
    inputs: tuple[tuple[int, int, Decimal], ...] = ()  # (input_id, input_lot_id, quantity)


@dataclass
class ValueChain:
    """The part of the value chain a payment flows through."""

    lots: Mapping[int, LotSources]
    allocations: Mapping[int, Sequence[tuple[int, int, Decimal]]] = field(default_factory=dict)
    # line_id -> [(allocation_id, lot_id, quantity)]


def split_lot(amount: int, lot_id: int, chain: ValueChain) -> dict[int, int]:
    """`amount` VND of a lot, split down to collections: {collection_id: VND}."""
    result: dict[int, int] = defaultdict(int)
    pending: list[tuple[int, int]] = [(lot_id, amount)]
    while pending:
        current, value = pending.pop()
        sources = chain.lots[current]
        if sources.collections:
            for collection_id, part in split_largest_remainder(value, sources.collections).items():
                result[collection_id] += part
        elif sources.inputs:
            weights = [(input_id, quantity) for input_id, _lot, quantity in sources.inputs]
            parts = split_largest_remainder(value, weights)
            lot_of = {input_id: input_lot for input_id, input_lot, _q in sources.inputs}
            pending.extend((lot_of[input_id], part) for input_id, part in parts.items() if part)
        elif value:
            raise ValueError(f"lot {current} has no source to attribute {value} VND to")
    return dict(result)


def attribute_lines(
    line_amounts: Mapping[int, int], chain: ValueChain
) -> dict[tuple[int, int], int]:
    """Each paid line's amount down to collections: {(line_id, collection_id): VND}."""
    result: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, amount in sorted(line_amounts.items()):
        allocations = chain.allocations.get(line_id, ())
        if not allocations:
            raise ValueError(f"order line {line_id} was paid but never shipped from a lot")
        weights = [(allocation_id, quantity) for allocation_id, _lot, quantity in allocations]
        lot_of = {allocation_id: lot_id for allocation_id, lot_id, _q in allocations}
        for allocation_id, part in split_largest_remainder(amount, weights).items():
            for collection_id, value in split_lot(part, lot_of[allocation_id], chain).items():
                result[(line_id, collection_id)] += value
    return dict(result)


def totals_by(parts: Mapping[tuple[int, int], int], key_of: Mapping[int, int]) -> dict[int, int]:
    """Sum attributed parts by a key of the collection (e.g. its household)."""
    totals: dict[int, int] = defaultdict(int)
    for (_line, collection_id), value in parts.items():
        totals[key_of[collection_id]] += value
    return dict(totals)
