"""Cooperatives and their certifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .enums import CertificationKind, CooperativeStatus, str_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .reference import Commune, Product


class Cooperative(db.Model):
    """An agricultural cooperative (hợp tác xã) that sells its members' produce."""

    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[CooperativeStatus] = mapped_column(
        str_enum(CooperativeStatus, "cooperative_status"),
        default=CooperativeStatus.PENDING,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    commune: Mapped[Commune] = relationship()
    managers: Mapped[list[User]] = relationship(
        secondary="manager_cooperatives", back_populates="cooperatives"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="cooperative", order_by="Certification.valid_from"
    )

    def __repr__(self) -> str:
        return f"<Cooperative {self.id} {self.name}>"


class Certification(db.Model):
    """A certificate held by a cooperative, optionally for one product (e.g. GACP-WHO)."""

    __tablename__ = "certifications"
    __table_args__ = (CheckConstraint("valid_to >= valid_from", name="valid_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(
        ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CertificationKind] = mapped_column(
        str_enum(CertificationKind, "certification_kind")
    )
    number: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str | None] = mapped_column(String(200))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)

    cooperative: Mapped[Cooperative] = relationship(back_populates="certifications")
    product: Mapped[Product | None] = relationship()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def __repr__(self) -> str:
        return f"<Certification {self.kind} {self.number}>"
