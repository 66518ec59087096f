"""The outbox of the kept projections (`models.ImpactOutbox`): which households changed, written
in the transaction that changes them, for `linkage.services.impact.kept` to recompute.

Rows are only ever added here (never merged with a row already waiting): the worker deletes
the rows it read, so a change committed while it works keeps its own row and is recomputed
on its next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from linkage.extensions import db
from models import Commune, Household, ImpactOutbox, Listing, PovertyStandard, Product
from models.types import utcnow

EVERY_HOUSEHOLD = None  # the row that stands for every household


def changed(household_ids: Iterable[int | None]) -> None:
    """Households whose projections may have changed (None: every household)."""
    found = rows(household_ids)
    if found:
        db.session.execute(insert(ImpactOutbox), found)


def rows(household_ids: Iterable[int | None]) -> list[dict[str, Any]]:
    """One outbox row per household named (every household first), in id order."""
    ids = set(household_ids)
    named = sorted(household_id for household_id in ids if household_id is not None)
    everyone = [EVERY_HOUSEHOLD] if EVERY_HOUSEHOLD in ids else []
    now = utcnow()  # (the aggregates' multi-row VALUES take no column default)
    return [{"household_id": household_id, "created_at": now} for household_id in everyone + named]


@event.listens_for(Session, "after_flush")
def _households_changed(session: Session, _flush: UOWTransaction) -> None:
    """Any household added or changed through the ORM (its commune, members, status,
    income or any other column a projection shows) goes into the outbox with the flush, and
    every household with any change of a commune or a poverty standard (every household's
    line may change), of a product (its code or category names the rows by product) or of
    the product of a listing (its sales are attributed under that product)."""
    ids: list[Any] = []
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Household) and (
            instance in session.new or session.is_modified(instance, include_collections=False)
        ):
            ids.append(instance.id)
        elif _changes_every_household(session, instance):
            ids.append(EVERY_HOUSEHOLD)
    found = rows(ids)
    if found:  # the session's connection: no flush may begin inside a flush
        session.connection().execute(insert(ImpactOutbox), found)


def _changes_every_household(session: Session, instance: object) -> bool:
    if isinstance(instance, Commune | PovertyStandard | Product):
        return (
            instance in session.deleted
            or instance in session.new
            or session.is_modified(instance, include_collections=False)
        )
    if isinstance(instance, Listing) and instance not in session.new:
        return inspect(instance).attrs.product_id.history.has_changes()
    return False
