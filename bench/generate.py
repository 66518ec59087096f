"""A province-scale data set, written with bulk inserts through SQLAlchemy Core.

Sizes follow DESIGN section 9 (2,000 cooperatives, 200,000 households, 20,000 listings,
2,000,000 collections, 200,000 orders), multiplied by BENCH_SCALE. The data is random but
reproducible (a fixed seed); collections, payments and orders fall in the 18 months before the
run, so that the default impact period (the last 12 months) covers them.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update

from linkage.extensions import db
from linkage.text import word_index
from models import (
    Collection,
    Commune,
    Cooperative,
    CooperativeStatus,
    EthnicGroup,
    Household,
    IncomeAttribution,
    Listing,
    ListingStatus,
    Lot,
    LotOrigin,
    Membership,
    OfficialStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    Product,
    Role,
    User,
)

FULL_SIZES = {
    "cooperatives": 2_000,
    "households": 200_000,
    "listings": 20_000,
    "collections": 2_000_000,
    "orders": 200_000,
}
BATCH = 10_000
SEED = 20250701  # the day the merged province came into being

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Hà", "Đinh", "Bùi", "Triệu", "Lý", "Hoàng", "Đặng"]
MIDDLE_NAMES = ["Văn", "Thị", "Đức", "Minh", "Thu", "Xuân", "Quang", "Hồng"]
GIVEN_NAMES = ["An", "Bình", "Chiến", "Dung", "Hải", "Hoa", "Lan", "Mai", "Nam", "Phúc", "Sơn"]
# Roughly the mix of the merged province: Kinh, Mường, Dao, Tày, Sán Dìu, Mông, Sán Chay.
ETHNIC_WEIGHTS = {"01": 70, "06": 20, "09": 3, "02": 2, "18": 2, "08": 1, "15": 1}
STATUS_WEIGHTS = {
    OfficialStatus.POOR: 20,
    OfficialStatus.NEAR_POOR: 25,
    OfficialStatus.NOT_POOR: 55,
}
COOPERATIVE_STATUS_WEIGHTS = {
    CooperativeStatus.APPROVED: 90,
    CooperativeStatus.PENDING: 6,
    CooperativeStatus.SUSPENDED: 4,
}
LISTING_STATUS_WEIGHTS = {
    ListingStatus.ACTIVE: 75,
    ListingStatus.DRAFT: 8,
    ListingStatus.SOLD_OUT: 10,
    ListingStatus.ARCHIVED: 7,
}
GRADES = [None, "Loại 1", "Loại 2", "Xuất khẩu"]
MONTHS = 18  # collections, payments and orders fall in the months before the run
LOT_DAYS = 91  # one collection lot per product and quarter
SURPLUS_SHARE = 0.05  # surplus payments per collection
BUYERS = 5
ORDER_STATUS_WEIGHTS = {
    OrderStatus.PAID: 85,
    OrderStatus.PLACED: 3,
    OrderStatus.ACCEPTED: 3,
    OrderStatus.SHIPPED: 2,
    OrderStatus.DELIVERED: 3,
    OrderStatus.CANCELLED: 2,
    OrderStatus.REJECTED: 2,
}
FLOW = ("accepted_at", "shipped_at", "delivered_at", "paid_at")
FLOW_STATUSES = (
    OrderStatus.ACCEPTED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.PAID,
)


@dataclass(frozen=True)
class Sizes:
    cooperatives: int
    households: int
    listings: int
    collections: int
    orders: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        return cls(**{name: max(1, round(size * scale)) for name, size in FULL_SIZES.items()})


def _weighted(rng: random.Random, weights: dict[Any, int], k: int) -> list[Any]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _batches(rows: Iterator[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(table: Any, rows: Iterator[dict[str, Any]]) -> None:
    for batch in _batches(rows):
        db.session.execute(insert(table), batch)


def generate(sizes: Sizes) -> None:
    """Cooperatives, households with memberships, listings, the value chain (lots,
    collections, payments) and the market (orders, lines, income attributions); ids are
    assigned here."""
    if db.engine.dialect.name == "sqlite":  # a bulk load: a page cache of up to 1 GiB
        db.session.execute(text("PRAGMA cache_size = -1048576"))
    rng = random.Random(SEED)
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    communes = db.session.scalars(select(Commune.code).order_by(Commune.code)).all()
    products = db.session.execute(select(Product.id, Product.name_vi)).all()
    known_groups = set(db.session.scalars(select(EthnicGroup.code)))
    ethnic_weights = {code: w for code, w in ETHNIC_WEIGHTS.items() if code in known_groups}

    coop_communes = [rng.choice(communes) for _ in range(sizes.cooperatives)]
    coop_statuses = _weighted(rng, COOPERATIVE_STATUS_WEIGHTS, sizes.cooperatives)
    _insert(
        Cooperative.__table__,
        (
            {
                "id": i,
                "name": f"HTX Nông nghiệp và Dược liệu số {i}",
                "registration_no": f"25{i:08d}",
                "commune_code": coop_communes[i - 1],
                "description": "Hợp tác xã trồng, sơ chế và tiêu thụ nông sản, dược liệu.",
                "status": coop_statuses[i - 1],
                "created_at": now - timedelta(days=rng.randrange(30, 900)),
            }
            for i in range(1, sizes.cooperatives + 1)
        ),
    )
    by_commune: dict[str, list[int]] = {}
    for coop_id, commune in enumerate(coop_communes, start=1):
        by_commune.setdefault(commune, []).append(coop_id)
    approved = [i for i, s in enumerate(coop_statuses, 1) if s == CooperativeStatus.APPROVED]

    household_communes = [rng.choice(communes) for _ in range(sizes.households)]
    household_groups = _weighted(rng, ethnic_weights, sizes.households)
    household_statuses = _weighted(rng, STATUS_WEIGHTS, sizes.households)
    _insert(
        Household.__table__,
        (
            {
                "id": i,
                "code": f"BH-{i:07d}",
                "head_name": f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} "
                f"{rng.choice(GIVEN_NAMES)}",
                "commune_code": household_communes[i - 1],
                "members": rng.randint(1, 8),
                "ethnic_group_code": household_groups[i - 1],
                "official_status": household_statuses[i - 1],
                "official_status_on": date(2025, 12, 15),
                "deprivations": rng.randint(0, 6),
                "baseline_income_vnd": rng.randrange(600_000, 4_000_000, 10_000),
                "meritorious": rng.random() < 0.02,
                "needs_review": rng.random() < 0.01,
                "consent_at": now - timedelta(days=rng.randrange(1, 400)),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, sizes.households + 1)
        ),
    )

    pairs: list[tuple[int, int]] = []  # (household, cooperative) of each membership

    def memberships() -> Iterator[dict[str, Any]]:
        for household_id, commune in enumerate(household_communes, start=1):
            local = by_commune.get(commune) or approved or [1]
            joined = rng.sample(local, k=min(len(local), 2 if rng.random() < 0.1 else 1))
            for coop_id in joined:
                pairs.append((household_id, coop_id))
                yield {
                    "household_id": household_id,
                    "cooperative_id": coop_id,
                    "joined_on": date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2000)),
                }

    _insert(Membership.__table__, memberships())

    sellers = approved or list(range(1, sizes.cooperatives + 1))
    listing_statuses = _weighted(rng, LISTING_STATUS_WEIGHTS, sizes.listings)

    offers: dict[int, list[tuple[int, int]]] = {}  # cooperative -> [(listing, unit price)]

    def listings() -> Iterator[dict[str, Any]]:
        for i in range(1, sizes.listings + 1):
            product_id, name_vi = rng.choice(products)
            grade = rng.choice(GRADES)
            title = f"{name_vi} {grade}" if grade else name_vi
            description = "Thu hoạch theo mùa, sơ chế tại hợp tác xã."
            harvest_start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
            seller, price = rng.choice(sellers), rng.randrange(10_000, 2_000_000, 1_000)
            offers.setdefault(seller, []).append((i, price))
            yield {
                "id": i,
                "cooperative_id": seller,
                "product_id": product_id,
                "title": title,
                "description": description,
                "grade": grade,
                "unit_price_vnd": price,
                "quantity_available": Decimal(rng.randrange(0, 5_000_000)) / 1000,
                "min_order_quantity": Decimal(rng.choice([1, 5, 10, 50])),
                "harvest_start": harvest_start,
                "harvest_end": harvest_start + timedelta(days=rng.randrange(10, 90)),
                "status": listing_statuses[i - 1],
                "search_text": word_index(title),
                "created_at": now - timedelta(minutes=i),
                "updated_at": now,
            }

    _insert(Listing.__table__, listings())
    db.session.commit()
    chain = _value_chain(rng, sizes, pairs, [product_id for product_id, _ in products])
    db.session.commit()
    _market(rng, sizes, offers, chain)
    _advance_sequences(
        [
            "cooperatives",
            "households",
            "memberships",
            "listings",
            "lots",
            "collections",
            "payments",
            "users",
            "orders",
            "order_lines",
            "income_attributions",
        ]
    )
    db.session.commit()


@dataclass
class Chain:
    """What the market needs of the value chain: each cooperative's collections."""

    start: datetime
    end: datetime
    by_cooperative: dict[int, array[int]]  # collection ids
    household_of: array[int]  # the household of each collection id (index 0 unused)
    moments: array[float]  # seconds after `start` of each collection (in id order, from 1)


