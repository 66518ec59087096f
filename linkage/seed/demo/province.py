"""A believable demo province: cooperatives, member households, users and listings.

The fixed records (cooperatives, users, certificates, listings, the shape of each
cooperative's membership, names) are CSV files in linkage/data/demo; this package turns
them into records through the services. Its dates follow the day it is seeded (`calendar`):
18 months of sales ending in the current month. Deterministic for a given day: one
`random.Random(2025)` drives every choice, so two runs on empty databases with the same day
give the same households, statuses, supports and listings. The commune codes, ethnic group
codes and product codes are the real ones from linkage/data; the people, cooperatives,
registration and certificate numbers are invented.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from linkage.extensions import db
from linkage.seed.reference import seed_reference
from linkage.services import aggregates
from linkage.services.errors import Conflict
from models import Commune, ListingStatus, OfficialStatus, OrderStatus, Product, User

from .calendar import DemoCalendar
from .households import add_households
from .listings import add_certifications, add_listings
from .orders import seed_orders_demo
from .people import create_people, logins
from .supports import add_supports
from .valuechain import seed_valuechain_demo

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 (public demo logins)
ADMIN_EMAIL = "admin@linkage.demo"  # the admin of users.csv
RANDOM_SEED = 2025


@dataclass
class DemoSummary:
    """What `seed_demo` built, and the logins to try it with."""

    cooperatives: int
    pending_cooperatives: int
    communes: int
    former_provinces: int
    households: int
    statuses: dict[OfficialStatus, int]
    ethnic_groups: int
    memberships: int
    supports: int
    certifications: int
    listings: int
    active_listings: int
    users: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    orders: dict[OrderStatus, int] = field(default_factory=dict)
    collections: int = 0
    today: date | None = None

    def describe(self) -> str:
        """A short human summary with counts."""
        poor = self.statuses.get(OfficialStatus.POOR, 0)
        near = self.statuses.get(OfficialStatus.NEAR_POOR, 0)
        not_poor = self.statuses.get(OfficialStatus.NOT_POOR, 0)
        return (
            f"Demo province as of {self.today}: {self.cooperatives} approved cooperatives "
            f"(+{self.pending_cooperatives} pending) in {self.communes} communes of "
            f"{self.former_provinces} former provinces; {self.households} households "
            f"(poor {poor}, near-poor {near}, not poor {not_poor}; "
            f"{self.ethnic_groups} ethnic groups), {self.memberships} memberships, "
            f"{self.supports} policy supports; {self.certifications} certifications, "
            f"{self.listings} listings ({self.active_listings} active); {self.users} users; "
            f"{self.collections} collections; "
            f"{sum(self.orders.values())} orders ("
            + ", ".join(f"{state.value} {count}" for state, count in sorted(self.orders.items()))
            + ")."
        )


def demo_loaded() -> bool:
    """True when the demo data is already there (its admin user exists)."""
    return db.session.scalar(db.select(User.id).where(User.email == ADMIN_EMAIL)) is not None


def seed_demo(today: date | None = None) -> DemoSummary:
    """Reference data plus the demo province as of `today` (by default today in Vietnam);
    flushes, the caller commits."""
    calendar = DemoCalendar.on(today)
    seed_reference()
    if demo_loaded():
        raise Conflict(f"The demo is already loaded ({ADMIN_EMAIL} exists).")
    rng = random.Random(RANDOM_SEED)
    products = {p.code: p for p in db.session.scalars(db.select(Product))}
    people = create_people(DEMO_PASSWORD, calendar)
    cooperatives = people.approved
    certifications = add_certifications(cooperatives, products, calendar)
    managers = people.managers()
    households, memberships = add_households(rng, cooperatives, managers, calendar)
    supports, uplifts = add_supports(rng, households, products, managers, calendar)
    listings = add_listings(cooperatives, products, certifications, calendar)
    db.session.flush()
    per_cooperative = Counter(spec.key for _, spec in households)
    codes = {h.commune_code for h, _ in households} | {
        c.commune_code for c in cooperatives.values()
    }
    communes = db.session.scalars(db.select(Commune).where(Commune.code.in_(codes))).all()
    collections = seed_valuechain_demo(calendar, cooperatives, uplifts)
    order_states = seed_orders_demo(calendar)
    # deliveries and surplus shares are written in bulk: the aggregates are computed once
    aggregates.rebuild()
    return DemoSummary(
        cooperatives=len(cooperatives),
        pending_cooperatives=people.pending,
        communes=len(communes),
        former_provinces=len({c.former_province for c in communes}),
        households=len(households),
        statuses=dict(Counter(h.official_status for h, _ in households)),
        ethnic_groups=len({h.ethnic_group_code for h, _ in households}),
        memberships=len(memberships),
        supports=len(supports),
        certifications=len(certifications),
        listings=len(listings),
        active_listings=sum(1 for listing in listings if listing.status == ListingStatus.ACTIVE),
        users=len(people.users),
        logins=logins(people, per_cooperative),
        orders=dict(order_states),
        collections=collections,
        today=calendar.today,
    )
