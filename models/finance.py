"""Money that reached households: payments and income attributions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .enums import PaymentKind, str_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .households import Household
    from .valuechain import Collection


class Payment(db.Model):
    """Money paid by a cooperative to a household: farmgate, surplus share or other."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_vnd >= 0", name="amount_nonneg"),
        CheckConstraint(
            "(kind = 'farmgate') = (collection_id IS NOT NULL)", name="farmgate_has_collection"
        ),
        # covering indexes of the impact figures: a household's payments in a period, and
        # all payments of a period by household, read from the index alone; void payments
        # count nowhere, so they are left out of both
        Index(
            "ix_payments_household_paid",
            "household_id",
            "paid_at",
            "amount_vnd",
            postgresql_where=text("voided_at IS NULL"),
            sqlite_where=text("voided_at IS NULL"),
        ),
        Index(
            "ix_payments_paid_household",
            "paid_at",
            "household_id",
            "amount_vnd",
            "collection_id",
            postgresql_where=text("voided_at IS NULL"),
            sqlite_where=text("voided_at IS NULL"),
        ),
        Index("ix_payments_cooperative_paid", "cooperative_id", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    kind: Mapped[PaymentKind] = mapped_column(str_enum(PaymentKind, "payment_kind"))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id"), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when the payment is voided (the reason is in its RecordChange history)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    household: Mapped[Household] = relationship()
    collection: Mapped[Collection | None] = relationship()

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def status(self) -> str:
        return "void" if self.voided_at is not None else "recorded"

    def __repr__(self) -> str:
        return f"<Payment {self.kind} {self.amount_vnd} h={self.household_id}>"


class IncomeAttribution(db.Model):
    """The share of a paid order line's revenue that reached one collection (a household)."""

    __tablename__ = "income_attributions"
    __table_args__ = (
        CheckConstraint("amount_vnd >= 0", name="amount_nonneg"),
        Index("ix_income_attributions_household_paid", "household_id", "paid_at", "amount_vnd"),
        Index(
            "ix_income_attributions_paid_household",
            "paid_at",
            "household_id",
            "amount_vnd",
            "collection_id",
        ),
        Index("ix_income_attributions_cooperative_paid", "cooperative_id", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship()

    def __repr__(self) -> str:
        return f"<IncomeAttribution {self.amount_vnd} h={self.household_id}>"