class _Writer:
    """Rows of a few tables inserted in batches, parents first (the order given)."""

    def __init__(self, *tables: Any) -> None:
        self.rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in tables}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                db.session.execute(insert(table), rows)
                rows.clear()


def _thousandths(value: int) -> Decimal:
    return Decimal(value).scaleb(-3)


def _value_chain(
    rng: random.Random, sizes: Sizes, pairs: list[tuple[int, int]], product_ids: list[int]
) -> Chain:
    """Quarterly lots of each cooperative's products; collections from its member households
    over the last 18 months, each paid at the farmgate; some surplus payments."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=MONTHS * 30.5)
    span = (end - start).total_seconds()
    quarters = -(-(end - start).days // LOT_DAYS)
    products = {
        coop: rng.sample(product_ids, k=min(len(product_ids), rng.randint(1, 3)))
        for coop in sorted({coop for _, coop in pairs})
    }
    first_lot: dict[tuple[int, int], int] = {}
    lots: list[dict[str, Any]] = []
    for coop, chosen in products.items():
        for index, product_id in enumerate(chosen):
            first_lot[(coop, index)] = len(lots) + 1
            for quarter in range(quarters):
                lots.append(
                    {
                        "id": len(lots) + 1,
                        "code": f"LO-{coop:05d}-{product_id:04d}-{quarter}",
                        "cooperative_id": coop,
                        "product_id": product_id,
                        "origin": LotOrigin.COLLECTION,
                        "quantity_in": Decimal(0),
                        "quantity_remaining": Decimal(0),
                        "note": "",
                        "created_at": start + timedelta(days=quarter * LOT_DAYS),
                    }
                )
    _insert(Lot.__table__, iter(lots))
    price = {product_id: rng.randrange(15_000, 250_000, 1_000) for product_id in product_ids}
    received = [0] * (len(lots) + 1)  # thousandths
    by_cooperative: dict[int, array[int]] = {coop: array("l") for coop in products}
    household_of = array("l", [0])
    writer = _Writer(Collection.__table__, Payment.__table__)
    moments = sorted(rng.random() * span for _ in range(sizes.collections))  # ids follow time
    for collection_id, offset in enumerate(moments, start=1):
        household, coop = rng.choice(pairs)
        index = rng.randrange(len(products[coop]))
        collected = start + timedelta(seconds=offset)
        lot = first_lot[(coop, index)] + min((collected - start).days // LOT_DAYS, quarters - 1)
        milli = rng.randrange(2_000, 150_000, 100)
        unit = round(price[products[coop][index]] * rng.uniform(0.85, 1.15), -2)
        amount = milli * unit // 1000
        received[lot] += milli
        by_cooperative[coop].append(collection_id)
        household_of.append(household)
        writer.add(
            Collection.__table__,
            {
                "id": collection_id,
                "lot_id": lot,
                "household_id": household,
                "quantity": _thousandths(milli),
                "unit_price_vnd": unit,
                "amount_vnd": amount,
                "collected_at": collected,
                "grade": rng.choice(GRADES),
                "moisture_pct": None,
                "created_at": collected,
            },
        )
        writer.add(
            Payment.__table__,
            {
                "id": collection_id,
                "cooperative_id": coop,
                "household_id": household,
                "kind": PaymentKind.FARMGATE,
                "amount_vnd": amount,
                "paid_at": collected,
                "collection_id": collection_id,
                "note": "",
                "created_at": collected,
            },
        )
    writer.flush()

    def surplus() -> Iterator[dict[str, Any]]:
        for payment_id in range(sizes.collections + 1, sizes.collections + surplus_count + 1):
            household, coop = rng.choice(pairs)
            paid = start + timedelta(seconds=rng.random() * span)
            yield {
                "id": payment_id,
                "cooperative_id": coop,
                "household_id": household,
                "kind": PaymentKind.SURPLUS,
                "amount_vnd": rng.randrange(200_000, 5_000_000, 10_000),
                "paid_at": paid,
                "collection_id": None,
                "note": "Chia lãi cuối vụ",
                "created_at": paid,
            }

    surplus_count = round(sizes.collections * SURPLUS_SHARE)
    _insert(Payment.__table__, surplus())
    table = Lot.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("lot"))
        .values(quantity_in=bindparam("total"), quantity_remaining=bindparam("rest")),
        [
            {
                "lot": lot,
                "total": _thousandths(total),
                "rest": _thousandths(total if (lot - 1) % quarters == quarters - 1 else 0),
            }
            for lot, total in enumerate(received)
            if lot
        ],
    )
    return Chain(start, end, by_cooperative, household_of, array("d", moments))


def _buyers(count: int) -> list[int]:
    """A few buyer users (who cannot log in: no password)."""
    first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    ids = list(range(first, first + count))
    _insert(
        User.__table__,
        (
            {
                "id": user_id,
                "email": f"buyer{user_id}@bench.example",
                "password_hash": "!",
                "name": f"Công ty Dược liệu {user_id}",
                "role": Role.BUYER,
                "locale": "vi",
                "active": True,
                "province_wide": False,
                "created_at": datetime(2025, 1, 1, tzinfo=UTC),
            }
            for user_id in ids
        ),
    )
    return ids


def _order_times(
    rng: random.Random, placed: datetime, end: datetime, status: OrderStatus
) -> tuple[OrderStatus, dict[str, datetime | None]]:
    """The order's timestamps along its path to `status` (paid after the end: delivered)."""
    times: dict[str, datetime | None] = dict.fromkeys(
        ("accepted_at", "shipped_at", "delivered_at", "paid_at", "closed_at")
    )
    times["placed_at"] = placed
    if status == OrderStatus.PLACED:
        return status, times
    if status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        times["closed_at"] = placed + timedelta(hours=rng.randint(1, 48))
        return status, times
    moment = placed
    for name, step in zip(FLOW, FLOW_STATUSES, strict=True):
        moment += timedelta(hours=rng.randint(2, 120))
        if moment > end:
            return _step_before(step), times
        times[name] = moment
        if step == status:
            break
    return status, times


