"""Which records count in figures: a void collection or payment is kept, with its history,
but counts in no total, attribution, projection or trace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from models import Collection, CollectionStatus, Payment


def counted(model: Any) -> tuple[ColumnElement[bool], ...]:
    """The conditions that leave void rows of `model` out (none for models without voids)."""
    if model is Payment:
        return (Payment.voided_at.is_(None),)
    if model is Collection:
        return (Collection.status != CollectionStatus.VOID,)
    return ()
