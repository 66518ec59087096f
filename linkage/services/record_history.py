"""The corrections and voids kept for collections and payments, read for pages and the API."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from models import Household, RecordChange


def changes_of(records: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[RecordChange]]:
    """The corrections and voids of the given (record type, id) pairs, oldest first (1 query)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for record_type, record_id in records:
        by_type[record_type].add(record_id)
    found: dict[tuple[str, int], list[RecordChange]] = defaultdict(list)
    if not by_type:
        return {}
    for change in db.session.scalars(
        select(RecordChange)
        .options(joinedload(RecordChange.changed_by))
        .where(
            or_(
                *(
                    and_(RecordChange.record_type == kind, RecordChange.record_id.in_(ids))
                    for kind, ids in by_type.items()
                )
            )
        )
        .order_by(RecordChange.changed_at, RecordChange.id)
    ):
        found[(change.record_type, change.record_id)].append(change)
    _load_households(change for changes in found.values() for change in changes)
    return dict(found)


def _load_households(changes: Iterable[RecordChange]) -> None:
    """The households a correction moved a delivery between, in one query, so that showing
    the history reads them from the session instead of one query per row."""
    ids = {
        int(values["household_id"])
        for change in changes
        for values in (change.old_values, change.new_values)
        if values.get("household_id") is not None
    }
    if ids:
        db.session.scalars(select(Household).where(Household.id.in_(ids))).all()


def history(record_type: str, record_id: int) -> list[RecordChange]:
    """One record's corrections and voids, oldest first."""
    return changes_of([(record_type, record_id)]).get((record_type, record_id), [])


@dataclass(frozen=True)
class WithHistory:
    """A collection or payment with its corrections and voids, for the API's answers."""

    record: Any
    history: list[RecordChange]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)


def with_history(record_type: str, record: Any) -> WithHistory:
    """The record and its history (one query)."""
    return WithHistory(record, history(record_type, record.id))
