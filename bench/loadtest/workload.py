"""The clients of the load test: threads that each send a bounded mix of requests, as a
reverse proxy would pass them on (X-Forwarded-For and X-Forwarded-Proto, PROXY_COUNT=1)."""

from __future__ import annotations

import http.client
import json
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote_plus, urlencode

from .data import OFFICIAL, PASSWORD, World

# kind: share of the requests (the rest of a client's loop picks by these weights)
MIX = {
    "catalog search": 20,
    "listing page": 15,
    "order placed": 40,
    "order accepted": 10,
    "collection recorded": 10,
    "commune official dashboard": 5,
}
EXPECTED = {"order placed": 201, "collection recorded": 201}
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


@dataclass
class Tally:
    """Latencies (ms) and unexpected answers per kind, merged from every client."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, str] = field(default_factory=dict)  # one unexpected answer per kind
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool, sample: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            if not ok:
                self.errors[kind] += 1
                self.samples.setdefault(kind, sample[:300])


class Client:
    """One simulated user agent with its own connection, address and buyers."""

    def __init__(self, number: int, clients: int, port: int, world: World, tally: Tally) -> None:
        self.port = port
        self.world = world
        self.tally = tally
        self.random = random.Random(number)
        self.address = f"10.0.{number // 250}.{number % 250 + 1}"
        self.buyers = world.buyer_tokens[number::clients]  # each buyer in one client only
        self.turn = 0
        self.placed: list[int] = []
        self.cookie = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {
            "Host": "127.0.0.1",
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            **(headers or {}),
        }
        if self.cookie:
            sent["Cookie"] = self.cookie
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()  # gunicorn's sync workers close after each answer
                if attempt:
                    raise
        answer = {k.lower(): v for k, v in response.getheaders()}
        if "set-cookie" in answer:
            self.cookie = answer["set-cookie"].split(";", 1)[0]
        return response.status, answer, data

    def login(self) -> None:
        """The commune official's session, through the login form (CSRF token and all)."""
        status, _, page = self.request("GET", "/login")
        match = CSRF.search(page.decode())
        if status != 200 or match is None:
            raise RuntimeError(f"login page: {status}")
        form = urlencode(
            {
                "csrf_token": match.group(1) or match.group(2),
                "email": OFFICIAL,
                "password": PASSWORD,
            }
        )
        status, _, _ = self.request(
            "POST",
            "/login",
            form.encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "https://127.0.0.1/login",
            },
        )
        if status != 302:
            raise RuntimeError(f"login: {status}")

    def api(
        self, method: str, path: str, token: str, payload: object | None = None
    ) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        saved, self.cookie = self.cookie, ""  # the API call carries its token, no session
        try:
            status, _, data = self.request(method, path, body, headers)
        finally:
            self.cookie = saved
        return status, data

    def one(self, kind: str) -> tuple[int, bytes]:
        world, rnd = self.world, self.random
        if kind == "catalog search":
            return self.request("GET", "/catalog?q=" + quote_plus(rnd.choice(world.searches)))[::2]
        if kind == "listing page":
            return self.request("GET", f"/listings/{rnd.choice(world.listing_ids)}")[::2]
        if kind == "order placed":
            token = self.buyers[self.turn % len(self.buyers)]
            self.turn += 1
            line = {"listing_id": rnd.choice(world.listing_ids), "quantity": str(rnd.randint(1, 5))}
            status, data = self.api("POST", "/api/v1/orders", token, {"lines": [line]})
            if status == 201:
                self.placed.append(json.loads(data)["id"])
            return status, data
        if kind == "order accepted":
            if not self.placed:
                return self.one("order placed")
            order_id = self.placed.pop(0)
            return self.api("POST", f"/api/v1/orders/{order_id}/accept", world.manager_token)
        if kind == "collection recorded":
            payload = {
                "household_id": rnd.choice(world.household_ids),
                "quantity": str(rnd.randint(2, 20)),
                "unit_price_vnd": 60000,
                "collected_at": datetime.now(UTC).isoformat(),
            }
            path = f"/api/v1/lots/{world.lot_id}/collections"
            return self.api("POST", path, world.manager_token, payload)
        return self.request("GET", "/official/")[::2]

    def run(self, until: float) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.perf_counter() < until:
            kind = self.random.choices(kinds, weights)[0]
            if kind == "order accepted" and not self.placed:
                kind = "order placed"
            started = time.perf_counter()
            try:
                status, data = self.one(kind)
            except Exception as error:
                status, data = 0, repr(error).encode()
            ms = (time.perf_counter() - started) * 1000
            ok = status == EXPECTED.get(kind, 200)
            self.tally.add(kind, ms, ok, f"{status} {data[:200]!r}")
        self.conn.close()


@dataclass(frozen=True)
class Row:
    kind: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int


def run(port: int, world: World, clients: int, seconds: float) -> tuple[list[Row], Tally, float]:
    tally = Tally()
    made = [Client(n, clients, port, world, tally) for n in range(clients)]
    for client in made:
        client.login()  # every client may open the official's dashboard
    until = time.perf_counter() + seconds
    threads = [threading.Thread(target=c.run, args=(until,), daemon=True) for c in made]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rows = []
    for kind in MIX:
        values = sorted(tally.latencies.get(kind, []))
        if not values:
            continue
        cuts = (
            statistics.quantiles(values, n=100, method="inclusive")
            if len(values) > 1
            else values * 99
        )
        rows.append(
            Row(
                kind,
                len(values),
                len(values) / elapsed,
                statistics.median(values),
                cuts[94],
                cuts[98],
                tally.errors.get(kind, 0),
            )
        )
    return rows, tally, elapsed
