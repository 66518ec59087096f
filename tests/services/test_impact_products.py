"""The impact figures by product group: by the product as sold, every money column adding up
to the totals (processed products, deliveries not yet sold and payments for no delivery
each a row of their own)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services.impact import GroupBy, ImpactFilters, summarise
from linkage.services.income import attribute_order
from linkage.services.periods import Month, Period
from models import (
    Collection,
    LotAllocation,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    ProductCategory,
)

from ..aggregates_helpers import written_directly
from ..factories import ListingFactory, LotFactory, UserFactory, product
from ..factories_impact import PERIOD, WHEN, small_province

MONEY = ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd")
PERIOD_ARGS = PERIOD["period_start"], PERIOD["period_end"]


def _farmgate(collection: Collection, amount: int) -> None:
    db.session.add(
        Payment(
            cooperative_id=collection.lot.cooperative_id,
            household_id=collection.household_id,
            kind=PaymentKind.FARMGATE,
            amount_vnd=amount,
            paid_at=WHEN,
            collection_id=collection.id,
        )
    )
    written_directly()


@pytest.fixture
def sold_two_ways(app):
    """The small province's lot (dried Ba kích, sold for 5,000,000) is also sold as fresh
    Ba kích for 3,333,333; its two deliveries are paid at the farmgate with odd amounts;
    a third delivery, in a lot not yet sold, is paid 400,000."""
    made = small_province()
    lot = made["lot"]
    fresh = ListingFactory(cooperative=made["a"], product=product("PT-BA-KICH-TUOI"))
    order = Order(
        buyer_id=UserFactory(role="buyer").id,
        cooperative_id=made["a"].id,
        status=OrderStatus.PAID,
        total_vnd=3_333_333,
        paid_at=WHEN,
    )
    order.lines.append(
        OrderLine(listing=fresh, quantity=Decimal(7), unit_price_vnd=476_190, amount_vnd=3_333_333)
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(LotAllocation(order_line_id=order.lines[0].id, lot_id=lot.id, quantity=7))
    db.session.flush()
    attribute_order(order)
    poor_delivery, near_delivery = db.session.scalars(
        db.select(Collection).where(Collection.lot_id == lot.id).order_by(Collection.id)
    ).all()
    _farmgate(poor_delivery, 1_000_001)
    _farmgate(near_delivery, 700_003)
    unsold = Collection(
        lot=LotFactory(cooperative=made["a"]),
        household=made["rich"],
        quantity=Decimal(5),
        unit_price_vnd=80_000,
        amount_vnd=400_000,
        collected_at=WHEN,
    )
    db.session.add(unsold)
    db.session.flush()
    _farmgate(unsold, 400_000)
    db.session.commit()
    return made


@pytest.mark.parametrize("group", [GroupBy.PRODUCT, GroupBy.PRODUCT_CATEGORY])
def test_every_money_column_adds_up_to_the_total(sold_two_ways, group):
    official = UserFactory(role="official", province_wide=True)
    period = Period(*(Month.parse(month) for month in PERIOD_ARGS))
    summary = summarise(official, period, group, ImpactFilters())
    for column in MONEY:
        assert sum(row[column] for row in summary.rows) == summary.totals[column], column
    rows = {row["key"]: row for row in summary.rows}
    assert rows["not_yet_sold"]["platform_income_vnd"] == 400_000
    assert rows["not_yet_sold"]["households"] == 1
    assert rows["other_payments"]["platform_income_vnd"] == 3_600_000  # the surplus shares
    assert rows["not_yet_sold"]["sales_vnd"] == rows["other_payments"]["sales_vnd"] == 0
    assert all(row["label"] for row in summary.rows)
    if group == GroupBy.PRODUCT_CATEGORY:
        # dried is processed, fresh is medicinal: both sold from the same deliveries
        assert rows["processed"]["sales_vnd"] == 5_000_000
        assert rows["medicinal"]["sales_vnd"] == 3_333_333
        paid = rows["processed"]["platform_income_vnd"] + rows["medicinal"]["platform_income_vnd"]
        assert paid == 1_700_004  # the two farmgate payments, split without losing a đồng
        # each payment split as its delivery's sales: 5,000,000 to 3,333,333 (60 % dried)
        assert rows["processed"]["platform_income_vnd"] == pytest.approx(0.6 * paid, abs=2)


def test_a_category_filter_keeps_its_own_rows(sold_two_ways):
    official = UserFactory(role="official", province_wide=True)
    period = Period(*(Month.parse(month) for month in PERIOD_ARGS))
    filters = ImpactFilters(product_category=ProductCategory.PROCESSED)
    summary = summarise(official, period, GroupBy.PRODUCT, filters)
    assert [row["key"] for row in summary.rows] == ["PT-BA-KICH-KHO"]


def _unsold_delivery(made: dict, household: str, amount: int, *, void: bool = False) -> None:
    delivery = Collection(
        lot=LotFactory(cooperative=made["a"]),
        household=made[household],
        quantity=Decimal(1),
        unit_price_vnd=amount,
        amount_vnd=amount,
        collected_at=WHEN,
    )
    db.session.add(delivery)
    db.session.flush()
    _farmgate(delivery, amount)
    if void:
        payment = db.session.scalar(db.select(Payment).where(Payment.collection_id == delivery.id))
        payment.voided_at = WHEN
        written_directly()


def test_a_row_counts_the_households_with_a_payment_there_even_of_0_dong(sold_two_ways):
    """Not yet sold: the rich household's 400,000 and a payment of 0 dong to the poor
    household (whose other delivery sold); a void payment to the near-poor household counts
    nowhere. The near-poor household's payments all sold: it has no row there."""
    _unsold_delivery(sold_two_ways, "poor", 0)
    _unsold_delivery(sold_two_ways, "near", 250_000, void=True)
    db.session.commit()
    official = UserFactory(role="official", province_wide=True)
    period = Period(*(Month.parse(month) for month in PERIOD_ARGS))
    for group in (GroupBy.PRODUCT, GroupBy.PRODUCT_CATEGORY):
        summary = summarise(official, period, group, ImpactFilters())
        rows = {row["key"]: row for row in summary.rows}
        assert rows["not_yet_sold"]["households"] == 2, group
        assert rows["not_yet_sold"]["platform_income_vnd"] == 400_000, group
        sold = sum(
            row["platform_income_vnd"] for key, row in rows.items() if key in SOLD_KEYS[group]
        )
        assert sold == 1_700_004, group
        assert summary.totals["platform_income_vnd"] == sum(
            row["platform_income_vnd"] for row in summary.rows
        )


SOLD_KEYS = {
    GroupBy.PRODUCT: {"PT-BA-KICH-KHO", "PT-BA-KICH-TUOI"},
    GroupBy.PRODUCT_CATEGORY: {"processed", "medicinal"},
}
