"""The catalog's word search alone, at the province's size and beyond.

`python -m bench.search` fills an empty database (`BENCH_DATABASE_URL`, else a temporary
SQLite file) with `SEARCH_LISTINGS` listings (20,000, the province's; 400,000 is about the
country's) of 2,000 cooperatives, with titles made of the reference products' names, then
times what the catalog page asks for a search: the count and the first page of 24, median of
`BENCH_REPEAT` runs (30) per query. On PostgreSQL it also shows whether the plan reads the
trigram index (migration 0006) and how long the same search takes without it.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from linkage import create_app
from linkage.extensions import db
from linkage.seed.reference import seed_reference
from linkage.services.listings.catalog import CatalogFilters, search_listings
from linkage.text import word_index
from models import Commune, Cooperative, CooperativeStatus, Listing, ListingStatus, Product

QUERIES = ("giao co lam", "ba kich", "kho", "cam cao phong", "xuat khau", "zzz")
GRADES = (None, "Loại 1", "Loại 2", "Xuất khẩu", "hữu cơ", "sấy lạnh")
PAGE = 24
BATCH = 10_000


def _fill(listings: int) -> None:
    rng = random.Random(20251203)
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    communes = db.session.scalars(select(Commune.code)).all()
    names = db.session.execute(select(Commune.name)).scalars().all()
    products = db.session.execute(select(Product.id, Product.name_vi, Product.name_en)).all()
    db.session.execute(
        insert(Cooperative.__table__),
        [
            {
                "id": i,
                "name": f"HTX Nông nghiệp số {i}",
                "registration_no": f"25{i:08d}",
                "commune_code": rng.choice(communes),
                "description": "",
                "status": CooperativeStatus.APPROVED,
                "created_at": now,
                "status_changed_at": now,
            }
            for i in range(1, 2_001)
        ],
    )

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, listings + 1):
            product_id, name_vi, name_en = rng.choice(products)
            grade = rng.choice(GRADES)
            title = " ".join(part for part in (name_vi, grade, rng.choice(names)) if part)
            yield {
                "id": i,
                "cooperative_id": rng.randrange(1, 2_001),
                "product_id": product_id,
                "title": title,
                "description": "",
                "unit_price_vnd": rng.randrange(10_000, 2_000_000, 1_000),
                "quantity_available": Decimal(rng.randrange(1, 5_000)),
                "min_order_quantity": Decimal(1),
                "status": rng.choices(
                    (ListingStatus.ACTIVE, ListingStatus.SOLD_OUT, ListingStatus.DRAFT),
                    (80, 10, 10),
                )[0],
                "search_text": word_index(title, name_vi, name_en),
                "created_at": now - timedelta(minutes=i),
                "updated_at": now,
            }

    batch: list[dict[str, Any]] = []
    for row in rows():
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(Listing.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(Listing.__table__), batch)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _search(q: str) -> tuple[int, int]:
    """What the catalog page runs: the count, then the first page."""
    statement = search_listings(CatalogFilters(q=q))
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    page = db.session.scalars(statement.limit(PAGE)).unique().all()
    return int(total or 0), len(page)


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return statistics.median(timings)


def _uses_index(q: str) -> bool:
    statement = search_listings(CatalogFilters(q=q)).limit(PAGE)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}".replace("%", "%%"))
    return any("ix_listings_search_text_trgm" in line for line in plan.scalars())


def run(url: str, listings: int, repeat: int) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    lines = []
    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        seed_reference()
        db.session.commit()
        _fill(listings)
        postgres = db.engine.dialect.name == "postgresql"
        lines.append(
            f"{db.engine.dialect.name}, {listings:,} listings (filled in "
            f"{time.perf_counter() - started:.0f} s), median of {repeat} runs, ms"
        )
        header = "| query | found | count + first page |"
        if postgres:
            header += " index used | without the index |"
        lines += [header, header_rule(header)]
        for q in QUERIES:
            found, _page = _search(q)
            row = f"| `{q}` | {found:,} | {_median_ms(lambda q=q: _search(q), repeat):.1f} |"
            if postgres:
                used = _uses_index(q)
                db.session.rollback()

                def without(q: str = q) -> None:
                    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
                    db.session.execute(text("SET LOCAL enable_indexscan = off"))
                    _search(q)

                row += f" {'yes' if used else 'no'} | {_median_ms(without, repeat):.1f} |"
            lines.append(row)
        db.session.remove()
        db.engine.dispose()
    return "\n".join(lines) + "\n"


def header_rule(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def main() -> None:
    listings = int(os.environ.get("SEARCH_LISTINGS", "20000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        sys.stdout.write(run(url, listings, repeat))
        return
    with tempfile.TemporaryDirectory(prefix="linkage-search-") as folder:
        sys.stdout.write(run(f"sqlite:///{Path(folder) / 'search.sqlite3'}", listings, repeat))


if __name__ == "__main__":
    main()
