"""Mass balance: in, produced, consumed, shipped, remaining per lot; yields; outliers flagged."""

from __future__ import annotations

from decimal import Decimal

from linkage.extensions import db
from linkage.services.trace.massbalance import (
    IN_MISMATCH,
    OVERDRAWN,
    REMAINING_MISMATCH,
    mass_balance,
)
from models import LotOrigin, Process

from ..factories import CooperativeFactory
from ..factories_trace import APR, FEB, JAN, MAR, build_chain, collect, lot, ship, transform
from .test_trace import counted_queries

D = Decimal


def _by_code(balance):
    return {row.code: row for row in balance.lots.items}


def test_a_consistent_chain_balances_and_raises_no_flag(app):
    chain = build_chain()
    balance = mass_balance(chain.cooperative)
    rows = _by_code(balance)
    fresh_a, dried, packed = (
        rows[chain.fresh_a.code],
        rows[chain.dried.code],
        rows[chain.packed.code],
    )
    assert (fresh_a.collected, fresh_a.produced, fresh_a.consumed, fresh_a.shipped) == (
        D("40"),
        D("0"),
        D("40"),
        D("0"),
    )
    assert (dried.collected, dried.produced, dried.consumed, dried.shipped, dried.remaining) == (
        D("0"),
        D("18"),
        D("12"),
        D("4"),
        D("2"),
    )
    assert dried.expected_remaining == D("2")
    assert (packed.produced, packed.shipped, packed.remaining) == (D("12"), D("5"), D("7"))
    assert all(row.flags == () for row in rows.values())
    [totals] = balance.totals
    assert totals.unit == "kg"
    assert (totals.lots, totals.flagged_lots) == (4, 0)
    assert (
        totals.collected,
        totals.produced,
        totals.consumed,
        totals.shipped,
        totals.remaining,
    ) == (
        D("60"),
        D("30"),
        D("72"),
        D("9"),
        D("9"),
    )
    # what came in = what was consumed + shipped + what is left
    assert totals.collected + totals.produced == totals.consumed + totals.shipped + totals.remaining


def test_yields_by_process_and_product(app):
    chain = build_chain()
    second = lot(chain.cooperative, "PT-BA-KICH-TUOI", "10", "0")
    collect(second, chain.households[0], "10", JAN)
    dried_again = lot(
        chain.cooperative, "PT-BA-KICH-KHO", "4", "4", origin=LotOrigin.TRANSFORMATION
    )
    transform([(second, "10")], dried_again, "4", MAR)
    db.session.flush()
    yields = {
        (row.process, row.product_code): row for row in mass_balance(chain.cooperative).yields
    }
    drying = yields[(Process.DRYING, "PT-BA-KICH-KHO")]
    assert (drying.transformations, drying.input_quantity, drying.output_quantity) == (
        2,
        D("70"),
        D("22"),
    )
    assert drying.yield_ratio == D("0.3143")
    assert (drying.lowest, drying.highest) == (D("0.3000"), D("0.4000"))
    assert drying.impossible == 0
    packing = yields[(Process.PACKING, "PT-BA-KICH-KHO")]
    assert (packing.yield_ratio, packing.impossible) == (D("1.0000"), 0)


def test_a_physically_impossible_yield_is_flagged(app):
    chain = build_chain()
    wet = lot(chain.cooperative, "PT-BA-KICH-TUOI", "10", "0")
    collect(wet, chain.households[0], "10", JAN)
    magic = lot(
        chain.cooperative, "PT-BA-KICH-KHO", "12.5", "12.5", origin=LotOrigin.TRANSFORMATION
    )
    bad = transform([(wet, "10")], magic, "12.5", FEB)
    db.session.flush()
    balance = mass_balance(chain.cooperative)
    assert [
        (i.transformation_id, i.output_lot_code, i.yield_ratio) for i in balance.impossible
    ] == [(bad.id, magic.code, D("1.2500"))]
    drying = next(row for row in balance.yields if row.process == Process.DRYING)
    assert drying.impossible == 1
    assert drying.highest == D("1.2500")
    # a looser limit passed as argument clears it
    loose = mass_balance(chain.cooperative, max_yield={Process.DRYING: D("1.5")})
    assert loose.impossible == []


def test_a_lot_shipped_beyond_what_came_in_and_a_wrong_remainder_are_flagged(app):
    chain = build_chain()
    over = lot(chain.cooperative, "PT-BA-KICH-KHO", "5", "0")
    collect(over, chain.households[0], "5", JAN)
    ship([(over, "6")], chain.buyer, APR)
    drift = lot(chain.cooperative, "PT-BA-KICH-KHO", "8", "3")
    collect(drift, chain.households[1], "7", JAN)
    db.session.flush()
    balance = mass_balance(chain.cooperative)
    rows = _by_code(balance)
    assert rows[over.code].flags == (OVERDRAWN, REMAINING_MISMATCH)
    assert rows[over.code].expected_remaining == D("-1")
    assert rows[drift.code].flags == (REMAINING_MISMATCH, IN_MISMATCH)
    assert balance.flagged_count == 2
    flagged = mass_balance(chain.cooperative, flagged_only=True)
    assert {row.code for row in flagged.lots.items} == {over.code, drift.code}
    assert flagged.lots.total == 2


def test_only_the_cooperatives_own_lots_and_pages(app):
    chain = build_chain()
    build_chain(CooperativeFactory())
    balance = mass_balance(chain.cooperative, page=2, per_page=3)
    assert balance.lots.total == 4
    assert len(balance.lots.items) == 1
    assert balance.lot_count == 4
    assert balance.totals[0].collected == D("60")


def test_an_empty_cooperative(app):
    balance = mass_balance(CooperativeFactory())
    assert balance.lots.items == []
    assert balance.totals == []
    assert (balance.lot_count, balance.flagged_count) == (0, 0)
    assert balance.yields == balance.impossible == []


def test_a_bounded_number_of_queries(app):
    chain = build_chain()
    for index in range(30):
        extra = lot(chain.cooperative, "PT-BA-KICH-TUOI", "1", "1")
        collect(extra, chain.households[index % 3], "1", JAN)
    db.session.commit()
    cooperative = db.session.get(type(chain.cooperative), chain.cooperative.id)
    with counted_queries() as statements:
        mass_balance(cooperative, per_page=50)
    assert len([s for s in statements if s.strip().upper() != "BEGIN"]) == 4


def test_totals_are_kept_apart_by_unit(app):
    chain = build_chain()
    oil = lot(chain.cooperative, "PT-TINH-DAU-SA", "3", "3")
    collect(oil, chain.households[0], "3", JAN)
    db.session.flush()
    totals = {t.unit: t for t in mass_balance(chain.cooperative).totals}
    assert set(totals) == {"kg", "l"}
    assert (totals["l"].lots, totals["l"].collected, totals["l"].remaining) == (1, D("3"), D("3"))
    assert totals["kg"].collected == D("60")
