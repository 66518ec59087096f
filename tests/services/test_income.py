"""Attribution stored from the database: chains, exact sums, bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import event, func, select

from linkage.extensions import db
from linkage.services.income import attribute_order
from linkage.services.valuechain.lineage import upstream_lot_ids
from models import (
    Collection,
    IncomeAttribution,
    LotAllocation,
    LotOrigin,
    Order,
    OrderLine,
    OrderStatus,
    Transformation,
    TransformationInput,
)

from ..factories import HouseholdFactory, ListingFactory, LotFactory, UserFactory

D = Decimal
PAID_AT = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def _collect(lot, household, quantity):
    collection = Collection(
        lot=lot,
        household=household,
        quantity=D(quantity),
        unit_price_vnd=100_000,
        amount_vnd=int(D(quantity) * 100_000),
        collected_at=PAID_AT,
    )
    db.session.add(collection)
    return collection


def _transform(cooperative, inputs, output_lot, quantity):
    transformation = Transformation(
        cooperative_id=cooperative.id,
        process="drying",
        occurred_at=PAID_AT,
        output_lot=output_lot,
        output_quantity=D(quantity),
    )
    for lot, taken in inputs:
        transformation.inputs.append(TransformationInput(lot=lot, quantity=D(taken)))
    db.session.add(transformation)
    return transformation


def _paid_order(listing, buyer, shipments, amount):
    order = Order(
        buyer_id=buyer.id,
        cooperative_id=listing.cooperative_id,
        status=OrderStatus.PAID,
        total_vnd=amount,
        paid_at=PAID_AT,
    )
    quantity = sum(D(q) for _lot, q in shipments)
    line = OrderLine(listing=listing, quantity=quantity, unit_price_vnd=0, amount_vnd=amount)
    order.lines.append(line)
    db.session.add(order)
    db.session.flush()
    for lot, taken in shipments:
        db.session.add(LotAllocation(order_line_id=line.id, lot_id=lot.id, quantity=D(taken)))
    db.session.flush()
    return order


def test_two_levels_of_processing_and_partial_shipments(app):
    listing = ListingFactory()
    cooperative = listing.cooperative
    buyer = UserFactory(role="buyer")
    a, b, c = HouseholdFactory(), HouseholdFactory(), HouseholdFactory()
    fresh = LotFactory(cooperative=cooperative, quantity_in=D(40), quantity_remaining=D(0))
    _collect(fresh, a, "30")
    _collect(fresh, b, "10")
    dried = LotFactory(cooperative=cooperative, origin=LotOrigin.TRANSFORMATION)
    _transform(cooperative, [(fresh, "40")], dried, "12")
    other = LotFactory(cooperative=cooperative)
    _collect(other, c, "5")
    packed = LotFactory(cooperative=cooperative, origin=LotOrigin.TRANSFORMATION)
    _transform(cooperative, [(dried, "12"), (other, "4")], packed, "16")
    order = _paid_order(listing, buyer, [(packed, "10"), (other, "1")], 1_000_001)

    assert upstream_lot_ids({packed.id}) == {packed.id, dried.id, fresh.id, other.id}
    assert attribute_order(order) == 3
    by_household = dict(
        db.session.execute(
            select(IncomeAttribution.household_id, func.sum(IncomeAttribution.amount_vnd)).group_by(
                IncomeAttribution.household_id
            )
        ).all()
    )
    # line split 10:1 over packed/other -> 909,092 / 90,909 (remainder .09 vs .91 -> packed)
    # packed 909,092 split 12:4 -> 681,819 / 227,273; dried's share over a:b = 3:1
    # -> 511,364 / 170,455; c gets 227,273 + 90,909 = 318,182
    assert by_household == {a.id: 511_364, b.id: 170_455, c.id: 318_182}
    assert sum(by_household.values()) == 1_000_001
    rows = db.session.scalars(select(IncomeAttribution)).all()
    assert {row.paid_at for row in rows} == {PAID_AT}
    assert {row.cooperative_id for row in rows} == {cooperative.id}


def test_attributing_twice_replaces_the_rows(app):
    listing = ListingFactory()
    lot = LotFactory(cooperative=listing.cooperative)
    _collect(lot, HouseholdFactory(), "50")
    order = _paid_order(listing, UserFactory(role="buyer"), [(lot, "2")], 900_000)
    attribute_order(order)
    attribute_order(order)
    total = db.session.scalar(select(func.sum(IncomeAttribution.amount_vnd)))
    assert total == 900_000


def test_a_thousand_collections_take_a_bounded_number_of_queries(app):
    listing = ListingFactory()
    cooperative = listing.cooperative
    households = [HouseholdFactory() for _ in range(20)]
    lot = LotFactory(cooperative=cooperative)
    for index in range(1000):
        _collect(lot, households[index % 20], "1.5")
    dried = LotFactory(cooperative=cooperative, origin=LotOrigin.TRANSFORMATION)
    _transform(cooperative, [(lot, "1500")], dried, "500")
    order = _paid_order(listing, UserFactory(role="buyer"), [(dried, "100")], 45_000_000)
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        written = attribute_order(order)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert written == 1000
    # reads and the DELETE of the old attributions; the inserts and upserts (attributions,
    # aggregates: on PostgreSQL one statement whose other tables' writes are CTEs) and, on
    # PostgreSQL, the aggregates' savepoint are not reads
    writes = ("INSERT", "WITH WRITE_", "SAVEPOINT", "RELEASE")
    assert len([s for s in statements if not s.lstrip().upper().startswith(writes)]) <= 6
    assert db.session.scalar(select(func.sum(IncomeAttribution.amount_vnd))) == 45_000_000
