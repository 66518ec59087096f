"""Writing the append-only audit log.

The caller's network address is set once per request by the web layer (`remote_addr`, see
`linkage.register_request_context`) and read only here; outside a request it is None.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from linkage.extensions import db
from models import AuditAction, AuditEntry, User

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