def _step_before(status: OrderStatus) -> OrderStatus:
    """The status an order has before reaching `status` on the normal path."""
    index = FLOW_STATUSES.index(status)
    return FLOW_STATUSES[index - 1] if index else OrderStatus.PLACED


def _collections_before(rng: random.Random, chain: Chain, coop: int, moment: datetime) -> list[int]:
    """One to four of the cooperative's collections made before `moment` (any if none was)."""
    collections = chain.by_cooperative[coop]
    last_id = bisect_right(chain.moments, (moment - chain.start).total_seconds())
    earlier = bisect_right(collections, last_id) or len(collections)
    return [collections[i] for i in rng.sample(range(earlier), k=min(earlier, rng.randint(1, 4)))]


def _market(
    rng: random.Random, sizes: Sizes, offers: dict[int, list[tuple[int, int]]], chain: Chain
) -> None:
    """Orders of a few buyers to cooperatives that collected produce, one or two lines each;
    each paid line's value attributed to a few of the cooperative's collections."""
    buyers = _buyers(BUYERS)
    sellers = sorted(coop for coop in offers if chain.by_cooperative.get(coop))
    if not sellers:
        return
    writer = _Writer(Order.__table__, OrderLine.__table__, IncomeAttribution.__table__)
    line_id = attribution_id = 0
    statuses = _weighted(rng, ORDER_STATUS_WEIGHTS, sizes.orders)
    span = (chain.end - chain.start).total_seconds()
    moments = sorted(rng.random() * span for _ in range(sizes.orders))
    for order_id in range(1, sizes.orders + 1):
        coop = rng.choice(sellers)
        placed = chain.start + timedelta(seconds=moments[order_id - 1])
        status, times = _order_times(rng, placed, chain.end, statuses[order_id - 1])
        paid_at = times["paid_at"] if status == OrderStatus.PAID else None
        chosen = rng.sample(offers[coop], k=min(len(offers[coop]), 1 if rng.random() < 0.6 else 2))
        lines = []
        for listing_id, unit in chosen:
            milli = rng.randrange(1_000, 50_000, 500)
            line_id += 1
            lines.append(
                {
                    "id": line_id,
                    "order_id": order_id,
                    "listing_id": listing_id,
                    "quantity": _thousandths(milli),
                    "unit_price_vnd": unit,
                    "amount_vnd": milli * unit // 1000,
                }
            )
        writer.add(
            Order.__table__,
            {
                "id": order_id,
                "buyer_id": rng.choice(buyers),
                "cooperative_id": coop,
                "status": status,
                "note": "",
                "total_vnd": sum(line["amount_vnd"] for line in lines),
                "payment_reference": f"CK{order_id:09d}" if paid_at else None,
                **times,
            },
        )
        for line in lines:
            writer.add(OrderLine.__table__, line)
            if paid_at is None:
                continue
            picked = _collections_before(rng, chain, coop, paid_at)
            weights = [rng.randint(1, 10) for _ in picked]
            left = line["amount_vnd"]
            for position, (collection_id, weight) in enumerate(zip(picked, weights, strict=True)):
                share = left
                if position < len(picked) - 1:
                    share = line["amount_vnd"] * weight // sum(weights)
                left -= share
                attribution_id += 1
                writer.add(
                    IncomeAttribution.__table__,
                    {
                        "id": attribution_id,
                        "order_id": order_id,
                        "order_line_id": line["id"],
                        "collection_id": collection_id,
                        "household_id": chain.household_of[collection_id],
                        "cooperative_id": coop,
                        "amount_vnd": share,
                        "paid_at": paid_at,
                        "created_at": paid_at,
                    },
                )
    writer.flush()


def _advance_sequences(tables: list[str]) -> None:
    """PostgreSQL: explicit ids leave the id sequences behind; move them past the data."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def row_counts() -> dict[str, int]:
    """Rows per table of the benchmark data set."""
    counted = {
        "communes": Commune,
        "products": Product,
        "cooperatives": Cooperative,
        "households": Household,
        "memberships": Membership,
        "listings": Listing,
        "lots": Lot,
        "collections": Collection,
        "payments": Payment,
        "orders": Order,
        "order lines": OrderLine,
        "attributions": IncomeAttribution,
    }
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in counted.items()
    }
