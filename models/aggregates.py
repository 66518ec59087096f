"""Write-time aggregates: additive money kept beside the records it comes from.

Each table holds running sums under keys that never change (household, Vietnam month as
YYYYMM, cooperative, payment kind, product), so that the impact figures of a period read a few
rows per household instead of every payment and attribution. Household attributes (commune,
status, members) and the projection are never stored here: they are joined at read time.
`linkage.services.aggregates` keeps them in the same transaction as the records, and rebuilds
and verifies them.

The sums have no CHECK (>= 0): an upsert proposes the delta itself as the row to insert, and
SQLite and PostgreSQL check a proposed row before they find the conflict, so taking a payment
out would fail. `flask aggregates verify` finds any sum that is wrong, negative or not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linkage.extensions import db

from .enums import PaymentKind, str_enum
from .types import UTCDateTime, utcnow

MONTH_RANGE = "month BETWEEN 190001 AND 299912 AND month % 100 BETWEEN 1 AND 12"


class HouseholdMonthIncome(db.Model):
    """Counted payments (not void) to a household in a Vietnam month, by cooperative and kind."""

    __tablename__ = "household_month_income"
    __table_args__ = (
        CheckConstraint(MONTH_RANGE, name="month_valid"),
        # a period's rows of every household, read from the index alone
        Index("ix_household_month_income_month", "month", "household_id", "amount_vnd"),
    )

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)  # YYYYMM, Vietnam time
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    kind: Mapped[PaymentKind] = mapped_column(
        str_enum(PaymentKind, "payment_kind"), primary_key=True
    )
    amount_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    payments: Mapped[int] = mapped_column(Integer, default=0)  # how many payments are summed

    def __repr__(self) -> str:
        return (
            f"<HouseholdMonthIncome h={self.household_id} {self.month} c={self.cooperative_id} "
            f"{self.kind} {self.amount_vnd}>"
        )


class HouseholdMonthProduct(db.Model):
    """A household's income in a Vietnam month from one product (the product of the lot its
    delivery went into), by cooperative: the farmgate payments for its deliveries and the
    sales attributed to them."""

    __tablename__ = "household_month_products"
    __table_args__ = (
        CheckConstraint(MONTH_RANGE, name="month_valid"),
        Index(
            "ix_household_month_products_month",
            "month",
            "household_id",
            "product_id",
            "attributed_vnd",
        ),
    )

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    farmgate_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    farmgate_payments: Mapped[int] = mapped_column(Integer, default=0)
    attributed_vnd: Mapped[int] = mapped_column(BigInteger, default=0)

    def __repr__(self) -> str:
        return (
            f"<HouseholdMonthProduct h={self.household_id} {self.month} p={self.product_id} "
            f"{self.farmgate_vnd}/{self.attributed_vnd}>"
        )


class CooperativeMonthSales(db.Model):
    """The value of a cooperative's paid orders in a Vietnam month (of payment), by the
    product of the listing sold."""

    __tablename__ = "cooperative_month_sales"
    __table_args__ = (
        CheckConstraint(MONTH_RANGE, name="month_valid"),
        Index("ix_cooperative_month_sales_month", "month", "cooperative_id", "sales_vnd"),
    )

    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    sales_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)  # how many order lines are summed

    def __repr__(self) -> str:
        return (
            f"<CooperativeMonthSales c={self.cooperative_id} {self.month} p={self.product_id} "
            f"{self.sales_vnd}>"
        )


class KeptPeriod(db.Model):
    """A period whose projection of every household is kept (`KeptProjection`): the periods
    the dashboard opens with, so that a province's figures read stored rows instead of
    computing 200,000 projections per request. `standard_id`: the poverty standard the rows
    were computed with (rows of another standard are never read)."""

    __tablename__ = "kept_periods"
    __table_args__ = (
        UniqueConstraint("first_month", "last_month"),
        CheckConstraint("first_month <= last_month", name="months_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_month: Mapped[int] = mapped_column(Integer)  # YYYYMM
    last_month: Mapped[int] = mapped_column(Integer)
    standard_id: Mapped[int] = mapped_column(ForeignKey("poverty_standards.id"))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<KeptPeriod {self.first_month}-{self.last_month} s={self.standard_id}>"


class KeptProjection(db.Model):
    """One household's projection in a kept period, as `projection_query` computes it.

    Kept by `linkage.services.impact.kept` from the outbox (`ImpactOutbox`): a household
    with a row in the outbox is read live instead, so a stored row is read only while it
    equals what the query would compute."""

    __tablename__ = "kept_projections"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("kept_periods.id", ondelete="CASCADE"), primary_key=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    commune_code: Mapped[str] = mapped_column(String(5))
    ethnic_group_code: Mapped[str | None] = mapped_column(String(2))
    members: Mapped[int] = mapped_column(Integer)
    official_status: Mapped[str | None] = mapped_column(String(20))
    deprivations: Mapped[int | None] = mapped_column(Integer)
    baseline_income_vnd: Mapped[int] = mapped_column(BigInteger)
    meritorious: Mapped[bool] = mapped_column(Boolean)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    platform_income_vnd: Mapped[int] = mapped_column(BigInteger)
    attributed_sales_vnd: Mapped[int] = mapped_column(BigInteger)
    projected_income_vnd: Mapped[int] = mapped_column(BigInteger)
    poverty_line_vnd: Mapped[int] = mapped_column(BigInteger)
    projected_status: Mapped[str | None] = mapped_column(String(20))
    transition: Mapped[str | None] = mapped_column(String(20))


class KeptProductRow(db.Model):
    """One household's income in a kept period by the product (or product category) it was
    sold as: its attributed sales by the product of the order line, and its payments split
    over the products their deliveries were sold as (`not_yet_sold`, `other_payments`: the
    rest), as the summary by product computes them; and (`grouping` "month", `pkey` YYYYMM)
    its platform income and attributed sales by month. Kept with `KeptProjection`."""

    __tablename__ = "kept_product_rows"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("kept_periods.id", ondelete="CASCADE"), primary_key=True
    )
    grouping: Mapped[str] = mapped_column(String(20), primary_key=True)  # product, category, month
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    pkey: Mapped[str] = mapped_column(String(40), primary_key=True)
    paid_vnd: Mapped[int] = mapped_column(BigInteger)
    attributed_vnd: Mapped[int] = mapped_column(BigInteger)


class KeptCell(db.Model):
    """The kept rows of a period summed by what the summaries group and filter on: commune,
    ethnic group, official status, transition (and for `product` and `product_category`, the
    product key as sold), so that a province's summaries read a few thousand cells instead of
    200,000 rows. A value not known is '' (keys are never null). Kept by the worker with the
    rows they sum, in the same transaction; readers subtract the outbox's households as kept
    and add them as computed now (`linkage.services.impact.cells`)."""

    __tablename__ = "kept_cells"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("kept_periods.id", ondelete="CASCADE"), primary_key=True
    )
    grouping: Mapped[str] = mapped_column(String(20), primary_key=True)  # household, product...
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    ethnic_group_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    official_status: Mapped[str] = mapped_column(String(20), primary_key=True)
    transition: Mapped[str] = mapped_column(String(20), primary_key=True)
    pkey: Mapped[str] = mapped_column(String(40), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    platform_vnd: Mapped[int] = mapped_column(BigInteger)
    attributed_vnd: Mapped[int] = mapped_column(BigInteger)


class ImpactOutbox(db.Model):
    """Households whose kept projections may be out of date: written in the same transaction
    as the change (the aggregates of their payments and attributed sales, or the household
    itself); a row without a household means every household (the records were rebuilt, or
    a commune's area changed). Rows are deleted when their households are recomputed."""

    __tablename__ = "impact_outbox"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    household_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
