"""The value chain: lots, collections from households, transformations, shipments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .enums import CollectionStatus, LotOrigin, Process, str_enum
from .types import Quantity, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .cooperatives import Cooperative
    from .households import Household
    from .market import OrderLine
    from .reference import Product


class Lot(db.Model):
    """A pooled, homogeneous quantity of one product held by one cooperative."""

    __tablename__ = "lots"
    __table_args__ = (
        CheckConstraint("quantity_remaining >= 0", name="remaining_nonneg"),
        CheckConstraint("quantity_in >= 0", name="in_nonneg"),
        Index("ix_lots_cooperative_product", "cooperative_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    origin: Mapped[LotOrigin] = mapped_column(
        str_enum(LotOrigin, "lot_origin"), default=LotOrigin.COLLECTION
    )
    quantity_in: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    quantity_remaining: Mapped[Decimal] = mapped_column(Quantity, default=Decimal("0"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship()
    product: Mapped[Product] = relationship()

    def __repr__(self) -> str:
        return f"<Lot {self.code}>"


class Collection(db.Model):
    """A member household's delivery into a lot, paid at the farmgate price."""

    __tablename__ = "collections"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        CheckConstraint("unit_price_vnd >= 0 AND amount_vnd >= 0", name="money_nonneg"),
        CheckConstraint(
            "moisture_pct IS NULL OR (moisture_pct >= 0 AND moisture_pct <= 100)",
            name="moisture_range",
        ),
        Index("ix_collections_household_collected", "household_id", "collected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price_vnd: Mapped[int] = mapped_column(BigInteger)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    grade: Mapped[str | None] = mapped_column(String(40))
    moisture_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2, asdecimal=True))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a void collection is kept with its values (and its history) but counts nowhere
    status: Mapped[CollectionStatus] = mapped_column(
        str_enum(CollectionStatus, "collection_status"),
        default=CollectionStatus.RECORDED,
        server_default=CollectionStatus.RECORDED.value,
    )

    lot: Mapped[Lot] = relationship()
    household: Mapped[Household] = relationship()

    @property
    def is_void(self) -> bool:
        return self.status == CollectionStatus.VOID

    def __repr__(self) -> str:
        return f"<Collection {self.id} lot={self.lot_id}>"


class Transformation(db.Model):
    """A processing step: input lots with quantities taken, one output lot."""

    __tablename__ = "transformations"
    __table_args__ = (CheckConstraint("output_quantity > 0", name="output_pos"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    process: Mapped[Process] = mapped_column(str_enum(Process, "process"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    output_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), unique=True)
    output_quantity: Mapped[Decimal] = mapped_column(Quantity)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    output_lot: Mapped[Lot] = relationship()
    inputs: Mapped[list[TransformationInput]] = relationship(
        back_populates="transformation", order_by="TransformationInput.id"
    )

    def __repr__(self) -> str:
        return f"<Transformation {self.id} {self.process}>"


class TransformationInput(db.Model):
    """The quantity a transformation took from one input lot."""

    __tablename__ = "transformation_inputs"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        UniqueConstraint("transformation_id", "lot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transformation_id: Mapped[int] = mapped_column(ForeignKey("transformations.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    transformation: Mapped[Transformation] = relationship(back_populates="inputs")
    lot: Mapped[Lot] = relationship()

    def __repr__(self) -> str:
        return f"<TransformationInput t={self.transformation_id} lot={self.lot_id}>"


class LotAllocation(db.Model):
    """A quantity of a lot shipped against an order line."""

    __tablename__ = "lot_allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_pos"),
        UniqueConstraint("order_line_id", "lot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order_line: Mapped[OrderLine] = relationship(back_populates="allocations")
    lot: Mapped[Lot] = relationship()

    def __repr__(self) -> str:
        return f"<LotAllocation line={self.order_line_id} lot={self.lot_id}>"
