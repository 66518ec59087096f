"""Which records count in figures: a void collection, payment or support is kept, with its
history, but counts in no total, attribution, projection, trace or report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from models import Collection, CollectionStatus, Payment, Support


def counted(model: Any) -> tuple[ColumnElement[bool], ...]:
    """The conditions that leave void rows of `model` out (none for models without voids)."""
    if model is Payment:
        return (Payment.voided_at.is_(None),)
    if model is Collection:
        return (Collection.status != CollectionStatus.VOID,)
    if model is Support:
        return (Support.status != CollectionStatus.VOID,)
    return ()
