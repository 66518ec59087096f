"""A load test: gunicorn with the production settings on PostgreSQL, rate limits in Redis, and
concurrent clients sending a bounded mix of requests.

    python -m bench.loadtest                  # 60 s, 16 clients, 4 workers (make loadtest)
    python -m bench.loadtest --seconds 10     # the short run of make ci

It makes a fresh database (LOADTEST_DATABASE_URL, default linkage_load on the local server),
migrates it and seeds the demo, adds buyers with API tokens and a large stock, serves it with
gunicorn on 127.0.0.1 (the settings of .ci/production.env; Redis database LOADTEST_REDIS_URL,
flushed first), runs the clients and prints requests per second and latencies per kind, the
unexpected answers (errors: must be 0) and a stock check (no listing oversold). It exits 1 on
any error or a failed stock check, and drops the database at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request

import redis

from .data import (
    ROOT,
    check_stock,
    drop_database,
    migrate_and_seed,
    prepare,
    recreate_database,
    server_env,
)
from .workload import run

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/linkage_load"
REDIS_URL = "redis://127.0.0.1:6379/3"
ORDER_TARGET = 200.0  # orders placed per second with 16 clients


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/readyz", headers={"Host": "127.0.0.1"}
            )
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310 - local
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--buyers", type=int, default=1600)
    args = parser.parse_args()
    database_url = os.environ.get("LOADTEST_DATABASE_URL", DATABASE_URL)
    redis_url = os.environ.get("LOADTEST_REDIS_URL", REDIS_URL)

    started = time.perf_counter()
    recreate_database(database_url)
    env = server_env(database_url, redis_url)
    try:
        migrate_and_seed(env)
        world = prepare(database_url, args.buyers)
        redis.Redis.from_url(redis_url).flushdb()
        print(
            f"data ready in {time.perf_counter() - started:.0f} s: {len(world.buyer_tokens)} "
            f"buyers, {len(world.listing_ids)} listings",
            flush=True,
        )
        port = _free_port()
        env["WEB_CONCURRENCY"] = str(args.workers)
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "linkage:create_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            _wait_ready(port, server)
            rows, tally, elapsed = run(port, world, args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        stock = check_stock(database_url, world)
    finally:
        drop_database(database_url)

    print(
        f"\n{args.clients} clients, {args.workers} gunicorn workers, {elapsed:.1f} s, "
        f"PostgreSQL + Redis, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| kind | requests | per second | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.kind} | {row.count} | {row.per_second:.1f} | {row.p50:.0f} | "
            f"{row.p95:.0f} | {row.p99:.0f} | {row.errors} |"
        )
    total = sum(row.count for row in rows)
    errors = sum(row.errors for row in rows)
    orders = next((row.per_second for row in rows if row.kind == "order placed"), 0.0)
    print(f"| all | {total} | {total / elapsed:.1f} | | | | {errors} |\n")
    print(f"orders placed per second: {orders:.1f} (target {ORDER_TARGET:.0f})")
    print(
        f"stock check: {stock.listings} listings, {stock.negative} below zero, "
        f"{stock.mismatched} not equal to their start less their order lines: "
        + ("no oversell" if stock.ok else "FAILED")
    )
    for kind, sample in tally.samples.items():
        print(f"unexpected answer ({kind}): {sample}")
    return 0 if errors == 0 and stock.ok else 1


if __name__ == "__main__":
    sys.exit(main())
