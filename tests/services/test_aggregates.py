"""Every write path keeps the write-time aggregates, in the same transaction and cheaply:
deliveries with their farmgate payments, surplus and other payments, orders paid, and the
corrections and voids of records (attributions recomputed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services import aggregates, valuechain
from linkage.services.orders import pay_order
from linkage.services.valuechain import corrections, payments
from linkage.services.valuechain.verification import verify
from models import Collection, Cooperative, Household, Lot, Order, Payment, User

from ..aggregates_helpers import Statements, stored
from ..factories import LotFactory
from ..factories_orders import delivered as delivered_order
from ..factories_orders import make_market
from ..factories_valuechain import member_of

D = Decimal
WHEN = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)  # 2026-03 in Vietnam
REASON = "Gõ nhầm số cân"
MARCH = 202603


@dataclass
class Chain:
    manager: User
    coop: Cooperative
    lot: Lot
    product_id: int
    a: Household
    b: Household
    from_a: Collection
    from_b: Collection
    order: Order

    @property
    def paid_month(self) -> int:
        return aggregates.month_number(self.order.paid_at)

    def clean(self) -> bool:
        return aggregates.compare().clean


@pytest.fixture
def chain(make_user) -> Chain:
    """60 kg from a and 40 kg from b at 80,000 ₫/kg into one lot; 50 kg shipped on an order
    that is paid now."""
    market = make_market(make_user)
    coop = market.cooperative
    lot = LotFactory(
        cooperative=coop, product=market.listing.product, quantity_in=D(0), quantity_remaining=D(0)
    )
    a = member_of(coop, head_name="Dương Thị Liên")
    b = member_of(coop, head_name="Triệu Văn Sơn")
    from_a = valuechain.record_collection(market.manager, lot, a.id, D("60"), 80_000, WHEN)
    from_b = valuechain.record_collection(market.manager, lot, b.id, D("40"), 80_000, WHEN)
    db.session.commit()
    order = delivered_order(market, lot, "50")
    pay_order(market.manager, order)
    db.session.commit()
    return Chain(market.manager, coop, lot, lot.product_id, a, b, from_a, from_b, order)


def test_a_delivery_adds_its_farmgate_payment(chain):
    c = chain
    assert stored("income") == {
        (c.a.id, MARCH, c.coop.id, "farmgate"): (4_800_000, 1),
        (c.b.id, MARCH, c.coop.id, "farmgate"): (3_200_000, 1),
    }
    products = stored("products")
    assert products[(c.a.id, MARCH, c.coop.id, c.product_id)] == (4_800_000, 1, 0)
    assert products[(c.b.id, MARCH, c.coop.id, c.product_id)] == (3_200_000, 1, 0)
    assert c.clean()


def test_an_order_paid_adds_attributed_sales_and_market_sales_in_its_vietnam_month(chain):
    c = chain
    line = c.order.lines[0].amount_vnd
    paid = c.paid_month
    products = stored("products")
    assert products[(c.a.id, paid, c.coop.id, c.product_id)] == (0, 0, line * 60 // 100)
    assert products[(c.b.id, paid, c.coop.id, c.product_id)] == (0, 0, line * 40 // 100)
    listing_product = c.order.lines[0].listing.product_id
    assert stored("sales") == {(c.coop.id, paid, listing_product): (line, 1)}
    assert c.clean()


def test_surplus_and_other_payments_count_by_kind(chain):
    c = chain
    payments.record_payment(c.manager, c.coop, c.a.id, 500_000, "surplus", WHEN)
    payments.record_payment(c.manager, c.coop, c.a.id, 250_000, "surplus", WHEN)
    payments.record_payment(c.manager, c.coop, c.b.id, 70_000, "other", WHEN)
    db.session.commit()
    income = stored("income")
    assert income[(c.a.id, MARCH, c.coop.id, "surplus")] == (750_000, 2)
    assert income[(c.b.id, MARCH, c.coop.id, "other")] == (70_000, 1)
    assert c.clean()


def test_a_void_payment_leaves_the_aggregates(chain):
    c = chain
    paid = payments.record_payment(c.manager, c.coop, c.a.id, 500_000, "surplus", WHEN)
    db.session.commit()
    corrections.void_payment(c.manager, paid, REASON)
    db.session.commit()
    assert (c.a.id, MARCH, c.coop.id, "surplus") not in stored("income")
    assert c.clean()


def test_a_quantity_correction_moves_payment_and_reattributes(chain):
    c = chain
    corrections.correct_collection(c.manager, c.from_b, REASON, quantity=D("30"))
    db.session.commit()
    assert stored("income")[(c.b.id, MARCH, c.coop.id, "farmgate")] == (2_400_000, 1)
    line = c.order.lines[0].amount_vnd
    products = stored("products")
    assert products[(c.a.id, c.paid_month, c.coop.id, c.product_id)][2] == round(line * 60 / 90)
    assert c.clean()


def test_a_household_correction_moves_the_payment_and_attributions_to_the_other(chain):
    c = chain
    corrections.correct_collection(c.manager, c.from_b, REASON, household_id=c.a.id)
    db.session.commit()
    income = stored("income")
    assert (c.b.id, MARCH, c.coop.id, "farmgate") not in income
    assert income[(c.a.id, MARCH, c.coop.id, "farmgate")] == (8_000_000, 2)
    line = c.order.lines[0].amount_vnd
    assert stored("products")[(c.a.id, c.paid_month, c.coop.id, c.product_id)] == (0, 0, line)
    assert not any(key[0] == c.b.id for key in stored("products"))
    assert c.clean()


def test_a_date_correction_moves_the_payment_to_its_new_month(chain):
    c = chain
    corrections.correct_collection(
        c.manager, c.from_a, REASON, collected_at=datetime(2026, 2, 27, 3, 0, tzinfo=UTC)
    )
    db.session.commit()
    income = stored("income")
    assert (c.a.id, MARCH, c.coop.id, "farmgate") not in income
    assert income[(c.a.id, 202602, c.coop.id, "farmgate")] == (4_800_000, 1)
    assert c.clean()


def test_a_void_delivery_takes_out_its_payment_and_its_attributions(chain):
    c = chain
    corrections.void_collection(c.manager, c.from_b, REASON)
    db.session.commit()
    assert not any(key[0] == c.b.id for key in stored("income"))
    assert not any(key[0] == c.b.id for key in stored("products"))
    line = c.order.lines[0].amount_vnd
    assert stored("products")[(c.a.id, c.paid_month, c.coop.id, c.product_id)][2] == line
    assert c.clean()


def test_records_verify_rebuild_keeps_the_aggregates(chain):
    c = chain
    payment = db.session.scalars(
        db.select(Payment).where(Payment.collection_id == c.from_a.id)
    ).one()
    payment.amount_vnd = 1  # broken by hand (not through a service)
    db.session.commit()
    aggregates.rebuild()
    db.session.commit()
    found = verify(rebuild=True)
    db.session.commit()
    assert found.payments == [c.from_a.id]
    assert stored("income")[(c.a.id, MARCH, c.coop.id, "farmgate")] == (4_800_000, 1)
    assert c.clean()


def test_compare_names_each_differing_key_and_rebuild_repairs(chain):
    c = chain
    table = stored("income")
    assert table
    db.session.execute(
        db.update(aggregates.increments.HouseholdMonthIncome)
        .where(aggregates.increments.HouseholdMonthIncome.household_id == c.a.id)
        .values(amount_vnd=1)
    )
    db.session.execute(db.delete(aggregates.increments.CooperativeMonthSales))
    [income, sales] = aggregates.compare().differences
    assert (income.table, income.key["household_id"]) == ("household_month_income", c.a.id)
    assert (income.expected["amount_vnd"], income.stored["amount_vnd"]) == (4_800_000, 1)
    assert "amount_vnd 1 (records: 4800000)" in income.describe()
    assert sales.table == "cooperative_month_sales" and sales.stored["sales_vnd"] == 0
    rebuilt = aggregates.rebuild()
    assert rebuilt.rows["household_month_income"] == 2
    assert stored("income") == table
    assert c.clean()


def test_a_month_number_is_the_vietnam_month_in_python_and_in_sql(app):
    for moment, month in (
        (datetime(2026, 3, 31, 16, 59, 59, tzinfo=UTC), 202603),
        (datetime(2026, 3, 31, 17, 0, tzinfo=UTC), 202604),
        (datetime(2025, 12, 31, 17, 0, tzinfo=UTC), 202601),
    ):
        assert aggregates.month_number(moment) == month
        column = db.literal(moment, type_=Payment.paid_at.type)
        assert db.session.scalar(db.select(aggregates.vietnam_month(column))) == month
    with pytest.raises(ValueError):
        aggregates.month_number(datetime(2026, 3, 1))  # noqa: DTZ001 (naive on purpose)


def upserts_per_write() -> int:
    """Two tables' upserts: one statement each on SQLite, both in one on PostgreSQL."""
    return 1 if db.engine.dialect.name == "postgresql" else 2


