"""What the write-time aggregates and the outbox cost the writes they ride on: recording a
delivery, and paying an order whose lot went through two processing steps (dried, then
packed: the attribution walks the chain back to each delivery), timed at the service with and
without them.

    BENCH_DATABASE_URL=postgresql+psycopg://.../empty_db python -m bench.writes
    python -m bench.writes                # a temporary SQLite file

"Without" replaces `aggregates.apply` with nothing for the timed call, so the same records are
written without their aggregates and outbox rows: the writes as they were before the
aggregates. The two modes alternate, so that both see the same database; medians of
BENCH_REPEAT (default 200) calls each, one commit per call as a request makes.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from linkage import create_app
from linkage.extensions import db
from linkage.seed.demo import seed_demo
from linkage.services import aggregates, orders
from linkage.services.orders.placing import LineRequest
from linkage.services.orders.shipping import AllocationRequest
from linkage.services.valuechain import record_collection, record_transformation
from linkage.services.valuechain.lots import create_lot
from models import Listing, ListingStatus, Lot, LotOrigin, Membership, Process, Role, User
from models.types import utcnow

MANAGER = "manager.daotru@linkage.demo"
RAW, DRIED = "PT-BA-KICH-TUOI", "PT-BA-KICH-KHO"
DELIVERIES_PER_CHAIN = 6  # households whose deliveries one paid order reaches


@contextmanager
def without_aggregates() -> Iterator[None]:
    """The writes as before the aggregates: `aggregates.apply` does nothing."""
    apply = aggregates.apply
    aggregates.apply = lambda _delta: None
    try:
        yield
    finally:
        aggregates.apply = apply


class Writes:
    """The demo's Đạo Trù manager, its members, a buyer and the packed product's listing."""

    def __init__(self) -> None:
        self.manager = db.session.scalar(select(User).where(User.email == MANAGER))
        self.cooperative = self.manager.cooperatives[0]
        self.buyer = db.session.scalar(select(User).where(User.role == Role.BUYER))
        self.households = db.session.scalars(
            select(Membership.household_id).where(
                Membership.cooperative_id == self.cooperative.id, Membership.left_on.is_(None)
            )
        ).all()[:DELIVERIES_PER_CHAIN]
        self.at = utcnow() - timedelta(days=1)
        self.raw_lot = self._lot(RAW)
        self.listing = db.session.scalar(
            select(Listing).where(
                Listing.cooperative_id == self.cooperative.id,
                Listing.product.has(code=DRIED),
            )
        )
        self.listing.status = ListingStatus.ACTIVE
        self.listing.quantity_available = Decimal("100000")
        self.listing.min_order_quantity = Decimal("1")
        db.session.commit()

    def _lot(self, code: str) -> Lot:
        return db.session.scalar(
            select(Lot)
            .where(
                Lot.cooperative_id == self.cooperative.id,
                Lot.origin == LotOrigin.COLLECTION,
                Lot.product.has(code=code),
            )
            .order_by(Lot.id.desc())
        )

    def delivery(self, index: int) -> Callable[[], Any]:
        household = self.households[index % len(self.households)]
        return lambda: record_collection(
            self.manager, self.raw_lot, household, Decimal("12.5"), 85_000, self.at
        )

    def paid_order(self) -> Callable[[], Any]:
        """An order shipped from a packed lot whose deliveries went through drying and
        packing, ready to be paid (built untimed): the call that pays it."""
        raw = create_lot(self.manager, self.cooperative, RAW)  # the chain's own deliveries
        for household in self.households:
            record_collection(self.manager, raw, household, Decimal("10"), 80_000, self.at)
        dried = record_transformation(
            self.manager,
            self.cooperative,
            Process.DRYING,
            self.at,
            [(raw.id, Decimal("10") * len(self.households))],
            DRIED,
            Decimal("20"),
        ).output_lot
        packed = record_transformation(
            self.manager,
            self.cooperative,
            Process.PACKING,
            self.at,
            [(dried.id, Decimal("20"))],
            DRIED,
            Decimal("20"),
        ).output_lot
        order = orders.place_order(self.buyer, [LineRequest(self.listing.id, Decimal("20"))])
        orders.accept_order(self.manager, order)
        line = order.lines[0]
        orders.ship_order(
            self.manager, order, [AllocationRequest(line.id, packed.id, Decimal("20"))]
        )
        orders.deliver_order(self.buyer, order)
        db.session.commit()
        return lambda: orders.pay_order(self.manager, order)


def timed(call: Callable[[], Any], without: bool) -> float:
    started = time.perf_counter()
    if without:
        with without_aggregates():
            call()
            db.session.commit()
    else:
        call()
        db.session.commit()
    return (time.perf_counter() - started) * 1000


def run(url: str, repeat: int) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo()
        db.session.commit()
        writes = Writes()
        times: dict[tuple[str, bool], list[float]] = {}
        for index in range(repeat):
            for without in (index % 2 == 0, index % 2 == 1):  # alternating which goes first
                times.setdefault(("delivery", without), []).append(
                    timed(writes.delivery(index), without)
                )
                pay = writes.paid_order()
                times.setdefault(("paid order", without), []).append(timed(pay, without))
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    lines = [
        f"write cost ({dialect}, {repeat} calls each, medians in ms)",
        f"{'write':<12} {'without':>8} {'with':>8} {'cost':>7}",
    ]
    for name in ("delivery", "paid order"):
        before = statistics.median(times[(name, True)])
        after = statistics.median(times[(name, False)])
        lines.append(f"{name:<12} {before:>8.2f} {after:>8.2f} {after / before - 1:>+7.0%}")
    return "\n".join(lines) + "\n"


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "200"))
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        text = run(url, repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="linkage-writes-") as folder:
            text = run(f"sqlite:///{Path(folder) / 'writes.sqlite3'}", repeat)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
