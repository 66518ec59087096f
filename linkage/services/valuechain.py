"""The value chain: lots, collections from member households, transformations (DESIGN 3, 4.1).

Lot quantities change only by atomic UPDATE statements: a collection adds in place, a
transformation takes with `... WHERE quantity_remaining >= :q` and checks the row count, so
concurrent writers can neither lose an addition nor take more than a lot holds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound, UnknownReference
from linkage.text import fold
from models import (
    AuditAction,
    Collection,
    Cooperative,
    Household,
    Lot,
    LotOrigin,
    Membership,
    Payment,
    PaymentKind,
    Product,
    User,
    amount_vnd,
    utcnow,
)
from models.types import MAX_ID

from . import audit
from .lot_history import LotHistory, lot_history, record_history_read  # noqa: F401 (re-exported)
from .periods import VIETNAM
from .scope import manages
from .search import contains_folded

MAX_INPUTS = 20
MAX_QUANTITY = Decimal("1000000000")  # one delivery or output: a million tonnes is a typo
MAX_UNIT_PRICE_VND = 1_000_000_000
MAX_AMOUNT_VND = 10**15
FUTURE_TOLERANCE = timedelta(days=1)  # a phone's clock or time zone may be a little off
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CODE_ATTEMPTS = 8
LOT_FIELDS = ("code", "cooperative_id", "product_id", "origin", "quantity_in", "note")
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
PAYMENT_FIELDS = ("cooperative_id", "household_id", "kind", "amount_vnd", "paid_at", "note")


# --- checks shared with payments ----------------------------------------------------------------


def check_moment(value: datetime, field: str) -> datetime:
    """An aware timestamp, not before 2000 and not more than a day in the future (else 422)."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(_("Give the date and time with a time zone."), field=field)
    if value < EARLIEST:
        raise Invalid(_("This date is too far in the past."), field=field)
    if value > utcnow() + FUTURE_TOLERANCE:
        raise Invalid(_("This date is in the future."), field=field)
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


def _product(code: Any, field: str) -> Product:
    product = None
    if isinstance(code, str) and 0 < len(code.strip()) <= 40:
        product = db.session.scalars(select(Product).where(Product.code == code.strip())).first()
    if product is None:
        raise UnknownReference(_("Unknown product."), field=field)
    return product


def _note(note: str | None, limit: int = 2000) -> str:
    text = (note or "").strip()
    if len(text) > limit:
        raise Invalid(_("The note is too long."), field="note")
    return text


# --- lots ---------------------------------------------------------------------------------------


def lot_code_prefix(cooperative_name: str) -> str:
    """'HTX Dược liệu Đạo Trù' -> 'DT': the initials of the last two words (the place)."""
    words = [w for w in re.findall(r"[a-z0-9]+", fold(cooperative_name)) if w != "htx"]
    return "".join(w[0] for w in words[-2:]).upper() or "LOT"


def _next_lot_code(prefix: str, year: int) -> str:
    stem = f"{prefix}-{year}-"
    last = db.session.scalars(
        select(Lot.code)
        .where(Lot.code.like(f"{stem}%"))
        .order_by(func.length(Lot.code).desc(), Lot.code.desc())
        .limit(1)
    ).first()
    suffix = last.removeprefix(stem) if last else ""
    number = int(suffix) + 1 if suffix.isdigit() else 1
    return f"{stem}{number:04d}"


def _insert_lot(
    cooperative: Cooperative,
    product: Product,
    origin: LotOrigin,
    quantity: Decimal,
    note: str,
    created_at: datetime,
) -> Lot:
    """A new lot numbered `<prefix>-<year>-<n>`; a concurrent writer taking the same number
    makes the insert fail on the unique code, and the next number is tried in a savepoint."""
    prefix = lot_code_prefix(cooperative.name)
    year = created_at.astimezone(VIETNAM).year
    for _attempt in range(CODE_ATTEMPTS):
        lot = Lot(
            code=_next_lot_code(prefix, year),
            cooperative_id=cooperative.id,
            product=product,
            origin=origin,
            quantity_in=quantity,
            quantity_remaining=quantity,
            note=note,
            created_at=created_at,
        )
        try:
            with db.session.begin_nested():
                db.session.add(lot)
        except IntegrityError:
            continue
        return lot
    raise Conflict(_("The lot could not be numbered; please try again."))


