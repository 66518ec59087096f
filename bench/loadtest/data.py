"""The load test's database: a fresh PostgreSQL database with the demo, many buyers with API
tokens, and listings of one cooperative with stock enough for the whole run."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url

from linkage import create_app
from linkage.extensions import db
from linkage.services.logins import issue_token
from models import (
    Cooperative,
    Listing,
    ListingStatus,
    Lot,
    LotOrigin,
    Membership,
    OrderLine,
    Role,
    User,
    utcnow,
)

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "linkage"]
MANAGER = "manager.daotru@linkage.demo"
OFFICIAL = "official.daotru@linkage.demo"  # a commune official
PASSWORD = "demo-pass-2025"  # noqa: S105 - the demo's published password
STOCK = Decimal("10000000")  # kg per listing: no listing sells out during a run
TOKEN_LIFETIME = timedelta(days=1)


@dataclass
class World:
    """What the clients need: ids and tokens, no ORM object."""

    buyer_tokens: list[str]
    manager_token: str
    listing_ids: list[int]
    lot_id: int
    household_ids: list[int]
    searches: list[str] = field(default_factory=list)
    initial_stock: dict[int, Decimal] = field(default_factory=dict)
    last_line_id: int = 0  # order lines after this one are the run's


def recreate_database(url: str) -> None:
    """Drop and create the database that `url` names (on the same server's `postgres`)."""
    parsed = make_url(url)
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def migrate_and_seed(env: dict[str, str]) -> None:
    """`db upgrade` and `seed demo`, as an operator runs them (the demo needs no production
    mode: it is seeded with the development settings on the same database)."""
    seed_env = {k: v for k, v in env.items() if k != "LINKAGE_ENV"}
    for args in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run(  # noqa: S603 - our own command line
            [*FLASK, *args], cwd=ROOT, env=seed_env, check=True, capture_output=True
        )


def prepare(database_url: str, buyers: int) -> World:
    """Buyers with tokens (one password hash shared: hashing thousands would take minutes),
    the demo manager's listings on sale with a large stock, an open collection lot."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False})
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        cooperative = db.session.scalar(
            select(Cooperative).where(Cooperative.id.in_([c.id for c in manager.cooperatives]))
        )
        db.session.execute(
            update(Listing)
            .where(Listing.cooperative_id == cooperative.id)
            .values(
                status=ListingStatus.ACTIVE,
                quantity_available=STOCK,
                min_order_quantity=Decimal("1"),
            )
        )
        password_hash = manager.password_hash
        created = utcnow() - timedelta(days=30)  # not a new account: the higher order cap
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"load.buyer{n}@linkage.example",
                    "password_hash": password_hash,
                    "name": f"Load buyer {n}",
                    "role": Role.BUYER,
                    "locale": "vi",
                    "active": True,
                    "province_wide": False,
                    "created_at": created,
                }
                for n in range(buyers)
            ],
        )
        buyer_users = db.session.scalars(
            select(User).where(User.email.like("load.buyer%")).order_by(User.id)
        ).all()
        tokens = [issue_token(user, TOKEN_LIFETIME).token for user in buyer_users]
        manager_token = issue_token(manager, TOKEN_LIFETIME).token
        lot = db.session.scalar(
            select(Lot)
            .where(Lot.cooperative_id == cooperative.id, Lot.origin == LotOrigin.COLLECTION)
            .order_by(Lot.id.desc())
        )
        households = db.session.scalars(
            select(Membership.household_id).where(
                Membership.cooperative_id == cooperative.id, Membership.left_on.is_(None)
            )
        ).all()
        listings = db.session.execute(
            select(Listing.id, Listing.quantity_available, Listing.search_text).where(
                Listing.cooperative_id == cooperative.id
            )
        ).all()
        last_line_id = db.session.scalar(select(func.max(OrderLine.id))) or 0
        db.session.commit()
        words = sorted({row.search_text.split()[0] for row in listings if row.search_text})
        world = World(
            buyer_tokens=tokens,
            manager_token=manager_token,
            listing_ids=[row.id for row in listings],
            lot_id=lot.id,
            household_ids=list(households),
            searches=[*words, "giao co lam", "ba kich", "tra"],
            initial_stock={row.id: row.quantity_available for row in listings},
            last_line_id=last_line_id,
        )
    with app.app_context():
        db.engine.dispose()
    return world


@dataclass(frozen=True)
class StockCheck:
    listings: int
    negative: int
    mismatched: int  # stock + quantities held by orders != stock at the start

    @property
    def ok(self) -> bool:
        return self.negative == 0 and self.mismatched == 0


def check_stock(database_url: str, world: World) -> StockCheck:
    """No oversell: every listing's stock is >= 0 and equals its stock at the start less the
    quantities of the run's order lines (each order of the run holds its lines: it is placed
    or accepted, never rejected or cancelled)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False})
    with app.app_context():
        ordered = dict(
            db.session.execute(
                select(OrderLine.listing_id, func.sum(OrderLine.quantity))
                .where(
                    OrderLine.listing_id.in_(world.listing_ids),
                    OrderLine.id > world.last_line_id,
                )
                .group_by(OrderLine.listing_id)
            ).all()
        )
        stock = dict(
            db.session.execute(
                select(Listing.id, Listing.quantity_available).where(
                    Listing.id.in_(world.listing_ids)
                )
            ).all()
        )
        db.session.rollback()
        db.engine.dispose()
    negative = sum(1 for value in stock.values() if value < 0)
    mismatched = sum(
        1
        for listing_id, start in world.initial_stock.items()
        if stock[listing_id] + ordered.get(listing_id, Decimal(0)) != start
    )
    return StockCheck(len(stock), negative, mismatched)


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The production settings of .ci/production.env on the load test's database and Redis
    database, with a secret made for this run."""
    env = dict(os.environ)
    for line in (ROOT / ".ci" / "production.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    env.update(
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI=redis_url,
        CACHE_REDIS_URL=redis_url,
        SECRET_KEY=os.urandom(32).hex(),
    )
    return env
