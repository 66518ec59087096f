"""Income attribution, the pure rules: hand-computed cases and properties (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.services.valuechain.attribution import (
    LotSources,
    ValueChain,
    attribute_lines,
    split_largest_remainder,
    split_lot,
)

D = Decimal


def test_split_in_proportion():
    assert split_largest_remainder(1000, [(1, D(1)), (2, D(3))]) == {1: 250, 2: 750}


def test_remainders_go_to_the_largest_fractions():
    # 100 over 3 equal weights: 33.33 each, one VND left goes to the lowest id (tie)
    assert split_largest_remainder(100, [(7, D(1)), (3, D(1)), (5, D(1))]) == {7: 33, 3: 34, 5: 33}
    # 10 over weights 1, 2, 4 (sum 7): 1.43, 2.86, 5.71 -> floors 1, 2, 5; 2 left:
    # largest remainders .86 (id 2) and .71 (id 3)
    assert split_largest_remainder(10, [(1, D(1)), (2, D(2)), (3, D(4))]) == {1: 1, 2: 3, 3: 6}


def test_zero_weights_get_nothing():
    assert split_largest_remainder(99, [(1, D(0)), (2, D("2.5"))]) == {1: 0, 2: 99}


def test_nothing_to_split_over_is_an_error():
    with pytest.raises(ValueError):
        split_largest_remainder(10, [(1, D(0))])
    assert split_largest_remainder(0, []) == {}


def test_two_levels_of_processing():
    """Fresh roots from two households are dried, then packed with a third lot, then sold.

    Lot 1: collections 11 (A, 30 kg) and 12 (B, 10 kg); lot 2 = drying of 40 kg of lot 1;
    lot 3: collection 13 (C, 5 kg); lot 4 = packing of 12 kg of lot 2 and 4 kg of lot 3.
    A line of 1,000,001 VND shipped from lot 4.
    """
    chain = ValueChain(
        lots={
            1: LotSources(collections=((11, D(30)), (12, D(10)))),
            2: LotSources(inputs=((21, 1, D(40)),)),
            3: LotSources(collections=((13, D(5)),)),
            4: LotSources(inputs=((41, 2, D(12)), (42, 3, D(4)))),
        },
        allocations={9: [(91, 4, D(16))]},
    )
    parts = attribute_lines({9: 1_000_001}, chain)
    # lot 4 splits 12:4 -> 750,000.75 / 250,000.25 -> 750,001 and 250,000 (.75 wins)
    # lot 2's 750,001 goes to lot 1, split 3:1 -> 562,500.75 / 187,500.25 -> 562,501, 187,500
    assert parts == {(9, 11): 562_501, (9, 12): 187_500, (9, 13): 250_000}
    assert sum(parts.values()) == 1_000_001


def test_partial_shipments_from_two_lots():
    chain = ValueChain(
        lots={
            1: LotSources(collections=((1, D("1.5")), (2, D("1.5")))),
            2: LotSources(collections=((3, D(2)),)),
        },
        allocations={5: [(50, 1, D(1)), (51, 2, D(1))]},
    )
    assert attribute_lines({5: 901}, chain) == {(5, 1): 226, (5, 2): 225, (5, 3): 450}


def test_a_line_never_shipped_cannot_be_attributed():
    with pytest.raises(ValueError):
        attribute_lines({1: 100}, ValueChain(lots={}, allocations={}))


# --- properties over random chains -------------------------------------------------------

quantities = st.decimals(min_value=D("0.001"), max_value=D(5000), places=3)


@st.composite
def chains(draw):
    """Random collected lots, transformations of earlier lots, and paid lines shipped from
    any lot; collection ids map to households."""
    lots: dict[int, LotSources] = {}
    household_of: dict[int, int] = {}
    next_collection = 1
    for lot_id in range(1, draw(st.integers(1, 4)) + 1):
        collections = []
        for _ in range(draw(st.integers(1, 4))):
            household_of[next_collection] = draw(st.integers(1, 5))
            collections.append((next_collection, draw(quantities)))
            next_collection += 1
        lots[lot_id] = LotSources(collections=tuple(collections))
    next_input = 1
    for lot_id in range(len(lots) + 1, len(lots) + draw(st.integers(0, 4)) + 1):
        earlier = sorted(lots)
        chosen = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3, unique=True))
        inputs = []
        for input_lot in chosen:
            inputs.append((next_input, input_lot, draw(quantities)))
            next_input += 1
        lots[lot_id] = LotSources(inputs=tuple(inputs))
    allocations = {}
    amounts = {}
    next_allocation = 1
    for line_id in range(1, draw(st.integers(1, 3)) + 1):
        shipped = draw(st.lists(st.sampled_from(sorted(lots)), min_size=1, max_size=3, unique=True))
        allocations[line_id] = []
        for lot_id in shipped:
            allocations[line_id].append((next_allocation, lot_id, draw(quantities)))
            next_allocation += 1
        amounts[line_id] = draw(st.integers(0, 10**10))
    return ValueChain(lots=lots, allocations=allocations), amounts, household_of


def _collections_upstream(lot_id: int, lots: dict[int, LotSources]) -> set[int]:
    sources = lots[lot_id]
    found = {collection_id for collection_id, _q in sources.collections}
    for _input, input_lot, _q in sources.inputs:
        found |= _collections_upstream(input_lot, lots)
    return found


@settings(max_examples=300, deadline=None)
@given(chains())
def test_attributions_add_up_exactly_and_are_never_negative(data):
    chain, amounts, _households = data
    parts = attribute_lines(amounts, chain)
    for line_id, amount in amounts.items():
        assert sum(v for (line, _c), v in parts.items() if line == line_id) == amount
    assert all(value >= 0 for value in parts.values())


@settings(max_examples=300, deadline=None)
@given(chains())
def test_a_household_that_delivered_nothing_to_a_lot_gets_nothing_from_it(data):
    chain, amounts, household_of = data
    parts = attribute_lines(amounts, chain)
    for (line_id, collection_id), value in parts.items():
        reachable = set()
        for _allocation, lot_id, _q in chain.allocations[line_id]:
            reachable |= _collections_upstream(lot_id, dict(chain.lots))
        assert value == 0 or collection_id in reachable
    delivered = {household_of[c] for (_l, c), v in parts.items() if v}
    assert delivered <= set(household_of.values())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**12), st.lists(quantities, min_size=1, max_size=12))
def test_split_properties(amount, weights):
    parts = split_largest_remainder(amount, list(enumerate(weights)))
    assert sum(parts.values()) == amount
    total = sum(weights)
    for key, weight in enumerate(weights):
        exact = amount * weight / total
        assert abs(parts[key] - exact) < 1  # each part is its share rounded down or up


def test_split_lot_of_a_collected_lot():
    chain = ValueChain(lots={1: LotSources(collections=((1, D(1)), (2, D(1))))})
    assert split_lot(3, 1, chain) == {1: 2, 2: 1}
