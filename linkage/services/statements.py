"""A household's printable statement: what it delivered to a cooperative and was paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.services.errors import NotFound
from models import (
    AuditAction,
    Collection,
    Cooperative,
    Household,
    Lot,
    Payment,
    PaymentKind,
    Product,
    RecordChange,
    User,
)

from . import audit
from .counted import counted
from .periods import Period
from .scope import manages
from .valuechain import member_household
from .valuechain.history import changes_of


@dataclass(frozen=True)
class ProductTotal:
    product: Product
    quantity: Decimal
    amount_vnd: int


@dataclass(frozen=True)
class Statement:
    """Deliveries, farmgate payments, other payments and the total, for one period."""

    cooperative: Cooperative
    household: Household
    period: Period
    deliveries: list[Collection]
    farmgate_total_vnd: int
    other_payments: list[Payment]

    changes: dict[tuple[str, int], list[RecordChange]] = field(default_factory=dict)

    def history(self, record: Collection | Payment) -> list[RecordChange]:
        """The corrections and voids of a delivery or payment of the statement, oldest first."""
        kind = "collection" if isinstance(record, Collection) else "payment"
        return self.changes.get((kind, record.id), [])

    @property
    def other_total_vnd(self) -> int:
        return sum(p.amount_vnd for p in self.other_payments if not p.is_void)

    @property
    def grand_total_vnd(self) -> int:
        return self.farmgate_total_vnd + self.other_total_vnd

    @property
    def by_product(self) -> list[ProductTotal]:
        """Delivered quantity and value per product, in the order first delivered."""
        totals: dict[int, ProductTotal] = {}
        for c in self.deliveries:
            if c.is_void:
                continue
            product = c.lot.product
            seen = totals.get(product.id)
            totals[product.id] = ProductTotal(
                product,
                (seen.quantity if seen else Decimal("0")) + c.quantity,
                (seen.amount_vnd if seen else 0) + c.amount_vnd,
            )
        return list(totals.values())


def household_statement(
    actor: User, cooperative: Cooperative, household: Household | int, period: Period
) -> Statement:
    """The statement of a member household for a period (5 queries); the read is audited."""
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))
    household_id = household if isinstance(household, int) else household.id
    # a household that has left still gets the statement of what it delivered
    household = member_household(cooperative.id, household_id, current_only=False)
    deliveries = db.session.scalars(
        select(Collection)
        .join(Lot, Lot.id == Collection.lot_id)
        .where(
            Collection.household_id == household.id,
            Lot.cooperative_id == cooperative.id,
            Collection.collected_at >= period.starts_at,
            Collection.collected_at < period.ends_before,
        )
        .options(joinedload(Collection.lot).joinedload(Lot.product))
        .order_by(Collection.collected_at, Collection.id)
    ).all()
    payments = (
        Payment.cooperative_id == cooperative.id,
        Payment.household_id == household.id,
        Payment.paid_at >= period.starts_at,
        Payment.paid_at < period.ends_before,
    )
    farmgate = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_vnd), 0)).where(
            *payments, *counted(Payment), Payment.kind == PaymentKind.FARMGATE
        )
    )
    others = db.session.scalars(
        select(Payment)
        .where(*payments, Payment.kind != PaymentKind.FARMGATE)
        .order_by(Payment.paid_at, Payment.id)
    ).all()
    changes = changes_of(
        [("collection", c.id) for c in deliveries] + [("payment", p.id) for p in others]
    )
    audit.record(
        actor,
        AuditAction.READ,
        "household",
        household.id,
        new={"view": "statement", "cooperative_id": cooperative.id, "period": str(period)},
    )
    return Statement(
        cooperative=cooperative,
        household=household,
        period=period,
        deliveries=list(deliveries),
        farmgate_total_vnd=int(farmgate or 0),
        other_payments=list(others),
        changes=changes,
    )
