"""The history of corrections and voids of records typed at a collection point."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.extensions import db

from .enums import ChangeAction, str_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .accounts import User


class RecordChange(db.Model):
    """One correction or void of a collection, payment or support: old and new values, who,
    when, why.

    The record itself holds its current values; these rows are never updated or deleted.
    """

    __tablename__ = "record_changes"
    __table_args__ = (
        CheckConstraint(
            "record_type IN ('collection', 'payment', 'support')", name="record_type_known"
        ),
        Index("ix_record_changes_record", "record_type", "record_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    action: Mapped[ChangeAction] = mapped_column(str_enum(ChangeAction, "change_action"))
    reason: Mapped[str] = mapped_column(Text)
    old_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RecordChange {self.action} {self.record_type}:{self.record_id}>"
