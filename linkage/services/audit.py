"""Writing the append-only audit log, and reading it back for the admin.

The caller's network address is set once per request by the web layer (`remote_addr`, see
`linkage.register_request_context`) and read only here; outside a request it is None.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from models import AuditAction, AuditEntry, User

# Entries about who came in and who was turned away, rather than about a record's changes.
ACCESS_ACTIONS = frozenset(
    {
        AuditAction.LOGIN,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGOUT,
        AuditAction.TOKEN_ISSUE,
        AuditAction.TOKEN_REVOKE,
        AuditAction.DENIED,
        AuditAction.NOT_FOUND,
    }
)

# The address of the request being served (Flask's `request.remote_addr`), None outside one.
remote_addr: ContextVar[str | None] = ContextVar("remote_addr", default=None)


def current_address() -> str | None:
    """The network address to write in audit entries of the current request."""
    return remote_addr.get()


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a record, JSON-safe, for old and new values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: User | None,
    action: AuditAction,
    entity_type: str,
    entity_id: Any = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one audit entry (who, what, when, old and new values)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        old_values={k: _plain(v) for k, v in old.items()} if old else None,
        new_values={k: _plain(v) for k, v in new.items()} if new else None,
        reason=reason,
        remote_addr=current_address(),
    )
    db.session.add(entry)
    return entry


def record_imported(
    actor: User,
    entity_type: str,
    created: list[tuple[Any, dict[str, Any]]],
    occurred_at: datetime,
    *,
    chunk: int = 500,
) -> None:
    """Audit the creation of many records of one import: (id, JSON-safe values) each, written
    by plain multi-row INSERTs of `chunk` rows (an ORM object per entry is slow at 10,000)."""
    address = current_address()
    entries = [
        {
            "occurred_at": occurred_at,
            "actor_id": actor.id,
            "action": AuditAction.CREATE,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "new_values": values,
            "remote_addr": address,
        }
        for entity_id, values in created
    ]
    for start in range(0, len(entries), chunk):
        db.session.execute(insert(AuditEntry.__table__), entries[start : start + chunk])


def record_created(actor: User | None, entity_type: str, obj: Any, fields: tuple[str, ...]) -> None:
    """Flush a new record (it gets its id) and audit its creation with the named fields."""
    db.session.flush()
    record(actor, AuditAction.CREATE, entity_type, obj.id, new=snapshot(obj, fields))


def record_update(
    actor: User | None,
    entity_type: str,
    entity_id: Any,
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    reason: str | None = None,
) -> AuditEntry | None:
    """Audit an edit from two snapshots: old and new values of the fields that changed only;
    nothing (None) when none did."""
    changed = [name for name in new if new[name] != old.get(name)]
    if not changed:
        return None
    return record(
        actor,
        AuditAction.UPDATE,
        entity_type,
        entity_id,
        old={name: old.get(name) for name in changed},
        new={name: new[name] for name in changed},
        reason=reason,
    )


def entries_query(
    *,
    action: AuditAction | None = None,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    address: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Select[tuple[AuditEntry]]:
    """Audit entries, newest first, filtered: `actor` is part of the actor's email, `since`
    and `before` bound the time (aware datetimes; `before` excluded)."""
    statement = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    )
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    if actor:
        statement = statement.where(
            AuditEntry.actor_id.in_(
                select(User.id).where(User.email.contains(actor.strip().lower(), autoescape=True))
            )
        )
    if entity_type:
        statement = statement.where(AuditEntry.entity_type == entity_type.strip())
    if entity_id:
        statement = statement.where(AuditEntry.entity_id == entity_id.strip())
    if address:
        statement = statement.where(AuditEntry.remote_addr == address.strip())
    if since is not None:
        statement = statement.where(AuditEntry.occurred_at >= since)
    if before is not None:
        statement = statement.where(AuditEntry.occurred_at < before)
    return statement
