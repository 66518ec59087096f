"""Demo orders over 18 months, in every state, through the real order services.

Orders go through place, accept, ship (from the cooperative's lots of the listing's
product), deliver and pay, with past times; paying attributes the income to the member
households exactly as in production. Some are rejected or cancelled, and the most recent
ones are still open, so every screen has orders in every state. Deterministic.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from linkage.extensions import db
from linkage.services import orders
from models import (
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Lot,
    OrderStatus,
    Role,
    User,
)

RANDOM_SEED = 2027
FIRST_ORDER = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
LAST_ORDER = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
DEMO_TODAY = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # fixed, so the demo is deterministic
ORDERS_PER_COOPERATIVE = 24
RECENT_PER_COOPERATIVE = 4  # placed in the last 18 days: still open, in various states
STEP_DAYS = {"accept": 1, "ship": 3, "deliver": 7, "pay": 12}


def seed_orders_demo(now: datetime = DEMO_TODAY) -> Counter[OrderStatus]:
    """Place and move the demo orders; returns how many ended in each state."""
    rng = random.Random(RANDOM_SEED)
    buyers = db.session.scalars(select(User).where(User.role == Role.BUYER).order_by(User.id)).all()
    cooperatives = db.session.scalars(
        select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.APPROVED)
        .order_by(Cooperative.id)
    ).all()
    states: Counter[OrderStatus] = Counter()
    span = (LAST_ORDER - FIRST_ORDER).total_seconds()
    for cooperative in cooperatives:
        if not buyers or not cooperative.managers:
            continue
        manager = sorted(cooperative.managers, key=lambda user: user.id)[0]
        moments = sorted(
            [
                FIRST_ORDER + timedelta(seconds=rng.uniform(0, span))
                for _ in range(ORDERS_PER_COOPERATIVE)
            ]
            + [now - timedelta(days=rng.uniform(1, 18)) for _ in range(RECENT_PER_COOPERATIVE)]
        )
        for placed_at in moments:
            state = _one_order(rng, cooperative, manager, rng.choice(buyers), placed_at, now)
            if state is not None:
                states[state] += 1
    db.session.flush()
    return states


def _one_order(
    rng: random.Random,
    cooperative: Cooperative,
    manager: User,
    buyer: User,
    placed_at: datetime,
    now: datetime,
) -> OrderStatus | None:
    """One order of one listing with lots to ship from; None when nothing can be sold."""
    listing, lots = _sellable(rng, cooperative, placed_at)
    if listing is None:
        return None
    held = sum((lot.quantity_remaining for lot in lots), Decimal(0))
    ceiling = min(listing.quantity_available, held)
    minimum = listing.min_order_quantity
    if ceiling < minimum:
        return None
    quantity = min(ceiling, (minimum * rng.randint(1, 6)).quantize(Decimal("0.001")))
    order = orders.place_order(
        buyer, [orders.LineRequest(listing.id, quantity)], rng.choice(NOTES), at=placed_at
    )
    fate = rng.random()
    if now - placed_at < timedelta(days=8) and fate < 0.6:
        return order.status  # new orders the manager has not answered yet
    if fate < 0.06:
        orders.reject_order(manager, order, "Hết hàng đúng loại yêu cầu", at=_after(placed_at, 1))
        return order.status
    if fate < 0.12:
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


def _sellable(
    rng: random.Random, cooperative: Cooperative, placed_at: datetime
) -> tuple[Listing | None, list[Lot]]:
    """A listing with stock and the lots of its product that existed before the order."""
    listings = db.session.scalars(
        select(Listing)
        .where(
            Listing.cooperative_id == cooperative.id,
            Listing.status == ListingStatus.ACTIVE,
            Listing.quantity_available > 0,
        )
        .order_by(Listing.id)
        .execution_options(populate_existing=True)
    ).all()
    rng.shuffle(listings := list(listings))
    for listing in listings:
        lots = db.session.scalars(
            select(Lot)
            .where(
                Lot.cooperative_id == cooperative.id,
                Lot.product_id == listing.product_id,
                Lot.quantity_remaining > 0,
                Lot.created_at <= placed_at,
            )
            .order_by(Lot.created_at, Lot.id)
            .execution_options(populate_existing=True)  # quantities change by Core UPDATEs
        ).all()
        if lots:
            return listing, list(lots)
    return None, []


def _allocations(order, lots: list[Lot]) -> list[orders.AllocationRequest]:  # type: ignore[no-untyped-def]
    """Cover each line from the oldest lots first."""
    requests = []
    for line in order.lines:
        needed = line.quantity
        for lot in lots:
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
