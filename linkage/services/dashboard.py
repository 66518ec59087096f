"""The manager's overview of one cooperative: every figure is a SQL aggregate.

The page issues a fixed number of queries whatever the cooperative's size: one per block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import (
    Collection,
    Cooperative,
    Household,
    Listing,
    ListingStatus,
    Lot,
    Membership,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    Product,
    User,
)

from .counted import counted
from .periods import Month, current_month
from .scope import manages

OPEN_ORDER_STATUSES = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.SHIPPED)
SHOWN_ORDERS = 10
SHOWN_LOTS = 10
SHOWN_LOW_STOCK = 20


@dataclass(frozen=True)
class ProductCollections:
    """This month's collections of one product."""

    product: Product
    count: int
    quantity: Decimal
    amount_vnd: int


@dataclass(frozen=True)
class Overview:
    """What a manager sees first; `month` is the current month in Vietnam time."""

    month: Month
    open_orders: list[Order]
    open_orders_by_status: dict[OrderStatus, int]
    low_stock: list[Listing]
    lots: list[Lot]
    collections: list[ProductCollections]
    payments_by_kind: dict[PaymentKind, int]
    households_needing_review: int

    @property
    def open_orders_total(self) -> int:
        return sum(self.open_orders_by_status.values())

    @property
    def collections_count(self) -> int:
        return sum(row.count for row in self.collections)

    @property
    def collections_amount_vnd(self) -> int:
        return sum(row.amount_vnd for row in self.collections)

    @property
    def payments_total_vnd(self) -> int:
        return sum(self.payments_by_kind.values())


def cooperative_overview(
    actor: User, cooperative: Cooperative, *, month: Month | None = None
) -> Overview:
    """The dashboard figures of a cooperative the actor manages (404 otherwise)."""
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))
    month = month or current_month()
    starts, ends = month.starts_at, month.next().starts_at
    return Overview(
        month=month,
        open_orders=_open_orders(cooperative.id),
        open_orders_by_status=_open_orders_by_status(cooperative.id),
        low_stock=_low_stock(cooperative.id),
        lots=_lots_in_stock(cooperative.id),
        collections=_collections(cooperative.id, starts, ends),
        payments_by_kind=_payments_by_kind(cooperative.id, starts, ends),
        households_needing_review=_households_needing_review(cooperative.id),
    )


def _open_orders(cooperative_id: int) -> list[Order]:
    """The oldest open orders first: they wait the longest."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.cooperative_id == cooperative_id, Order.status.in_(OPEN_ORDER_STATUSES))
            .options(joinedload(Order.buyer).joinedload(User.buyer_organisation))
            .order_by(Order.placed_at, Order.id)
            .limit(SHOWN_ORDERS)
        ).all()
    )


def _open_orders_by_status(cooperative_id: int) -> dict[OrderStatus, int]:
    rows = db.session.execute(
        select(Order.status, func.count(Order.id))
        .where(Order.cooperative_id == cooperative_id, Order.status.in_(OPEN_ORDER_STATUSES))
        .group_by(Order.status)
    ).all()
    counts = dict.fromkeys(OPEN_ORDER_STATUSES, 0)
    counts.update({OrderStatus(status): count for status, count in rows})
    return counts


def _low_stock(cooperative_id: int) -> list[Listing]:
    """Active listings with less than two minimum orders left."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(
                Listing.cooperative_id == cooperative_id,
                Listing.status == ListingStatus.ACTIVE,
                # a sum, not `* 2`: a literal would be bound as a Quantity (x1000 on SQLite)
                Listing.quantity_available
                < Listing.min_order_quantity + Listing.min_order_quantity,
            )
            .options(joinedload(Listing.product))
            .order_by(Listing.quantity_available, Listing.id)
            .limit(SHOWN_LOW_STOCK)
        ).all()
    )


def _lots_in_stock(cooperative_id: int) -> list[Lot]:
    return list(
        db.session.scalars(
            select(Lot)
            .where(Lot.cooperative_id == cooperative_id, Lot.quantity_remaining > 0)
            .options(joinedload(Lot.product))
            .order_by(Lot.quantity_remaining.desc(), Lot.id)
            .limit(SHOWN_LOTS)
        ).all()
    )


def _collections(cooperative_id: int, starts: datetime, ends: datetime) -> list[ProductCollections]:
    rows = db.session.execute(
        select(
            Product,
            func.count(Collection.id),
            func.sum(Collection.quantity),
            func.sum(Collection.amount_vnd),
        )
        .join(Lot, Lot.id == Collection.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .where(
            Lot.cooperative_id == cooperative_id,
            *counted(Collection),
            Collection.collected_at >= starts,
            Collection.collected_at < ends,
        )
        .group_by(Product.id)
        .order_by(func.sum(Collection.amount_vnd).desc(), Product.id)
    ).all()
    return [
        ProductCollections(product, count, quantity or Decimal("0"), int(amount or 0))
        for product, count, quantity, amount in rows
    ]


def _payments_by_kind(
    cooperative_id: int, starts: datetime, ends: datetime
) -> dict[PaymentKind, int]:
    rows = db.session.execute(
        select(Payment.kind, func.sum(Payment.amount_vnd))
        .where(
            Payment.cooperative_id == cooperative_id,
            *counted(Payment),
            Payment.paid_at >= starts,
            Payment.paid_at < ends,
        )
        .group_by(Payment.kind)
    ).all()
    totals = dict.fromkeys(PaymentKind, 0)
    totals.update({PaymentKind(kind): int(amount or 0) for kind, amount in rows})
    return totals


def _households_needing_review(cooperative_id: int) -> int:
    members = select(Membership.household_id).where(Membership.cooperative_id == cooperative_id)
    return (
        db.session.scalar(
            select(func.count(Household.id)).where(
                Household.needs_review.is_(True), Household.id.in_(members)
            )
        )
        or 0
    )
