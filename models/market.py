"""Listings, orders and their lines, order history and in-app notices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .dialects import postgresql_only
from .enums import ListingStatus, OrderStatus, str_enum
from .types import Quantity, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .cooperatives import Certification, Cooperative
    from .reference import Product
    from .valuechain import LotAllocation

listing_certifications = Table(
    "listing_certifications",
    db.metadata,
    Column("listing_id", ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "certification_id", ForeignKey("certifications.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Listing(db.Model):
    """A cooperative's offer of a product to buyers."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("unit_price_vnd >= 0", name="price_nonneg"),
        CheckConstraint("quantity_available >= 0", name="stock_nonneg"),
        CheckConstraint("min_order_quantity > 0", name="min_order_pos"),
        CheckConstraint(
            "harvest_end IS NULL OR harvest_start IS NULL OR harvest_end >= harvest_start",
            name="harvest_range",
        ),
        Index("ix_listings_status_product", "status", "product_id"),
        Index("ix_listings_status_price", "status", "unit_price_vnd"),
        # the catalog's word search: LIKE '% word%' on search_text (migration 0006)
        postgresql_only(
            Index(
                "ix_listings_search_text_trgm",
                "search_text",
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    grade: Mapped[str | None] = mapped_column(String(40))
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    quantity_available: Mapped[Decimal] = mapped_column(Quantity)
    min_order_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("1"))
    harvest_start: Mapped[date | None] = mapped_column(Date)
    harvest_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ListingStatus] = mapped_column(
        str_enum(ListingStatus, "listing_status"), default=ListingStatus.DRAFT
    )
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    product: Mapped[Product] = relationship()
    certifications: Mapped[list[Certification]] = relationship(secondary=listing_certifications)

    @property
    def below_minimum(self) -> bool:
        """Some stock is left but less than one minimum order: buyers cannot order it."""
        return 0 < self.quantity_available < self.min_order_quantity

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.title}>"


# the trigram index's operator class comes with the extension (create_all, as the migration)
event.listen(
    Listing.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Order(db.Model):
    """A buyer's order to one cooperative."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_vnd >= 0", name="total_nonneg"),
        Index("ix_orders_cooperative_status", "cooperative_id", "status"),
        Index("ix_orders_buyer_status", "buyer_id", "status"),
        Index("ix_orders_paid_at", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, "order_status"), default=OrderStatus.PLACED
    )
    note: Mapped[str] = mapped_column(Text, default="")
    total_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str | None] = mapped_column(String(100))

    buyer: Mapped[User] = relationship()
    cooperative: Mapped[Cooperative] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Order {self.id} {self.status}>"


class OrderLine(db.Model):
    """A line of an order: a listing, a quantity and the unit price at order time."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        CheckConstraint("unit_price_vnd >= 0 AND amount_vnd >= 0", name="money_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)

    order: Mapped[Order] = relationship(back_populates="lines")
    listing: Mapped[Listing] = relationship()
    allocations: Mapped[list[LotAllocation]] = relationship(back_populates="order_line")

    def __repr__(self) -> str:
        return f"<OrderLine {self.id} order={self.order_id}>"


class OrderEvent(db.Model):
    """One step of an order's history: who moved it to which state, when."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[OrderStatus | None] = mapped_column(
        str_enum(OrderStatus, "event_from_status")
    )
    to_status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "event_to_status"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OrderEvent order={self.order_id} {self.to_status}>"


class Notice(db.Model):
    """An in-app notice for a user (new order, order status change)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notice {self.kind} user={self.user_id}>"