def test_recording_a_delivery_adds_its_upserts_and_no_read(chain):
    c = chain
    with Statements() as seen:
        valuechain.record_collection(c.manager, c.lot, c.a.id, D("5"), 80_000, WHEN)
    on_aggregates = seen.on_aggregates()
    assert len(on_aggregates) == upserts_per_write(), on_aggregates
    assert all(s.lstrip().upper().startswith(("INSERT", "WITH")) for s in on_aggregates)
    assert all("ON CONFLICT" in s.upper() for s in on_aggregates)
    assert c.clean()


def test_paying_an_order_adds_its_upserts_whatever_its_households(make_user):
    market = make_market(make_user)
    coop = market.cooperative
    lot = LotFactory(
        cooperative=coop, product=market.listing.product, quantity_in=D(0), quantity_remaining=D(0)
    )
    for _ in range(30):
        household = member_of(coop)
        valuechain.record_collection(market.manager, lot, household.id, D("2"), 50_000, WHEN)
    db.session.commit()
    order = delivered_order(market, lot, "40")
    with Statements() as seen:
        pay_order(market.manager, order)
    on_aggregates = seen.on_aggregates()
    # the attributions' DELETE ... RETURNING, then one upsert for 30 households, one for sales
    upserts = [s for s in on_aggregates if "ON CONFLICT" in s.upper()]
    assert len(upserts) == upserts_per_write(), on_aggregates
    assert len(stored("products")) == 30 + 30  # farmgate in March, attributed this month
    assert aggregates.compare().clean
