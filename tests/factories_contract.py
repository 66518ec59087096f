"""A small world for the API's contract sweep (tests/api/test_schemathesis.py).

Two cooperatives: the manager's own, in Đạo Trù, with member households (one outside the
commune official's jurisdiction), an active and a draft listing, a lot filled by a collection
with its payment, a support, and orders from the buyer in each state a manager acts on; and a
neighbouring cooperative with its own household, listing and lot. Each role's user, and the
ids of every kind of record, so that generated requests can name real objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from linkage.extensions import db
from linkage.services import orders
from models import ListingStatus, Order, Payment, Role, User, utcnow

from .factories import (
    CooperativeFactory,
    HouseholdFactory,
    ListingFactory,
    LotFactory,
    MembershipFactory,
    UserFactory,
)
from .factories_listings import make_collection
from .factories_supports import VIET_TRI, give

# path and body names of ids, by the kind of record they name
ID_KINDS = {
    "cooperative_id": "cooperative",
    "cooperative": "cooperative",
    "listing_id": "listing",
    "household_id": "household",
    "lot_id": "lot",
    "order_id": "order",
    "line_id": "line",
    "support_id": "support",
    "collection_id": "collection",
    "payment_id": "payment",
}


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, list[int]] = field(default_factory=dict)


def _order(buyer: User, listing_id: int, quantity: str) -> Order:
    return orders.place_order(buyer, [orders.LineRequest(listing_id, Decimal(quantity))], "")


def contract_world() -> World:
    """The world, committed; users by role name (`official` of Đạo Trù, `province` official)."""
    own = CooperativeFactory(name="HTX Ba kích Đạo Trù")
    other = CooperativeFactory(name="HTX Chè Tân Sơn")
    users = {
        "buyer": UserFactory(role=Role.BUYER),
        "manager": UserFactory(role=Role.MANAGER, cooperatives=[own]),
        "official": UserFactory(role=Role.OFFICIAL),  # Đạo Trù
        "province": UserFactory(role=Role.OFFICIAL, province_wide=True),
        "admin": UserFactory(role=Role.ADMIN),
    }
    member = HouseholdFactory()
    townsman = HouseholdFactory(commune_code=VIET_TRI, ethnic_group_code="01")
    neighbour = HouseholdFactory()
    newcomer = HouseholdFactory()  # no cooperative yet: a membership can be created
    for household, cooperative in ((member, own), (townsman, own), (neighbour, other)):
        MembershipFactory(household=household, cooperative=cooperative)
    listing = ListingFactory(cooperative=own, quantity_available=Decimal("500"))
    draft = ListingFactory(cooperative=own, status=ListingStatus.DRAFT)
    foreign = ListingFactory(cooperative=other)
    lot = LotFactory(cooperative=own, quantity_in=Decimal("200"), quantity_remaining=Decimal("200"))
    foreign_lot = LotFactory(cooperative=other)
    db.session.flush()
    collection = make_collection(lot, member, "20", 300_000, utcnow() - timedelta(days=20))
    support = give(users["official"], member)
    placed = _order(users["buyer"], listing.id, "10")
    accepted = _order(users["buyer"], listing.id, "5")
    orders.accept_order(users["manager"], accepted)
    elsewhere = _order(users["buyer"], foreign.id, "2")
    db.session.commit()
    world = World(users=users)
    world.ids = {
        "cooperative": [own.id, other.id],
        "listing": [listing.id, draft.id, foreign.id],
        "household": [member.id, townsman.id, neighbour.id, newcomer.id],
        "lot": [lot.id, foreign_lot.id],
        "order": [placed.id, accepted.id, elsewhere.id],
        "line": [line.id for o in (placed, accepted, elsewhere) for line in o.lines],
        "support": [support.id],
        "collection": [collection.id],
        "payment": list(db.session.scalars(db.select(Payment.id))),
    }
    return world
