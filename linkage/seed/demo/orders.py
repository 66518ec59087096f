"""Demo orders over 18 months, in every state, through the real order services.

Every month each cooperative sells part of what it holds in its lots (fresh produce once the
month's collection lot is closed, dried and sorted lots once processed), so sales follow the
collections and little is left in store. Orders go through place, accept, ship (from the
cooperative's oldest lots of the listing's product), deliver and pay, with past times; paying
attributes the income to the member households exactly as in production. Some orders are
rejected or cancelled, and the most recent ones are still open, so every screen has orders
in every state. Over the 18 months ending on the demo's day (see `calendar`); deterministic
for a given day.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import or_, select, update

from linkage.extensions import db
from linkage.services import orders
from linkage.services.periods import VIETNAM, Month
from models import (
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Lot,
    LotOrigin,
    OrderStatus,
    Role,
    User,
)

from .calendar import DemoCalendar

RANDOM_SEED = 2027
KG = Decimal("0.001")
ORDER_VALUE_VND = 600_000_000  # a stock worth more is sold in two orders that month
SELL_SHARE = (0.45, 0.8)  # of each product's stock, per order
SPARE_SHARE = 0.06  # per month, one more order that is rejected or cancelled
# two orders per cooperative placed in the last days, still open: placed, accepted, shipped
# and delivered (days since placed; see STEP_DAYS)
RECENT_AGES = ((0.2, 0.9), (1.2, 2.8), (3.3, 6.8), (7.3, 11.8))
STEP_DAYS = {"accept": 1, "ship": 3, "deliver": 7, "pay": 12}


@dataclass
class Stock:
    """A product the cooperative holds: its lots (oldest first) and the listings selling it."""

    lots: list[Lot] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)

    @property
    def held(self) -> Decimal:
        return sum((lot.quantity_remaining for lot in self.lots), Decimal(0))

    @property
    def value(self) -> int:
        return int(self.held * max(listing.unit_price_vnd for listing in self.listings))


def seed_orders_demo(calendar: DemoCalendar) -> Counter[OrderStatus]:
    """Place and move the demo orders up to the demo's now; returns how many ended in each
    state."""
    now = calendar.now
    rng = random.Random(RANDOM_SEED)
    buyers = db.session.scalars(select(User).where(User.role == Role.BUYER).order_by(User.id)).all()
    cooperatives = db.session.scalars(
        select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Cooperative.id)
    ).all()
    states: Counter[OrderStatus] = Counter()
    for index, cooperative in enumerate(cooperatives):
        if not buyers or not cooperative.managers:
            continue
        manager = sorted(cooperative.managers, key=lambda user: user.id)[0]
        for placed_at, fate in _moments(rng, cooperative, calendar, index):
            state = _one_order(rng, cooperative, manager, rng.choice(buyers), placed_at, now, fate)
            if state is not None:
                states[state] += 1
    db.session.flush()
    return states


def _moments(
    rng: random.Random, cooperative: Cooperative, calendar: DemoCalendar, index: int
) -> list[tuple[datetime, str]]:
    """(placed at, fate) of the orders: regular ones in the second week of each month (after
    the month's processing, paid within the month); spare ones refused; recent ones open.
    None is placed after now."""
    now = calendar.now
    moments = []
    month, last = calendar.first_sales_month, calendar.last_month
    while month <= last:
        start = month.starts_at.astimezone(VIETNAM)
        value = sum(stock.value for stock in _stocks(cooperative, start + timedelta(days=8)))
        count = 0 if value == 0 else (1 if value < ORDER_VALUE_VND else 2)
        for _ in range(count):
            moments.append((_day(rng, start, 8, 15), "sell"))
        if rng.random() < SPARE_SHARE:
            moments.append((_day(rng, start, 1, 25), rng.choice(("reject", "cancel"))))
        month = month.next()
    for ages in (RECENT_AGES[index % 4], RECENT_AGES[(index + 2) % 4]):
        moments.append((now - timedelta(days=rng.uniform(*ages)), "open"))
    return sorted(moment for moment in moments if moment[0] < now)


def _day(rng: random.Random, start: datetime, first: int, last: int) -> datetime:
    at = start + timedelta(days=rng.randint(first, last) - 1, hours=rng.randint(8, 16))
    return at.astimezone(UTC)


def _one_order(
    rng: random.Random,
    cooperative: Cooperative,
    manager: User,
    buyer: User,
    placed_at: datetime,
    now: datetime,
    fate: str,
) -> OrderStatus | None:
    """One order of what the cooperative holds; None when it holds nothing to sell."""
    lines, lots = _basket(rng, _stocks(cooperative, placed_at))
    if not lines:
        return None
    order = orders.place_order(buyer, lines, rng.choice(NOTES), at=placed_at)
    if fate == "reject":
        orders.reject_order(manager, order, "Hết hàng đúng loại yêu cầu", at=_after(placed_at, 1))
        return order.status
    if fate == "cancel":
        orders.cancel_order(buyer, order, "Đổi kế hoạch thu mua", at=_after(placed_at, 1))
        return order.status
    for action in ("accept", "ship", "deliver", "pay"):
        when = _after(placed_at, STEP_DAYS[action])
        if when >= now:
            break
        if action == "accept":
            orders.accept_order(manager, order, at=when)
        elif action == "ship":
            orders.ship_order(manager, order, _allocations(order, lots), at=when)
        elif action == "deliver":
            orders.deliver_order(buyer, order, at=when)
        else:
            orders.pay_order(manager, order, paid_at=when, reference=f"UNC-{order.id:05d}")
    return order.status


def _stocks(cooperative: Cooperative, at: datetime) -> list[Stock]:
    """The products the cooperative held at `at` and has active listings for (two queries).

    Processed lots count once made, collection lots once their month is over (a month's
    lot fills until its end).
    """
    stocks: dict[int, Stock] = defaultdict(Stock)
    for listing in db.session.scalars(
        select(Listing)
        .where(Listing.cooperative_id == cooperative.id, Listing.status == ListingStatus.ACTIVE)
        .order_by(Listing.id)
        .execution_options(populate_existing=True)  # stock changes by Core UPDATEs
    ):
        stocks[listing.product_id].listings.append(listing)
    lots = db.session.scalars(
        select(Lot)
        .where(
            Lot.cooperative_id == cooperative.id,
            Lot.product_id.in_(list(stocks)),
            Lot.quantity_remaining > 0,
            Lot.created_at <= at,
            or_(Lot.origin != LotOrigin.COLLECTION, Lot.created_at < Month.of(at).starts_at),
        )
        .order_by(Lot.created_at, Lot.id)
        .execution_options(populate_existing=True)
    )
    for lot in lots:
        stocks[lot.product_id].lots.append(lot)
    return [stocks[product_id] for product_id in sorted(stocks) if stocks[product_id].lots]


def _basket(
    rng: random.Random, stocks: list[Stock]
) -> tuple[list[orders.LineRequest], dict[int, list[Lot]]]:
    """A line for part of each product held (one of its listings, the dearer more often), and
    the lots to ship each listing from."""
    lines, lots = [], {}
    for stock in stocks:
        listing = rng.choices(stock.listings, [x.unit_price_vnd for x in stock.listings])[0]
        minimum, held = listing.min_order_quantity, stock.held
        wanted = held * Decimal(str(round(rng.uniform(*SELL_SHARE), 3)))
        quantity = max(minimum, (wanted / minimum).to_integral_value(ROUND_FLOOR) * minimum)
        if quantity > held:
            continue
        if listing.quantity_available <= quantity:  # the manager lists the new stock
            db.session.execute(
                update(Listing)
                .where(Listing.id == listing.id)
                .values(quantity_available=(quantity * Decimal("1.25")).quantize(KG))
                .execution_options(synchronize_session=False)
            )
        lines.append(orders.LineRequest(listing.id, quantity))
        lots[listing.id] = stock.lots
    return lines, lots


def _allocations(order, lots: dict[int, list[Lot]]) -> list[orders.AllocationRequest]:  # type: ignore[no-untyped-def]
    """Cover each line from the oldest lots of its listing's product first."""
    requests = []
    for line in order.lines:
        needed = line.quantity
        for lot in lots[line.listing_id]:
            db.session.refresh(lot)
            take = min(needed, lot.quantity_remaining)
            if take > 0:
                requests.append(orders.AllocationRequest(line.id, lot.id, take))
                needed -= take
            if needed == 0:
                break
    return requests


def _after(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days, hours=3)


NOTES = (
    "",
    "Giao tại kho Việt Trì, gọi trước 1 ngày.",
    "Cần kèm phiếu kiểm nghiệm độ ẩm.",
    "Đóng bao 25 kg.",
    "Xin hóa đơn VAT.",
)
