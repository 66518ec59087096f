"""A stateful property test: random sequences of deliveries, payments, orders paid, corrections
and voids, each through its service and committed; after every step the aggregates equal
their recomputation from the records, key by key, and the impact figures the services read
from them (each household's incomes and projection, the months, the summaries by commune and
by cooperative) equal the same figures added up in Python from the records and the pure
rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from linkage.extensions import db
from linkage.services import aggregates, households, orders, valuechain
from linkage.services.errors import DomainError
from linkage.services.impact import (
    GroupBy,
    ImpactFilters,
    cells,
    households_page,
    kept,
    monthly,
    summarise,
)
from linkage.services.impact.poverty import classify, projected_income
from linkage.services.impact.projection import kept_period, projection_query
from linkage.services.periods import Month, Period
from linkage.services.reference import standard_in_force
from linkage.services.scope import PUBLIC
from linkage.services.valuechain import corrections, payments
from models import (
    Area,
    Collection,
    CollectionStatus,
    Commune,
    Household,
    IncomeAttribution,
    Lot,
    Order,
    OrderStatus,
    Payment,
    User,
)

from ..conftest import empty_tables
from ..factories import ListingFactory, LotFactory, UserFactory
from ..factories_impact import RURAL, URBAN
from ..factories_orders import make_market
from ..factories_valuechain import member_of
from ..factories_valuechain import product as product_by_code

D = Decimal
# moments on both sides of Vietnam month boundaries (UTC+7): 17:00 UTC is midnight in Vietnam
MOMENTS = (
    datetime(2026, 1, 31, 16, 30, tzinfo=UTC),  # 2026-01 in Vietnam
    datetime(2026, 1, 31, 17, 30, tzinfo=UTC),  # 2026-02
    datetime(2026, 2, 14, 3, 0, tzinfo=UTC),
    datetime(2026, 2, 28, 18, 0, tzinfo=UTC),  # 2026-03
    datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
)
REASON = "Sửa theo phiếu cân"

moments = st.sampled_from(MOMENTS)
quantities = st.integers(min_value=1, max_value=40).map(lambda n: D(n) / 2)
# sold in smaller quantities than delivered, so that most orders find a lot to ship from
sold = st.integers(min_value=1, max_value=8).map(lambda n: D(n) / 2)
prices = st.sampled_from([0, 55_555, 80_000, 123_457])
indexes = st.integers(min_value=0, max_value=10_000)


PERIODS = (
    Period(Month(2026, 1), Month(2026, 3)),
    Period(Month(2026, 2), Month(2026, 2)),
    Period(Month(2025, 12), Month(2026, 1)),
)


def from_the_records(period: Period) -> dict[str, Any]:
    """The figures of the period added up in Python from the records themselves."""
    months = [str(m) for m in period.each_month()]
    platform: Counter[int] = Counter()
    attributed: Counter[int] = Counter()
    by_cooperative: Counter[int] = Counter()
    monthly = {m: Counter() for m in months}
    for payment in db.session.scalars(select(Payment).where(Payment.voided_at.is_(None))):
        month = str(Month.of(payment.paid_at))
        if month in monthly:
            platform[payment.household_id] += payment.amount_vnd
            by_cooperative[payment.cooperative_id] += payment.amount_vnd
            monthly[month]["platform_income_vnd"] += payment.amount_vnd
    for share in db.session.scalars(select(IncomeAttribution)):
        month = str(Month.of(share.paid_at))
        if month in monthly:
            attributed[share.household_id] += share.amount_vnd
            monthly[month]["attributed_sales_vnd"] += share.amount_vnd
    for order in db.session.scalars(select(Order).where(Order.status == OrderStatus.PAID)):
        month = str(Month.of(order.paid_at))
        if month in monthly:
            monthly[month]["sales_vnd"] += sum(line.amount_vnd for line in order.lines)
    standard = standard_in_force(period.end.last_day)
    households = {}
    for household in db.session.scalars(select(Household)):
        income = projected_income(
            household.baseline_income_vnd, platform[household.id], household.members, len(months)
        )
        households[household.id] = (
            platform[household.id],
            attributed[household.id],
            income,
            classify(
                income,
                standard.urban_line_vnd if urban(household) else standard.rural_line_vnd,
                household.deprivations,
                standard.deprivation_threshold,
            ).value,
        )
    figure_names = ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd")
    return {
        "households": households,
        "months": [(m, *(monthly[m][name] for name in figure_names)) for m in months],
        "platform_income_vnd": sum(platform.values()),
        "attributed_sales_vnd": sum(attributed.values()),
        "by_cooperative": {str(key): value for key, value in by_cooperative.items() if value},
    }


def urban(household: Household) -> bool:
    return db.session.get(Commune, household.commune_code).area == Area.URBAN


def _summed(rows: Any, *sums: str) -> dict[tuple, tuple[int, ...]]:
    """Cells by their keys (a value not known as ''), those of no household left out."""
    found: dict[tuple, list[int]] = {}
    for row in db.session.execute(select(rows)).mappings():
        key = tuple(row[name] or "" for name in cells.KEYS)
        added = found.setdefault(key, [0] * len(sums))
        for index, name in enumerate(sums):
            added[index] += int(row[name])
    return {key: tuple(added) for key, added in found.items() if added[0]}


def _cells_read(period: Period, grouping: str) -> dict[tuple, tuple[int, ...]]:
    standard = standard_in_force(period.end.last_day)
    kept_id = kept_period(period, standard).id
    read = cells.kept_cells(kept_id, PUBLIC, period, standard, ImpactFilters(), grouping)
    return _summed(read, "households", "platform_income_vnd", "attributed_sales_vnd")


def _cells_now(period: Period, grouping: str) -> dict[tuple, tuple[int, ...]]:
    standard = standard_in_force(period.end.last_day)
    now = projection_query(PUBLIC, period, standard, ImpactFilters()).subquery()
    rows = None
    if grouping != cells.HOUSEHOLD:
        rows = cells.rows_of(grouping, PUBLIC, period).subquery()
    fresh = cells.grouped(now, rows, grouping).subquery()
    return _summed(fresh, "households", "platform_vnd", "attributed_vnd")


def read_by_the_services(official: User, period: Period) -> dict[str, Any]:
    """The same figures as the impact services give them (read from the aggregates)."""
    filters = ImpactFilters()
    _standard, rows, _total = households_page(official, period, filters, 1, 200)
    households = {
        row["household_id"]: (
            row["platform_income_vnd"],
            row["attributed_sales_vnd"],
            row["projected_income_vnd"],
            row["projected_status"].value,
        )
        for row in rows
    }
    names = ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd")
    months = [
        (row["month"], *(row[n] for n in names)) for row in monthly(official, period, filters)
    ]
    by_commune = summarise(official, period, GroupBy.COMMUNE, filters)
    by_cooperative = summarise(official, period, GroupBy.COOPERATIVE, filters, totals=False)
    return {
        "households": households,
        "months": months,
        "platform_income_vnd": by_commune.totals["platform_income_vnd"],
        "attributed_sales_vnd": by_commune.totals["attributed_sales_vnd"],
        "by_cooperative": {
            str(row["key"]): row["platform_income_vnd"]
            for row in by_cooperative.rows
            if row["platform_income_vnd"]
        },
    }


# edits of a household: its members, its commune (rural or urban: its line changes too), its
# ethnicity (or not yet known)
CHANGES = st.one_of(
    st.integers(min_value=1, max_value=9).map(lambda members: {"members": str(members)}),
    st.sampled_from([RURAL, URBAN]).map(lambda code: {"commune_code": code}),
    st.sampled_from(["Kinh", "Mường", None]).map(lambda name: {"ethnicity": name}),
)


class AggregatesMachine(RuleBasedStateMachine):
    """The app and its `make_user` fixture are set on the class by the test."""

    make_user: Callable[..., User]
    done: Counter[str] = Counter()  # steps that wrote something, over all examples

    def __init__(self) -> None:
        super().__init__()
        # quantities go down to half a kilogram: so may an order
        market = make_market(type(self).make_user, stock="100000", min_order="0.5")
        self.manager, self.buyer, self.coop = market.manager, market.buyer, market.cooperative
        second = ListingFactory(
            cooperative=self.coop,
            product=product_by_code("PT-BA-KICH-TUOI"),
            quantity_available=D("100000"),
            min_order_quantity=D("0.5"),
        )
        self.listings = [market.listing, second]
        self.lots = [
            LotFactory(
                cooperative=self.coop,
                product=listing.product,
                quantity_in=D(0),
                quantity_remaining=D(0),
            )
            for listing in (market.listing, market.listing, second)
        ]
        self.households = [member_of(self.coop) for _ in range(3)]
        self.collections: list[int] = []
        self.manual_payments: list[int] = []
        self.official = UserFactory(role="official", province_wide=True)
        db.session.commit()
        # the periods' projections kept: the figures read the kept rows, and live the
        # households changed since the worker last ran (`refresh`)
        kept.keep(PERIODS)
        kept.drain()
        db.session.commit()

    def teardown(self) -> None:
        db.session.rollback()
        empty_tables()

    def _attempt(self, action: Callable[[], Any], step: str = "") -> Any:
        """Run one service call and commit; a refusal (409, 422) leaves nothing written."""
        try:
            result = action()
        except DomainError:
            db.session.rollback()
            return None
        db.session.commit()
        self.done[step] += 1
        return result

    @rule(lot=indexes, household=indexes, quantity=quantities, price=prices, at=moments)
    def deliver(self, lot: int, household: int, quantity: Decimal, price: int, at: datetime):
        target = self.lots[lot % len(self.lots)]
        who = self.households[household % len(self.households)]
        made = self._attempt(
            lambda: valuechain.record_collection(self.manager, target, who.id, quantity, price, at)
        )
        if made is not None:
            self.collections.append(made.id)

    @rule(
        household=indexes,
        amount=st.integers(1, 5_000_000),
        kind=st.sampled_from(["surplus", "other"]),
        at=moments,
    )
    def pay(self, household: int, amount: int, kind: str, at: datetime) -> None:
        who = self.households[household % len(self.households)]
        made = self._attempt(
            lambda: payments.record_payment(self.manager, self.coop, who.id, amount, kind, at)
        )
        if made is not None:
            self.manual_payments.append(made.id)

    @rule(quantities=st.lists(sold, min_size=1, max_size=2), at=moments)
    def sell(self, quantities: list[Decimal], at: datetime) -> None:
        """An order of one or two lines placed, accepted, shipped, delivered and paid, each
        line shipped from the fullest lot of its product."""
        lines = []
        for listing, quantity in zip(self.listings, quantities, strict=False):
            lots = [lot for lot in self.lots if lot.product_id == listing.product_id]
            for lot in lots:
                db.session.refresh(lot)
            fullest = max(lots, key=lambda lot: lot.quantity_remaining)
            # short of stock: a delivery first, so that most sequences sell
            if fullest.quantity_remaining < quantity and not self._deliver_into(
                fullest, quantity, at
            ):
                return
            lines.append((listing, fullest, quantity))
        requests = [orders.LineRequest(listing.id, quantity) for listing, _lot, quantity in lines]
        order = self._attempt(lambda: orders.place_order(self.buyer, requests, at=at))
        assert order is not None
        later = at + timedelta(hours=1)
        self._attempt(lambda: orders.accept_order(self.manager, order, at=later))
        by_listing = {line.listing_id: line for line in order.lines}
        shipments = [
            orders.AllocationRequest(by_listing[listing.id].id, lot.id, quantity)
            for listing, lot, quantity in lines
        ]
        assert self._attempt(lambda: orders.ship_order(self.manager, order, shipments, at=later))
        self._attempt(lambda: orders.deliver_order(self.buyer, order, at=later))
        assert self._attempt(lambda: orders.pay_order(self.manager, order, paid_at=later), "sell")

    def _deliver_into(self, lot: Lot, quantity: Decimal, at: datetime) -> bool:
        made = self._attempt(
            lambda: valuechain.record_collection(
                self.manager, lot, self.households[0].id, quantity, 80_000, at
            )
        )
        if made is not None:
            self.collections.append(made.id)
        return made is not None

    def _collection(self, index: int) -> Collection | None:
        if not self.collections:
            return None
        return db.session.get(Collection, self.collections[index % len(self.collections)])

    @rule(
        index=indexes,
        quantity=st.none() | quantities,
        household=st.none() | indexes,
        at=st.none() | moments,
    )
    def correct(
        self, index: int, quantity: Decimal | None, household: int | None, at: datetime | None
    ) -> None:
        collection = self._collection(index)
        if collection is None:
            return
        who = None if household is None else self.households[household % 3].id
        self._attempt(
            lambda: corrections.correct_collection(
                self.manager,
                collection,
                REASON,
                quantity=quantity,
                household_id=who,
                collected_at=at,
            ),
            "correct",
        )

    @rule(index=indexes)
    def void_delivery(self, index: int) -> None:
        """A delivery voided: the first from `index` on, not void, whose lot still holds it
        (a sold one cannot leave its lot)."""
        for step in range(len(self.collections)):
            collection = self._collection(index + step)
            db.session.refresh(collection.lot)
            if (
                collection.status != CollectionStatus.VOID
                and collection.lot.quantity_remaining >= collection.quantity
            ):
                self._attempt(
                    lambda c=collection: corrections.void_collection(self.manager, c, REASON),
                    "void",
                )
                return

    @rule(index=indexes)
    def void_payment(self, index: int) -> None:
        if self.manual_payments:
            payment_id = self.manual_payments[index % len(self.manual_payments)]
            payment = db.session.get(Payment, payment_id)
            self._attempt(lambda: corrections.void_payment(self.manager, payment, REASON))

    @rule(household=indexes, change=CHANGES)
    def edit(self, household: int, change: dict[str, str | None]) -> None:
        """A household edited: its members, or its commune or ethnicity (the cells it is
        kept in change)."""
        who = self.households[household % len(self.households)]
        self._attempt(lambda: households.update_household(self.manager, who, change), "edit")

    @rule()
    def refresh(self) -> None:
        """The worker's run: the households changed since recomputed in the kept rows."""
        kept.drain()
        db.session.commit()
        self.done["refresh"] += 1

    @invariant()
    def kept_projections_are_read_and_agree(self) -> None:
        assert kept.differences() == {}
        assert kept.cell_differences() == []
        for period in PERIODS:
            assert kept_period(period, standard_in_force(period.end.last_day)) is not None

    @invariant()
    def the_kept_cells_read_are_those_of_the_records(self) -> None:
        """The cells as a reader takes them (stored, less the outbox's households as kept,
        plus them now) equal the cells summed from every household computed now."""
        for period in PERIODS:
            for grouping in (cells.HOUSEHOLD, *cells.ROW_GROUPINGS):
                assert _cells_read(period, grouping) == _cells_now(period, grouping), grouping

    @invariant()
    def aggregates_equal_the_records(self) -> None:
        comparison = aggregates.compare()
        assert comparison.clean, [d.describe() for d in comparison.differences]

    @invariant()
    def figures_read_from_the_aggregates_equal_the_records(self) -> None:
        for period in PERIODS:
            expected = from_the_records(period)
            assert read_by_the_services(self.official, period) == expected, str(period)

    @invariant()
    def lots_never_go_negative(self) -> None:
        assert db.session.scalar(db.select(db.func.min(Lot.quantity_remaining))) >= 0


def test_aggregates_follow_any_sequence_of_writes(app, make_user, in_english):
    AggregatesMachine.make_user = staticmethod(make_user)
    AggregatesMachine.done.clear()
    run_state_machine_as_test(
        AggregatesMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            derandomize=True,
        ),
    )
    # the sequences did reach the paths that move money between keys
    assert {"sell", "correct", "void", "edit", "refresh"} <= set(AggregatesMachine.done), (
        AggregatesMachine.done
    )
