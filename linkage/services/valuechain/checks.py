"""The checks of what a manager records in the value chain, each said once: moments,
quantities, prices and amounts, notes, products, and the member household named.

Lots, deliveries, processing steps, payments and their corrections all go through these, so
a value refused in one form is refused in every other and in the API (422, or 404 for a
household outside the cooperative).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from linkage.extensions import db
from models import Household, Membership, Product, amount_vnd, utcnow
from models.types import MAX_ID

from ..errors import Conflict, Invalid, NotFound, UnknownReference

MAX_INPUTS = 20
MAX_QUANTITY = Decimal("1000000000")  # one delivery or output: a million tonnes is a typo
MAX_UNIT_PRICE_VND = 1_000_000_000
MAX_AMOUNT_VND = 10**15
MAX_NOTE = 2000
FUTURE_TOLERANCE = timedelta(days=1)  # a phone's clock or time zone may be a little off
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def check_moment(value: datetime, field: str) -> datetime:
    """An aware timestamp of 2000 or later (by its own calendar, as the API's pattern
    `^20[0-9]{2}-` says; else 422) and not more than a day in the future (a rule about the
    present, which no document can express: 409)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(_("Give the date and time with a time zone."), field=field)
    if value.year < EARLIEST.year:
        raise Invalid(_("This date is too far in the past."), field=field)
    if value > utcnow() + FUTURE_TOLERANCE:
        raise Conflict(_("This date is in the future."), field=field)
    return value.astimezone(UTC)


def positive_quantity(value: Any, field: str) -> Decimal:
    """A quantity above zero with at most 3 decimals (else 422)."""
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(_("Enter a number."), field=field) from None
    if not quantity.is_finite() or quantity != quantity.quantize(Decimal("0.001")):
        raise Invalid(_("Enter a number with at most 3 decimals."), field=field)
    if quantity <= 0:
        raise Invalid(_("Enter a quantity greater than zero."), field=field)
    if quantity > MAX_QUANTITY:
        raise Invalid(_("This quantity is too large."), field=field)
    return quantity.quantize(Decimal("0.001"))


def unit_price(value: Any) -> int:
    """A farmgate price per unit: whole đồng, from 0 to a billion (else 422)."""
    if not isinstance(value, int) or not 0 <= value <= MAX_UNIT_PRICE_VND:
        raise Invalid(_("Enter a unit price in đồng."), field="unit_price_vnd")
    return value


def delivery_amount(quantity: Decimal, unit_price_vnd: int) -> int:
    """What a delivery is worth (quantity x price, to the đồng); 422 when it is too large."""
    amount = amount_vnd(quantity, unit_price_vnd)
    if amount > MAX_AMOUNT_VND:
        raise Invalid(_("The amount is too large."), field="quantity")
    return amount


def note(text: str | None, limit: int = MAX_NOTE) -> str:
    """A note stripped, at most `limit` characters (else 422)."""
    cleaned = (text or "").strip()
    if len(cleaned) > limit:
        raise Invalid(_("The note is too long."), field="note")
    return cleaned


def product(code: Any, field: str) -> Product:
    """The product with this code (else 422 on `field`)."""
    found = None
    if isinstance(code, str) and 0 < len(code.strip()) <= 40:
        found = db.session.scalars(select(Product).where(Product.code == code.strip())).first()
    if found is None:
        raise UnknownReference(_("Unknown product."), field=field)
    return found


def member_household(
    cooperative_id: int,
    household_id: int,
    field: str = "household_id",
    *,
    current_only: bool = True,
) -> Household:
    """A (current) member household of the cooperative; 404 for any other (reveals nothing)."""
    household = None
    if isinstance(household_id, int) and 1 <= household_id <= MAX_ID:
        statement = (
            select(Household)
            .join(Membership, Membership.household_id == Household.id)
            .where(Household.id == household_id, Membership.cooperative_id == cooperative_id)
        )
        if current_only:
            statement = statement.where(Membership.left_on.is_(None))
        household = db.session.scalars(statement).first()
    if household is None:
        raise NotFound(_("Household not found."), field=field)
    return household