def create_lot(actor: User, cooperative: Cooperative, product_code: str, note: str = "") -> Lot:
    """An empty collection lot of one product; audited."""
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))
    product = _product(product_code, "product_code")
    lot = _insert_lot(
        cooperative, product, LotOrigin.COLLECTION, Decimal("0"), _note(note), utcnow()
    )
    audit.record(actor, AuditAction.CREATE, "lot", lot.id, new=audit.snapshot(lot, LOT_FIELDS))
    return lot


def get_lot_for(actor: User, lot_id: int, cooperative_id: int | None = None) -> Lot:
    """A lot of a cooperative the actor manages (of `cooperative_id` when given); else 404."""
    lot = (
        db.session.get(Lot, lot_id, options=[joinedload(Lot.product)]) if lot_id <= MAX_ID else None
    )
    if (
        lot is None
        or not manages(actor, lot.cooperative_id)
        or (cooperative_id is not None and lot.cooperative_id != cooperative_id)
    ):
        raise NotFound(_("Lot not found."))
    return lot


def lots_query(
    actor: User,
    cooperative: Cooperative,
    product: str | None = None,
    with_stock: bool | None = None,
) -> Select[Any]:
    """The cooperative's lots, newest first; by product code and whether any stock is left."""
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))
    statement = (
        select(Lot)
        .where(Lot.cooperative_id == cooperative.id)
        .options(selectinload(Lot.product))
        .order_by(Lot.created_at.desc(), Lot.id.desc())
    )
    if product:
        statement = statement.where(
            Lot.product_id.in_(select(Product.id).where(Product.code == product))
        )
    if with_stock is True:
        statement = statement.where(Lot.quantity_remaining > 0)
    elif with_stock is False:
        statement = statement.where(Lot.quantity_remaining == 0)
    return statement


def lots_with_stock(cooperative: Cooperative) -> list[Lot]:
    """Lots that still hold something (inputs a transformation may take), by code."""
    return list(
        db.session.scalars(
            select(Lot)
            .where(Lot.cooperative_id == cooperative.id, Lot.quantity_remaining > 0)
            .options(selectinload(Lot.product))
            .order_by(Lot.code)
        ).all()
    )


# --- collections --------------------------------------------------------------------------------


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


def change_delivered(lot: Lot, delta: Decimal) -> bool:
    """Add `delta` (negative: take it back) to what a collection lot received and holds, in one
    atomic UPDATE; False, and nothing changed, when the lot no longer holds what would go."""
    statement = (
        update(Lot)
        .where(Lot.id == lot.id)
        .values(
            quantity_in=Lot.quantity_in + delta,
            quantity_remaining=Lot.quantity_remaining + delta,
        )
        .execution_options(synchronize_session=False)
    )
    if delta < 0:
        statement = statement.where(Lot.quantity_remaining >= -delta)
    result = db.session.execute(statement)
    db.session.expire(lot, ["quantity_in", "quantity_remaining"])
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
    if not isinstance(unit_price_vnd, int) or not 0 <= unit_price_vnd <= MAX_UNIT_PRICE_VND:
        raise Invalid(_("Enter a unit price in đồng."), field="unit_price_vnd")
    collected_at = check_moment(collected_at, "collected_at")
    grade = _optional_grade(grade)
    moisture = _optional_moisture(moisture_pct)
    household = member_household(lot.cooperative_id, household_id)
    amount = amount_vnd(quantity, unit_price_vnd)
    if amount > MAX_AMOUNT_VND:
        raise Invalid(_("The amount is too large."), field="quantity")
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
    db.session.flush()
    payment = Payment(
        cooperative_id=lot.cooperative_id,
        household_id=household.id,
        kind=PaymentKind.FARMGATE,
        amount_vnd=amount,
        paid_at=collected_at,
        collection_id=collection.id,
        note="",
        recorded_by_id=actor.id,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CREATE,
        "collection",
        collection.id,
        new=audit.snapshot(collection, COLLECTION_FIELDS),
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        "payment",
        payment.id,
        new=audit.snapshot(payment, PAYMENT_FIELDS),
    )
    return collection


# processing steps live in their own module, which builds on the checks above; callers keep
# writing valuechain.record_transformation
from .transformations import record_transformation  # noqa: E402, F401
