"""The audit entries of records (created, changed, read, exported), without those of logins,
tokens and refused access that the fixtures and requests of a test write besides."""

from __future__ import annotations

from sqlalchemy import Select, select

from linkage.services.audit import ACCESS_ACTIONS
from models import AuditEntry

# For `count(RECORD_ENTRIES)` where a test counts rows of a model.
RECORD_ENTRIES = (
    select(AuditEntry).where(AuditEntry.action.not_in(ACCESS_ACTIONS)).subquery("record_entries")
)


def record_entries() -> Select[tuple[AuditEntry]]:
    """The entries about records, oldest first."""
    return (
        select(AuditEntry).where(AuditEntry.action.not_in(ACCESS_ACTIONS)).order_by(AuditEntry.id)
    )
