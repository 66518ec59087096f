"""Deliveries: a member household's produce into a collection lot, with its farmgate payment,
and what the manager needs to record one in one go (the lots open for deliveries, the
household named by a code or part of a name, the latest deliveries)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from linkage.text import fold
from models import (
    Collection,
    CollectionStatus,
    Cooperative,
    Household,
    Lot,
    LotOrigin,
    Membership,
    PaymentKind,
    User,
)

from .. import audit
from ..errors import Conflict, Invalid, NotFound
from ..scope import manages
from ..search import contains_folded
from .checks import check_moment, delivery_amount, member_household, positive_quantity, unit_price
from .lots import change_delivered
from .payments import add_payment

SHOWN_LOTS = 50
SHOWN_DELIVERIES = 5
SEPARATOR = " — "  # a household's label is "code — name": a pasted label names the code
COLLECTION_FIELDS = (
    "lot_id",
    "household_id",
    "quantity",
    "unit_price_vnd",
    "amount_vnd",
    "collected_at",
    "grade",
    "moisture_pct",
)


def _optional_grade(grade: str | None) -> str | None:
    text = (grade or "").strip()
    if len(text) > 40:
        raise Invalid(_("The grade is too long."), field="grade")
    return text or None


def _optional_moisture(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        moisture = Decimal(str(value))
    except (InvalidOperation, ValueError):
        moisture = Decimal("NaN")
    if not moisture.is_finite() or not 0 <= moisture <= 100:
        raise Invalid(_("Moisture is a percentage from 0 to 100."), field="moisture_pct")
    if moisture != moisture.quantize(Decimal("0.01")):
        raise Invalid(_("Moisture takes at most 2 decimals."), field="moisture_pct")
    return moisture


def record_collection(
    actor: User,
    lot: Lot,
    household_id: int,
    quantity: Decimal,
    unit_price_vnd: int,
    collected_at: datetime,
    grade: str | None = None,
    moisture_pct: Decimal | None = None,
) -> Collection:
    """A member household's delivery into a collection lot, with its farmgate payment."""
    if not manages(actor, lot.cooperative_id):
        raise NotFound(_("Lot not found."))
    if lot.origin != LotOrigin.COLLECTION:
        raise Conflict(
            _(
                "Lot %(code)s comes from processing; deliveries go into collection lots.",
                code=lot.code,
            )
        )
    quantity = positive_quantity(quantity, "quantity")
    unit_price_vnd = unit_price(unit_price_vnd)
    collected_at = check_moment(collected_at, "collected_at")
    grade = _optional_grade(grade)
    moisture = _optional_moisture(moisture_pct)
    household = member_household(lot.cooperative_id, household_id)
    amount = delivery_amount(quantity, unit_price_vnd)
    collection = Collection(
        lot_id=lot.id,
        household_id=household.id,
        quantity=quantity,
        unit_price_vnd=unit_price_vnd,
        amount_vnd=amount,
        collected_at=collected_at,
        grade=grade,
        moisture_pct=moisture,
        recorded_by_id=actor.id,
    )
    db.session.add(collection)
    change_delivered(lot, quantity)
    audit.record_created(actor, "collection", collection, COLLECTION_FIELDS)
    add_payment(
        actor,
        lot.cooperative_id,
        household.id,
        PaymentKind.FARMGATE,
        amount,
        collected_at,
        collection_id=collection.id,
        product_id=lot.product_id,
    )
    return collection


def member_households(
    cooperative: Cooperative, q: str | None = None, limit: int = 500
) -> list[Household]:
    """Current member households (code order), optionally those whose code or name has `q`."""
    statement = (
        select(Household)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.cooperative_id == cooperative.id, Membership.left_on.is_(None))
        .order_by(Household.code)
        .limit(limit)
    )
    if (matches := contains_folded(q or "", Household.code, Household.head_name)) is not None:
        # code or head name, ignoring case and diacritics: "lien" finds "Dương Thị Liên"
        statement = statement.where(matches)
    return list(db.session.scalars(statement).all())


def open_collection_lots(cooperative: Cooperative, limit: int = SHOWN_LOTS) -> list[Lot]:
    """Collection lots that take deliveries, newest first: those still empty and those still
    holding produce (a lot emptied by processing or shipping is closed)."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(
                Lot.cooperative_id == cooperative.id,
                Lot.origin == LotOrigin.COLLECTION,
                or_(Lot.quantity_in == 0, Lot.quantity_remaining > 0),
            )
            .options(joinedload(Lot.product))
            .order_by(Lot.created_at.desc(), Lot.id.desc())
            .limit(limit)
        ).all()
    )


def find_households(cooperative: Cooperative, text: str, limit: int = 500) -> list[Household]:
    """Current member households named by `text`: the one whose code it is, else those whose
    code or head name contains it, accents and case ignored ('lien' finds 'Dương Thị Liên')."""
    wanted = text.split(SEPARATOR)[0] if SEPARATOR in text else text
    matches = member_households(cooperative, wanted, limit)
    exact = [h for h in matches if fold(h.code) == fold(wanted)]
    return exact or matches


def recent_collections(cooperative: Cooperative, limit: int = SHOWN_DELIVERIES) -> list[Collection]:
    """The cooperative's latest recorded deliveries (not void), the last recorded first."""
    return list(
        db.session.scalars(
            select(Collection)
            .join(Lot, Lot.id == Collection.lot_id)
            .where(Lot.cooperative_id == cooperative.id, Collection.status != CollectionStatus.VOID)
            .options(
                joinedload(Collection.household),
                joinedload(Collection.lot).joinedload(Lot.product),
            )
            .order_by(Collection.id.desc())
            .limit(limit)
        ).all()
    )
