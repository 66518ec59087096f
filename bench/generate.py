"""A province-scale data set, written with bulk inserts through SQLAlchemy Core.

Sizes follow DESIGN section 9 (2,000 cooperatives, 200,000 households, 20,000 listings),
multiplied by BENCH_SCALE. The data is random but reproducible (a fixed seed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text

from linkage.extensions import db
from linkage.text import search_key
from models import (
    Commune,
    Cooperative,
    CooperativeStatus,
    EthnicGroup,
    Household,
    Listing,
    ListingStatus,
    Membership,
    OfficialStatus,
    Product,
)

FULL_SIZES = {"cooperatives": 2_000, "households": 200_000, "listings": 20_000}
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


@dataclass(frozen=True)
class Sizes:
    cooperatives: int
    households: int
    listings: int

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
    """Cooperatives, households with memberships, and listings; ids are assigned here."""
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

    def memberships() -> Iterator[dict[str, Any]]:
        for household_id, commune in enumerate(household_communes, start=1):
            local = by_commune.get(commune) or approved or [1]
            joined = rng.sample(local, k=min(len(local), 2 if rng.random() < 0.1 else 1))
            for coop_id in joined:
                yield {
                    "household_id": household_id,
                    "cooperative_id": coop_id,
                    "joined_on": date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2000)),
                }

    _insert(Membership.__table__, memberships())

    sellers = approved or list(range(1, sizes.cooperatives + 1))
    listing_statuses = _weighted(rng, LISTING_STATUS_WEIGHTS, sizes.listings)

    def listings() -> Iterator[dict[str, Any]]:
        for i in range(1, sizes.listings + 1):
            product_id, name_vi = rng.choice(products)
            grade = rng.choice(GRADES)
            title = f"{name_vi} {grade}" if grade else name_vi
            description = "Thu hoạch theo mùa, sơ chế tại hợp tác xã."
            harvest_start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
            yield {
                "id": i,
                "cooperative_id": rng.choice(sellers),
                "product_id": product_id,
                "title": title,
                "description": description,
                "grade": grade,
                "unit_price_vnd": rng.randrange(10_000, 2_000_000, 1_000),
                "quantity_available": Decimal(rng.randrange(0, 5_000_000)) / 1000,
                "min_order_quantity": Decimal(rng.choice([1, 5, 10, 50])),
                "harvest_start": harvest_start,
                "harvest_end": harvest_start + timedelta(days=rng.randrange(10, 90)),
                "status": listing_statuses[i - 1],
                "search_text": search_key(title, description),
                "created_at": now - timedelta(minutes=i),
                "updated_at": now,
            }

    _insert(Listing.__table__, listings())
    _advance_sequences(["cooperatives", "households", "memberships", "listings"])
    db.session.commit()


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
    }
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in counted.items()
    }
