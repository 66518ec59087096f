"""Member households, memberships, policy support and official status history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .enums import CollectionStatus, OfficialStatus, SupportProgramme, str_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .cooperatives import Cooperative
    from .reference import Commune, EthnicGroup, Product


class Household(db.Model):
    """A member household: sensitive personal data, visible only within scope."""

    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint("members >= 1", name="members_min"),
        CheckConstraint("deprivations >= 0 AND deprivations <= 12", name="deprivations_range"),
        CheckConstraint("baseline_income_vnd >= 0", name="baseline_nonneg"),
        Index("ix_households_commune_status", "commune_code", "official_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str] = mapped_column(String(120))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    members: Mapped[int]
    # None = not yet known: the household needs review and stays out of projections
    ethnic_group_code: Mapped[str | None] = mapped_column(
        ForeignKey("ethnic_groups.code"), index=True
    )
    official_status: Mapped[OfficialStatus | None] = mapped_column(
        str_enum(OfficialStatus, "official_status")
    )
    official_status_on: Mapped[date | None] = mapped_column(Date)
    deprivations: Mapped[int] = mapped_column(default=0)
    baseline_income_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    meritorious: Mapped[bool] = mapped_column(default=False)
    needs_review: Mapped[bool] = mapped_column(default=False, index=True)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    commune: Mapped[Commune] = relationship()
    ethnic_group: Mapped[EthnicGroup | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="household")
    supports: Mapped[list[Support]] = relationship(back_populates="household")

    @property
    def ethnicity(self) -> str | None:
        """The ethnic group's Vietnamese name; None while it is not yet known."""
        return self.ethnic_group.name_vi if self.ethnic_group else None

    def __repr__(self) -> str:
        return f"<Household {self.code}>"


class Membership(db.Model):
    """A household's membership of a cooperative (a household may belong to several)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("household_id", "cooperative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    household: Mapped[Household] = relationship(back_populates="memberships")
    cooperative: Mapped[Cooperative] = relationship()

    def __repr__(self) -> str:
        return f"<Membership h={self.household_id} c={self.cooperative_id}>"


class Support(db.Model):
    """Policy support a household received: a policy loan, crop variety, training, ...

    Corrected or voided with a reason like a collection (the history is in record_changes);
    a void support is kept but counts nowhere.
    """

    __tablename__ = "supports"
    __table_args__ = (
        CheckConstraint("amount_vnd >= 0", name="amount_nonneg"),
        CheckConstraint(
            "term_months IS NULL OR (term_months >= 1 AND term_months <= 600)",
            name="term_months_range",
        ),
        # a term is a loan's: other programmes have none (loans recorded before terms were
        # kept may lack one, so the database does not require it)
        CheckConstraint(
            "term_months IS NULL OR programme = 'policy_loan'", name="term_months_loans_only"
        ),
        Index("ix_supports_programme_household", "programme", "household_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    programme: Mapped[SupportProgramme] = mapped_column(
        str_enum(SupportProgramme, "support_programme")
    )
    amount_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    received_on: Mapped[date] = mapped_column(Date)
    purpose_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    term_months: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the same three states as a collection: recorded, corrected, void
    status: Mapped[CollectionStatus] = mapped_column(
        str_enum(CollectionStatus, "support_status"),
        default=CollectionStatus.RECORDED,
        server_default=CollectionStatus.RECORDED.value,
    )

    household: Mapped[Household] = relationship(back_populates="supports")
    purpose_product: Mapped[Product | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def is_void(self) -> bool:
        return self.status == CollectionStatus.VOID

    def __repr__(self) -> str:
        return f"<Support {self.programme} h={self.household_id}>"


class OfficialStatusChange(db.Model):
    """One official re-classification of a household (the history is kept)."""

    __tablename__ = "official_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    previous_status: Mapped[OfficialStatus | None] = mapped_column(
        str_enum(OfficialStatus, "previous_status")
    )
    status: Mapped[OfficialStatus] = mapped_column(str_enum(OfficialStatus, "new_status"))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OfficialStatusChange h={self.household_id} {self.status}>"
