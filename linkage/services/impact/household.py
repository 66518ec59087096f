"""One household's impact for a period: its projection (the same query as the impact list and
the API), deliveries, payments, attributed sales and official status history.

A fixed number of queries whatever the number of rows (eager loading, grouped sums).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.services.counted import counted
from linkage.services.periods import Period
from linkage.services.scope import Actor, get_household_for, of
from models import (
    Collection,
    Cooperative,
    Household,
    IncomeAttribution,
    Listing,
    Lot,
    Membership,
    OfficialStatusChange,
    OrderLine,
    Payment,
    PovertyStandard,
    Product,
)

from .filters import ImpactFilters
from .projection import projection_query, standard_for, typed


@dataclass(frozen=True)
class AttributedSale:
    """The part of one paid order's value attributed to the household."""

    order_id: int
    paid_at: datetime
    cooperative: str
    products: list[Product]
    amount_vnd: int


@dataclass(frozen=True)
class HouseholdImpact:
    household: Household
    period: Period
    standard: PovertyStandard
    projection: dict[str, Any] | None
    memberships: list[Membership]
    deliveries: list[Collection]
    payments: list[tuple[Payment, str]]  # (payment, cooperative name)
    sales: list[AttributedSale]
    history: list[OfficialStatusChange]

    @property
    def sales_total_vnd(self) -> int:
        return sum(sale.amount_vnd for sale in self.sales)

    @property
    def payments_total_vnd(self) -> int:
        return sum(payment.amount_vnd for payment, _name in self.payments)

    @property
    def deliveries_total_vnd(self) -> int:
        return sum(delivery.amount_vnd for delivery in self.deliveries)


def projection_of(
    actor: Actor, household: Household, period: Period, standard: PovertyStandard
) -> dict[str, Any] | None:
    """The household's row of the impact projection (one source of truth with the API)."""
    statement = projection_query(of(actor), period, standard, ImpactFilters(), household.id)
    row = db.session.execute(statement).mappings().first()
    return typed(row) if row is not None else None


def _dated(model: Any, at: Any, household: Household, period: Period) -> tuple[Any, ...]:
    """The household's deliveries, payments or attributed sales (`model`) dated (`at`) in the
    period, void records left out."""
    return (
        model.household_id == household.id,
        *counted(model),
        at >= period.starts_at,
        at < period.ends_before,
    )


def _sales(household: Household, period: Period) -> list[AttributedSale]:
    in_period = _dated(IncomeAttribution, IncomeAttribution.paid_at, household, period)
    orders = db.session.execute(
        select(
            IncomeAttribution.order_id,
            func.max(IncomeAttribution.paid_at).label("paid_at"),
            Cooperative.name,
            func.sum(IncomeAttribution.amount_vnd).label("amount"),
        )
        .join(Cooperative, Cooperative.id == IncomeAttribution.cooperative_id)
        .where(*in_period)
        .group_by(IncomeAttribution.order_id, Cooperative.name)
        .order_by(func.max(IncomeAttribution.paid_at).desc(), IncomeAttribution.order_id.desc())
    ).all()
    products: dict[int, list[Product]] = {}
    for order_id, product in db.session.execute(
        select(IncomeAttribution.order_id, Product)
        .join(OrderLine, OrderLine.id == IncomeAttribution.order_line_id)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(*in_period)
        .distinct()
        .order_by(IncomeAttribution.order_id, Product.id)
    ):
        products.setdefault(order_id, []).append(product)
    return [
        AttributedSale(order_id, paid_at, name, products.get(order_id, []), int(amount or 0))
        for order_id, paid_at, name, amount in orders
    ]


def household_impact(actor: Actor, household_id: int, period: Period) -> HouseholdImpact:
    """Everything the household page shows (404 outside the actor's scope)."""
    household = get_household_for(actor, household_id)
    standard = standard_for(period)
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.cooperative))
        .where(Membership.household_id == household.id)
        .order_by(Membership.joined_on, Membership.id)
    ).all()
    deliveries = db.session.scalars(
        select(Collection)
        .options(
            joinedload(Collection.lot).joinedload(Lot.cooperative),
            joinedload(Collection.lot).joinedload(Lot.product),
        )
        .where(*_dated(Collection, Collection.collected_at, household, period))
        .order_by(Collection.collected_at.desc(), Collection.id.desc())
    ).all()
    payments = db.session.execute(
        select(Payment, Cooperative.name)
        .join(Cooperative, Cooperative.id == Payment.cooperative_id)
        .where(*_dated(Payment, Payment.paid_at, household, period))
        .order_by(Payment.paid_at.desc(), Payment.id.desc())
    ).all()
    history = db.session.scalars(
        select(OfficialStatusChange)
        .options(joinedload(OfficialStatusChange.recorded_by))
        .where(OfficialStatusChange.household_id == household.id)
        .order_by(
            OfficialStatusChange.effective_on.desc(),
            OfficialStatusChange.recorded_at.desc(),
            OfficialStatusChange.id.desc(),
        )
    ).all()
    return HouseholdImpact(
        household=household,
        period=period,
        standard=standard,
        projection=projection_of(actor, household, period, standard),
        memberships=list(memberships),
        deliveries=list(deliveries),
        payments=[(payment, name) for payment, name in payments],
        sales=_sales(household, period),
        history=list(history),
    )
