"""Times the main pages and API calls on a province-scale data set.

    BENCH_SCALE=0.05 python -m bench      # a quick run (5% of the province)
    python -m bench                       # the full province (DESIGN section 9)

Environment: BENCH_SCALE (float, default 1.0), BENCH_REPEAT (timed requests per scenario,
default 30), BENCH_DATABASE_URL (default: a temporary SQLite file; a PostgreSQL URL must
point at an empty database). The table is printed and written to bench/results/latest.txt.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask

from linkage import create_app
from linkage.extensions import db
from linkage.seed.reference import seed_reference

from .generate import Sizes, generate, row_counts

# (name, path): add a scenario by adding a line. A path may use the {placeholders} that
# `placeholders()` fills in from the generated data.
SCENARIOS: list[tuple[str, str]] = [
    ("communes", "/api/v1/communes"),
    ("cooperatives, page 50", "/api/v1/cooperatives?page={page_50}"),
    ("cooperative", "/api/v1/cooperatives/{cooperative_id}"),
    ("home page", "/"),
    ("catalog page", "/catalog"),
    ("catalog search", "/catalog?q=ba+kich&region=mountain&sort=price_asc"),
    ("catalog search, page 5", "/catalog?q=kho&page=5"),
    ("listings API search", "/api/v1/listings?q=giao+co+lam&certification=vietgap"),
    ("cooperative page", "/cooperatives/{cooperative_id}"),
]
WARMUP = 3
RESULTS = Path(__file__).resolve().parent / "results" / "latest.txt"


def placeholders(counts: dict[str, int]) -> dict[str, Any]:
    """Values for the scenario paths: a mid-range approved cooperative, and page 50 of the
    cooperatives (the last page when a small scale has fewer)."""
    from sqlalchemy import select

    from models import Cooperative, CooperativeStatus

    approved = select(Cooperative.id).where(Cooperative.status == CooperativeStatus.APPROVED)
    middle = db.session.scalar(
        approved.order_by(Cooperative.id).offset(counts["cooperatives"] // 2)
    )
    last_page = max(1, -(-counts["cooperatives"] // 20))
    return {
        "cooperative_id": middle or db.session.scalar(approved.limit(1)),
        "page_50": min(50, last_page),
    }


def time_scenario(app: Flask, path: str, repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` GETs of `path` (after a warm-up)."""
    client = app.test_client()
    timings = []
    for attempt in range(WARMUP + repeat):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.data[:300]!r}")
        if attempt >= WARMUP:
            timings.append(elapsed)
    return timings


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def report(
    url: str, scale: float, repeat: int, seconds: float, counts: dict[str, int], rows: list[Any]
) -> str:
    lines = [
        f"Linkage benchmark  scale={scale:g}  repeat={repeat}  "
        f"database={url.split(':', 1)[0]}  python={platform.python_version()}",
        f"data generated in {seconds:.1f} s: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
        "",
        f"{'scenario':<24} {'GET':<36} {'median ms':>10} {'p95 ms':>10}",
        f"{'-' * 24} {'-' * 36} {'-' * 10} {'-' * 10}",
    ]
    lines += [
        f"{name:<24} {path:<36} {median:>10.2f} {high:>10.2f}" for name, path, median, high in rows
    ]
    return "\n".join(lines) + "\n"


def run(url: str, scale: float, repeat: int) -> str:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        seed_reference()
        db.session.commit()
        generate(Sizes.scaled(scale))
        db.session.execute(db.text("ANALYZE"))  # planner statistics, as a live database has
        db.session.commit()
        seconds = time.perf_counter() - started
        counts = row_counts()
        values = placeholders(counts)
        db.session.remove()
    rows = []
    for name, template in SCENARIOS:
        path = template.format(**values)
        timings = time_scenario(app, path, repeat)
        rows.append((name, path, statistics.median(timings), p95(timings)))
    with app.app_context():
        db.engine.dispose()
    return report(url, scale, repeat, seconds, counts, rows)


def main() -> None:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        text = run(url, scale, repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="linkage-bench-") as folder:
            text = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", scale, repeat)
    sys.stdout.write(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
