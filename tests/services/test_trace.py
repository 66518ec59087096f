"""The trace service: upstream and downstream chains, households counted or named, bounded SQL."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services import trace as traces
from linkage.services.errors import DomainError
from linkage.services.valuechain.lineage import downstream_lot_ids, upstream_lot_ids
from models import CooperativeStatus, LotOrigin, Process

from ..factories import HouseholdFactory, UserFactory
from ..factories_trace import APR, FEB, JAN, MAR, build_chain, collect, lot, ship, transform

D = Decimal


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_lineage_walks_up_and_down(app):
    chain = build_chain()
    assert upstream_lot_ids({chain.packed.id}) == {
        chain.packed.id,
        chain.dried.id,
        chain.fresh_a.id,
        chain.fresh_b.id,
    }
    assert downstream_lot_ids({chain.fresh_b.id}) == {
        chain.fresh_b.id,
        chain.dried.id,
        chain.packed.id,
    }
    assert downstream_lot_ids({chain.packed.id}) == {chain.packed.id}
    assert downstream_lot_ids(set()) == set()


def test_trace_of_a_middle_lot_goes_back_to_collections_and_on_to_shipments(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.dried, with_households=False)

    assert trace.lot.code == chain.dried.code
    assert trace.lot.product_code == "PT-BA-KICH-KHO"
    assert (trace.commune_code, trace.region) == ("08914", "mountain")
    assert [step.process for step in trace.upstream] == [Process.DRYING]
    drying = trace.upstream[0]
    assert [(i.lot.code, i.quantity) for i in drying.inputs] == [
        (chain.fresh_a.code, D("40.000")),
        (chain.fresh_b.code, D("20.000")),
    ]
    assert drying.input_quantity == D("60")
    assert drying.yield_ratio == D("0.3000")
    assert [step.process for step in trace.downstream] == [Process.PACKING]
    assert trace.downstream[0].yield_ratio == D("1.0000")
    assert [(c.quantity, c.grade) for c in trace.collections] == [
        (D("30.000"), "Loại 1"),
        (D("10.000"), None),
        (D("20.000"), None),
    ]
    assert trace.households == 3
    assert [(s.lot.code, s.quantity, s.order_id) for s in trace.shipments] == [
        (chain.dried.code, D("4.000"), chain.order_dried.id),
        (chain.packed.code, D("5.000"), chain.order_packed.id),
    ]
    assert trace.first_collected_at == JAN
    assert trace.last_collected_at == JAN.replace(day=20)
    assert trace.collected_quantity == D("60")
    by_lot = {s.lot.code: (s.collections, s.households, s.quantity) for s in trace.collected}
    assert by_lot == {chain.fresh_a.code: (2, 2, D("40")), chain.fresh_b.code: (1, 1, D("20"))}


def test_without_households_nothing_names_them(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.packed, with_households=False)
    assert all(c.household is None and c.party is None for c in trace.collections)
    assert all(s.buyer_name is None for s in trace.shipments)
    text = repr(trace)
    for household in chain.households:
        assert household.head_name not in text
        assert household.code not in text


def test_managers_trace_names_households_and_buyers(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.packed, with_households=True)
    assert [c.household.head_name for c in trace.collections] == [
        "Triệu Thị Mai",
        "Bàn Văn Sơn",
        "Đặng Thị Hoa",
    ]
    assert [s.buyer_name for s in trace.shipments] == [chain.buyer.buyer_organisation.name]
    # the packed lot's trace: its own shipment only, not the dried lot's sibling shipment
    assert [s.lot.code for s in trace.shipments] == [chain.packed.code]
    assert [t.process for t in trace.upstream] == [Process.DRYING, Process.PACKING]
    assert trace.downstream == ()


def test_certifications_are_those_valid_at_each_event(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.fresh_a, with_households=False)
    january = {c.number for c in trace.collections[0].certifications}
    assert january == {chain.gacp.number, chain.expired.number}
    february = {c.number for c in trace.downstream[0].certifications}
    assert february == {chain.gacp.number}  # VietGAP expired on 31 January
    assert {c.number for c in trace.certifications} == {chain.gacp.number, chain.expired.number}


def test_a_product_certificate_covers_only_its_product(app):
    chain = build_chain()
    from models import Certification, CertificationKind

    from ..factories import product

    db.session.add(
        Certification(
            cooperative=chain.cooperative,
            kind=CertificationKind.OCOP_4,
            number="OCOP-4-001",
            product_id=product("PT-BA-KICH-KHO").id,
            valid_from=JAN.date(),
            valid_to=APR.date(),
        )
    )
    db.session.flush()
    trace = traces.trace_lot(chain.dried, with_households=False)
    assert "OCOP-4-001" not in {c.number for c in trace.collections[0].certifications}
    assert "OCOP-4-001" in {c.number for c in trace.upstream[0].certifications}


def test_party_ids_are_opaque_stable_and_keyed_on_the_traced_lot(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.fresh_a, with_households=False, party_secret="s3cret")
    first, second = trace.collections
    assert first.party != second.party
    assert len(first.party) == 32
    again = traces.trace_lot(chain.fresh_a, with_households=False, party_secret="s3cret")
    assert again.collections[0].party == first.party
    other = traces.trace_lot(chain.fresh_a, with_households=False, party_secret="other")
    assert other.collections[0].party != first.party
    # a keyed hash: without the secret, hashing the database id does not give it back
    household_id = str(chain.households[0].id).encode()
    assert first.party != hashlib.sha256(household_id).hexdigest()[:32]
    assert first.party == traces.party_id("s3cret", chain.fresh_a.id, chain.households[0].id)
    assert int(first.party, 16) >= 0
    # the same delivery in the trace of the lot made from it: another party id
    dried = traces.trace_lot(chain.dried, with_households=False, party_secret="s3cret")
    assert dried.collections[0].id == first.id
    assert dried.collections[0].party == traces.party_id(
        "s3cret", chain.dried.id, chain.households[0].id
    )
    assert dried.collections[0].party != first.party
    assert traces.trace_lot(chain.dried, with_households=False).collections[0].party is None


def test_a_lot_with_nothing_around_it(app):
    chain = build_chain()
    empty = lot(chain.cooperative, "PT-BA-KICH-TUOI", "0", "0")
    trace = traces.trace_lot(empty, with_households=False)
    assert trace.collections == trace.upstream == trace.downstream == trace.shipments == ()
    assert trace.households == 0
    assert trace.first_collected_at is None
    assert trace.collected_quantity == 0


def test_a_thousand_collections_take_a_bounded_number_of_queries(app):
    chain = build_chain()
    households = [HouseholdFactory() for _ in range(25)]
    big = lot(chain.cooperative, "PT-BA-KICH-TUOI", "1500", "0")
    for index in range(1000):
        collect(big, households[index % 25], "1.5", JAN + timedelta(minutes=index))
    dried = lot(chain.cooperative, "PT-BA-KICH-KHO", "450", "450", origin=LotOrigin.TRANSFORMATION)
    transform([(big, "1500")], dried, "450", FEB)
    code = dried.code
    db.session.commit()
    with counted_queries() as statements:
        found = traces.get_public_lot(code)
        trace = traces.trace_lot(found, with_households=True)
    assert len(trace.collections) == 1000
    assert trace.households == 25
    queries = [s for s in statements if s.strip().upper() != "BEGIN"]
    # the lot, two recursive CTEs, transformations and their inputs, lots, certificates,
    # collections, shipments, and the per-lot and overall household counts
    assert len(queries) == 11, "\n".join(q[:90] for q in queries)


def test_the_query_count_does_not_grow_with_the_chain(app):
    """Five levels of processing take as many queries as one."""
    chain = build_chain()
    buyer = UserFactory(role="buyer")

    def levels(count: int):
        first = lot(chain.cooperative, "PT-BA-KICH-TUOI", "100", "0")
        collect(first, chain.households[0], "100", JAN)
        current = first
        for level in range(count):
            made = lot(chain.cooperative, "PT-BA-KICH-KHO", "100", "50")
            transform(
                [(current, "100" if level == 0 else "50")],
                made,
                "100" if level == 0 else "50",
                FEB + timedelta(days=level),
            )
            current = made
        ship([(current, "10")], buyer, APR)
        return first, current

    one_first, one_last = levels(1)
    five_first, five_last = levels(5)
    codes = [one_first.code, one_last.code, five_first.code, five_last.code]
    db.session.commit()
    counts = []
    for code in codes:
        with counted_queries() as statements:
            trace = traces.trace_lot(traces.get_public_lot(code), with_households=False)
        counts.append(len([s for s in statements if s.strip().upper() != "BEGIN"]))
    assert counts == [11, 11, 11, 11]
    assert len(trace.upstream) == 5


def test_public_lookup_refuses_lots_of_cooperatives_not_approved(app):
    chain = build_chain()
    assert traces.get_public_lot(chain.dried.code).id == chain.dried.id
    with pytest.raises(DomainError) as missing:
        traces.get_public_lot("NO-SUCH-LOT")
    assert missing.value.status == 404
    chain.cooperative.status = CooperativeStatus.SUSPENDED
    db.session.flush()
    for lookup in (
        lambda: traces.get_public_lot(chain.dried.code),
        lambda: traces.get_exportable_lot(None, chain.dried.id),
        lambda: traces.get_traceable_lot(None, chain.dried.id),
    ):
        with pytest.raises(DomainError) as refused:
            lookup()
        assert refused.value.status == 404


def test_traceable_lot_tells_who_sees_households(app):
    chain = build_chain()
    manager = UserFactory(role="manager", cooperatives=[chain.cooperative])
    other_manager = UserFactory(role="manager")
    admin = UserFactory(role="admin")
    assert traces.get_traceable_lot(manager, chain.dried.id)[1] is True
    assert traces.get_traceable_lot(admin, chain.dried.id)[1] is True
    assert traces.get_traceable_lot(other_manager, chain.dried.id)[1] is False
    assert traces.get_traceable_lot(None, chain.dried.id)[1] is False
    assert traces.get_exportable_lot(manager, chain.dried.id)[1] is True
    assert traces.get_exportable_lot(admin, chain.dried.id)[1] is True
    assert traces.get_exportable_lot(other_manager, chain.dried.id)[1] is False
    assert traces.get_exportable_lot(None, chain.dried.id) == (chain.dried, False)
    chain.cooperative.status = CooperativeStatus.PENDING
    db.session.flush()
    assert traces.get_traceable_lot(manager, chain.dried.id)[1] is True
    with pytest.raises(DomainError):
        traces.get_traceable_lot(other_manager, chain.dried.id)
    with pytest.raises(DomainError):
        traces.get_managed_lot(other_manager, chain.cooperative.id, chain.dried.id)
    with pytest.raises(DomainError):
        traces.get_managed_lot(manager, chain.cooperative.id + 1, chain.dried.id)
    assert traces.get_managed_lot(manager, chain.cooperative.id, chain.dried.id) is not None
    # the EPCIS export, even the managers' one, only for an approved cooperative's lot
    with pytest.raises(DomainError):
        traces.get_managed_export(manager, chain.cooperative.id, chain.dried.id)
    with pytest.raises(DomainError):
        traces.get_exportable_lot(manager, chain.dried.id)
    chain.cooperative.status = CooperativeStatus.APPROVED
    db.session.flush()
    assert traces.get_managed_export(manager, chain.cooperative.id, chain.dried.id) == chain.dried
    with pytest.raises(DomainError):
        traces.get_managed_export(other_manager, chain.cooperative.id, chain.dried.id)


def test_dates_are_kept_exactly(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.packed, with_households=False)
    assert [t.occurred_at for t in trace.upstream] == [FEB, MAR]
    assert trace.shipments[0].shipped_at == APR.replace(day=5)
