"""Times the main pages and API calls on a province-scale data set.

    BENCH_SCALE=0.05 python -m bench      # a quick run (5% of the province)
    python -m bench                       # the full province (DESIGN section 9)

Environment: BENCH_SCALE (float, default 1.0), BENCH_SCALES (several, comma-separated, e.g.
0.25,0.5,1: a run at each, then how each figure grows), BENCH_REPEAT (timed requests per
scenario, default 30), BENCH_DATABASE_URL (default: a temporary SQLite file; a PostgreSQL URL must
point at an empty database). The table is printed and written to bench/results/latest.txt.

The impact scenarios ask as two officials created after the data (one province-wide, one for
the commune with the most households) with API bearer tokens; the official dashboard, when its
route exists, through a /login session. A warm-up request slower than a second is not repeated.
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
from linkage.services.impact import kept

from .floors import FLOORS, check, floor_rows, period_of
from .generate import Sizes, generate, row_counts

# (name, path[, as]): add a scenario by adding a line. A path may use the {placeholders} that
# `placeholders()` fills in from the generated data. `as` is who asks: anonymous when left out,
# "province" or "commune" (an official's API bearer token), or "province session" (the
# province official logged in through /login, for HTML pages); "cold": anonymous, with the
# cache of figures kept for every visitor emptied before each request.
SCENARIOS: list[tuple[str, ...]] = [
    ("communes", "/api/v1/communes"),
    ("cooperatives, page 50", "/api/v1/cooperatives?page={page_50}"),
    ("cooperative", "/api/v1/cooperatives/{cooperative_id}"),
    ("home page", "/"),
    ("catalog page", "/catalog"),
    ("catalog search", "/catalog?q=ba+kich&region=mountain&sort=price_asc"),
    ("catalog search, page 5", "/catalog?q=kho&page=5"),
    ("listings API search", "/api/v1/listings?q=giao+co+lam&certification=vietgap"),
    ("cooperative page", "/cooperatives/{cooperative_id}"),
    ("public impact page", "/impact"),  # kept for 5 minutes: all but the first from the cache
    ("public impact page, cold", "/impact", "cold"),  # the cache emptied before each request
    ("impact by commune", "/api/v1/impact/summary?group_by=commune", "province"),
    ("impact by product", "/api/v1/impact/summary?group_by=product", "province"),
    ("impact, commune official", "/api/v1/impact/summary?group_by=commune", "commune"),
    ("impact households p.1", "/api/v1/impact/households?page=1&per_page=50", "province"),
    (
        "impact households by gap",
        "/api/v1/impact/households?page=1&per_page=50&sort=gap",
        "province",
    ),
    ("impact monthly", "/api/v1/impact/monthly", "province"),
    ("impact targeting", "/api/v1/impact/targeting", "province"),
]
# Timed only when the route exists (the official workspace may not be there yet).
OPTIONAL_SCENARIOS: list[tuple[str, ...]] = [
    ("official dashboard", "/official/", "province session"),
    ("dashboard, commune", "/official/", "commune session"),
]
WARMUP = 3
SLOW_WARMUP_MS = 1000  # a warm-up slower than this is not repeated
PASSWORD = "bench-password-2025"  # noqa: S105 (a throwaway database)
RESULTS = Path(__file__).resolve().parent / "results" / "latest.txt"


def placeholders(counts: dict[str, int]) -> dict[str, Any]:
    """Values for the scenario paths: a mid-range approved cooperative, page 50 of the
    cooperatives (the last page when a small scale has fewer), and the commune with the most
    households (the commune official's)."""
    from sqlalchemy import func, select

    from models import Cooperative, CooperativeStatus, Household

    approved = select(Cooperative.id).where(Cooperative.status == CooperativeStatus.APPROVED)
    middle = db.session.scalar(
        approved.order_by(Cooperative.id).offset(counts["cooperatives"] // 2)
    )
    last_page = max(1, -(-counts["cooperatives"] // 20))
    busiest = db.session.scalar(
        select(Household.commune_code)
        .group_by(Household.commune_code)
        .order_by(func.count().desc(), Household.commune_code)
        .limit(1)
    )
    return {
        "cooperative_id": middle or db.session.scalar(approved.limit(1)),
        "page_50": min(50, last_page),
        "commune_code": busiest,
    }


def officials(commune_code: str, lifetime: Any) -> dict[str, str]:
    """A province-wide official and one for `commune_code`, with API bearer tokens."""
    from linkage.services.accounts import create_user, issue_token
    from models import Role

    province = create_user(
        "province@bench.example", PASSWORD, Role.OFFICIAL, name="Sở NN", province_wide=True
    )
    commune = create_user(
        "commune@bench.example",
        PASSWORD,
        Role.OFFICIAL,
        name="UBND xã",
        commune_codes=[commune_code],
    )
    tokens = {
        "province": issue_token(province, lifetime).token,
        "commune": issue_token(commune, lifetime).token,
    }
    db.session.commit()
    return tokens


def client_for(app: Flask, who: str | None, tokens: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """A test client and the headers a request of `who` carries."""
    client = app.test_client()
    if who is None:
        return client, {}
    if who in tokens:
        return client, {"Authorization": f"Bearer {tokens[who]}"}
    email = f"{who.split()[0]}@bench.example"
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} answered {response.status_code}")
    return client, {}


def time_scenario(
    client: Any, path: str, repeat: int, headers: dict[str, str], before: Any = None
) -> list[float]:
    """Milliseconds of each of `repeat` GETs of `path` (after a warm-up); `before` is called
    before each request, untimed."""
    timings: list[float] = []
    warmups = 0
    while len(timings) < repeat:
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}: {response.data[:300]!r}")
        if warmups < WARMUP:
            warmups = WARMUP if elapsed > SLOW_WARMUP_MS else warmups + 1
        else:
            timings.append(elapsed)
    return timings


def time_floor(
    app: Flask, name: str, answer: dict[str, Any], values: dict[str, Any], repeat: int
) -> list[float]:
    """Milliseconds of each of `repeat` runs of the scenario's floor statement, after checking
    once that it returns the app's figures."""
    from linkage.services.impact.projection import standard_for

    timings: list[float] = []
    with app.app_context():
        period = period_of(answer)
        standard = standard_for(period)
        check(name, answer, floor_rows(name, period, standard, values))
        db.session.rollback()
        for _ in range(repeat):
            started = time.perf_counter()
            floor_rows(name, period, standard, values)
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        db.session.remove()
    return timings


def _emptier(app: Flask) -> Any:
    """Empties the app's cache of figures kept for every visitor."""
    from linkage.extensions import cache

    def empty() -> None:
        with app.app_context():
            cache.clear()

    return empty


def scenarios(app: Flask) -> list[tuple[str, ...]]:
    """The scenarios, with the optional ones whose route exists."""
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    return SCENARIOS + [s for s in OPTIONAL_SCENARIOS if s[1].split("?")[0] in rules]


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def report(
    url: str,
    scale: float,
    repeat: int,
    seconds: tuple[float, float],
    counts: dict[str, int],
    rows: list[Any],
) -> str:
    wide = max([36, *(len(row[1]) for row in rows)])
    lines = [
        f"Linkage benchmark  scale={scale:g}  repeat={repeat}  "
        f"database={url.split(':', 1)[0]}  python={platform.python_version()}",
        f"data generated in {seconds[0]:.1f} s: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items()),
        f"the standard period's projections kept in {seconds[1]:.1f} s "
        "(the first run of `flask impact refresh`)",
        "",
        f"{'scenario':<26} {'GET':<{wide}} {'median ms':>10} {'p95 ms':>10} "
        f"{'floor ms':>10} {'app/floor':>9}",
        f"{'-' * 26} {'-' * wide} {'-' * 10} {'-' * 10} {'-' * 10} {'-' * 9}",
    ]
    for name, path, median, high, floor in rows:
        ratio = f"{median / floor:>9.2f}" if floor else f"{'':>9}"
        shown = f"{floor:>10.2f}" if floor else f"{'':>10}"
        lines.append(f"{name:<26} {path:<{wide}} {median:>10.2f} {high:>10.2f} {shown} {ratio}")
    return "\n".join(lines) + "\n"


def run(url: str, scale: float, repeat: int) -> tuple[str, list[Any]]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        started = time.perf_counter()
        db.drop_all()  # a run at another scale before this one on the same database
        db.create_all()
        seed_reference()
        db.session.commit()
        generate(Sizes.scaled(scale))
        db.session.commit()
        seconds = time.perf_counter() - started
        # the worker's run (`flask impact refresh`): the standard period's projections kept
        kept_started = time.perf_counter()
        kept.refresh()
        db.session.commit()
        kept_seconds = time.perf_counter() - kept_started
        db.session.execute(db.text("ANALYZE"))  # planner statistics, as a live database has
        db.session.commit()
        counts = row_counts()
        values = placeholders(counts)
        tokens = officials(values["commune_code"], app.config["TOKEN_LIFETIME"])
        db.session.remove()
    rows = []
    for name, template, *who in scenarios(app):
        path = template.format(**values)
        cold = who == ["cold"]
        client, headers = client_for(app, None if cold else (who[0] if who else None), tokens)
        timings = time_scenario(client, path, repeat, headers, _emptier(app) if cold else None)
        floor = None
        if name in FLOORS:
            answer = client.get(path, headers=headers).get_json()
            floor = statistics.median(time_floor(app, name, answer, values, repeat))
        rows.append((name, path, statistics.median(timings), p95(timings), floor))
    with app.app_context():
        db.engine.dispose()
    return report(url, scale, repeat, (seconds, kept_seconds), counts, rows), rows


def growth(results: list[tuple[float, list[Any]]]) -> str:
    """How each median grows with the scale (BENCH_SCALES): the medians side by side and the
    factor from the smallest scale to the largest."""
    scales = [scale for scale, _ in results]
    head = " ".join(f"{f'x{scale:g} ms':>11}" for scale in scales)
    lines = [
        "",
        f"growth with scale ({', '.join(f'{scale:g}' for scale in scales)})",
        f"{'scenario':<26} {head} {'factor':>7}",
    ]
    for index, row in enumerate(results[0][1]):
        medians = [rows[index][2] for _, rows in results]
        factor = medians[-1] / medians[0] if medians[0] else 0
        cells = " ".join(f"{median:>11.1f}" for median in medians)
        lines.append(f"{row[0]:<26} {cells} {factor:>7.1f}")
    factor = scales[-1] / scales[0]
    lines.append(f"(the data grows {factor:g} times from the first scale to the last)")
    return "\n".join(lines) + "\n"


def main() -> None:
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", "").split(",") if s.strip()]
    if not scales:
        scales = [float(os.environ.get("BENCH_SCALE", "1.0"))]
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    url = os.environ.get("BENCH_DATABASE_URL")
    results: list[tuple[float, list[Any]]] = []
    texts = []
    for scale in scales:
        if url:
            text, rows = run(url, scale, repeat)
        else:
            with tempfile.TemporaryDirectory(prefix="linkage-bench-") as folder:
                text, rows = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", scale, repeat)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        texts.append(text)
        results.append((scale, rows))
    if len(results) > 1:
        texts.append(growth(results))
        sys.stdout.write(texts[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(texts), encoding="utf-8")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
