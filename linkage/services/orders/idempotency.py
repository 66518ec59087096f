"""Idempotency keys: the same key and request return the first answer; a different request
with a reused key is refused. Keys live in the database, so every app worker sees them.

The one service that commits (and rolls back), which `tests/test_architecture.py` allows by
name: the stored answer is only worth anything once it is committed in the same transaction
as what the action wrote, and a request that loses the race for the key must roll back its
failed insert before it can read the winner's answer. Committing is part of the rule, so it
lives here rather than in each view that places an order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from linkage.extensions import db
from models import IdempotencyKey, User, utcnow

from ..errors import Invalid

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(method: str, path: str, payload: Any) -> str:
    """A hash of what the request asks for (method, path and the parsed body)."""
    canonical = json.dumps(
        [method.upper(), path, payload], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid(
            _("The Idempotency-Key header must be 1 to 255 printable characters."),
            field="Idempotency-Key",
        )
    return key


def _stored(user: User, key: str, request_hash: str) -> StoredAnswer | None:
    row = db.session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    ).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Invalid(
            _("This Idempotency-Key was already used with a different request."),
            field="Idempotency-Key",
        )
    return StoredAnswer(
        status=row.response_status or 200, body=row.response_body or {}, replayed=True
    )


def run_once(
    user: User,
    key: str | None,
    request_hash: str,
    action: Callable[[], tuple[int, dict[str, Any]]],
) -> StoredAnswer:
    """Run `action` (which flushes, never commits) once per (user, key) and commit.

    The key row is inserted before the action, so a concurrent request with the same key
    waits on the unique index and then finds the stored answer instead of acting twice.
    """
    if key is None:
        status, body = action()
        db.session.commit()
        return StoredAnswer(status=status, body=body, replayed=False)
    key = _check_key(key)
    if (answer := _stored(user, key, request_hash)) is not None:
        return answer
    row = IdempotencyKey(user_id=user.id, key=key, request_hash=request_hash)
    try:
        db.session.add(row)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        answer = _stored(user, key, request_hash)
        if answer is None:  # pragma: no cover - the row must exist after the conflict
            raise
        return answer
    status, body = action()
    row.response_status = status
    row.response_body = body
    db.session.commit()
    return StoredAnswer(status=status, body=body, replayed=False)


def purge_keys(older_than: timedelta) -> int:
    """Delete stored keys older than `older_than`; returns how many were deleted."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - older_than)
    )
    return result.rowcount or 0
