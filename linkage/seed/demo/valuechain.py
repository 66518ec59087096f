"""The demo value chain: seasonal collections, processing and surplus shares, over the 19
months ending today (see `calendar`).

Deterministic for a given day (`random.Random(RANDOM_SEED)`). Each demo cooperative opens one
collection lot per product and harvest month; member households deliver into it (only after
their consent was recorded and they joined), and each delivery is paid at the farmgate. After
the month the lot is dried or sorted into an output lot with a realistic yield, and dried lots
are packed together by the season (`harvests` plans all this). The thousands of collections
and their payments are written with set-based inserts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, time

from sqlalchemy import func, insert, literal, select

from linkage.extensions import db
from linkage.services.periods import VIETNAM, Month
from linkage.services.reference import standard_in_force
from linkage.services.valuechain import lot_code_prefix
from models import (
    Collection,
    Cooperative,
    Household,
    Lot,
    Membership,
    Payment,
    PaymentKind,
    Product,
    Transformation,
    TransformationInput,
)

from .calendar import DemoCalendar
from .data import rows
from .harvests import (
    PlannedLot,
    PlannedStep,
    Uplifts,
    chains,
    plan_collections,
    plan_processing,
)

RANDOM_SEED = 2026
SURPLUS_NOTE = "Chia lãi năm {year} theo sản lượng giao cho hợp tác xã."


def seed_valuechain_demo(
    calendar: DemoCalendar,
    cooperatives_by_key: dict[str, Cooperative] | None = None,
    uplifts: Uplifts | None = None,
) -> int:
    """Lots, collections, farmgate and surplus payments, transformations; returns collections.
    `uplifts` says how supports change what households deliver (see `supports`)."""
    rng = random.Random(RANDOM_SEED)
    by_key = cooperatives_by_key or _demo_cooperatives()
    products = {p.code: p for p in db.session.scalars(select(Product))}
    standard = standard_in_force(calendar.reviewed_on)
    lots: list[PlannedLot] = []
    steps: list[PlannedStep] = []
    for key, cooperative_chains in chains().items():
        cooperative = by_key.get(key)
        if cooperative is None:
            continue
        members = _members(cooperative)
        for chain in cooperative_chains:
            product = products[chain.product]
            month_lots = plan_collections(
                rng, cooperative, chain, members, product, standard, calendar, uplifts or {}
            )
            lots += month_lots
            output = products[chain.output]
            steps += plan_processing(rng, chain, month_lots, output, lots, calendar)
    managers = {c.id: (c.managers[0].id if c.managers else None) for c in by_key.values()}
    _write_lots(lots)
    _write_steps(steps, managers)
    collections = [
        {**row, "lot_id": lot.row.id, "recorded_by_id": managers[lot.cooperative.id]}
        for lot in lots
        for row in lot.collections
        if lot.row is not None
    ]
    if collections:
        db.session.execute(insert(Collection), collections)
        _pay_farmgate([lot.row.id for lot in lots if lot.row is not None])
        _pay_surplus(rng, by_key.values(), managers, calendar)
    db.session.flush()
    return len(collections)


def _demo_cooperatives() -> dict[str, Cooperative]:
    """The demo cooperatives that have a value chain, found by name, by key."""
    planned = chains()
    names = {row["name"]: row["key"] for row in rows("cooperatives.csv") if row["key"] in planned}
    found = db.session.scalars(select(Cooperative).where(Cooperative.name.in_(names))).all()
    return {names[c.name]: c for c in found}


def _members(cooperative: Cooperative) -> list[tuple[Household, datetime]]:
    """Current members, each with the first moment it may deliver (consent and joining)."""
    found = db.session.execute(
        select(Household, Membership.joined_on)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.cooperative_id == cooperative.id, Membership.left_on.is_(None))
        .order_by(Household.code)
    ).all()
    return [
        (h, max(h.consent_at, datetime.combine(joined, time(0), VIETNAM).astimezone(UTC)))
        for h, joined in found
    ]


def _write_lots(lots: list[PlannedLot]) -> None:
    """Number the lots in date order per prefix and year, as create_lot would."""
    counters: dict[str, int] = defaultdict(int)
    for lot in sorted(lots, key=lambda planned: planned.created_at):
        stem = f"{lot_code_prefix(lot.cooperative.name)}-{lot.created_at.astimezone(VIETNAM).year}-"
        if stem not in counters:
            existing = db.session.scalars(select(Lot.code).where(Lot.code.like(f"{stem}%"))).all()
            counters[stem] = max(
                (int(c[len(stem) :]) for c in existing if c[len(stem) :].isdigit()), default=0
            )
        counters[stem] += 1
        lot.row = Lot(
            code=f"{stem}{counters[stem]:04d}",
            cooperative_id=lot.cooperative.id,
            product=lot.product,
            origin=lot.origin,
            quantity_in=lot.quantity_in,
            quantity_remaining=lot.remaining,
            note=lot.note,
            created_at=lot.created_at,
        )
    db.session.add_all(lot.row for lot in lots if lot.row is not None)
    db.session.flush()


def _write_steps(steps: list[PlannedStep], managers: dict[int, int | None]) -> None:
    for step in steps:
        db.session.add(
            Transformation(
                cooperative_id=step.output.cooperative.id,
                process=step.process,
                occurred_at=step.occurred_at,
                output_lot=step.output.row,
                output_quantity=step.output.quantity_in,
                note=step.output.note,
                recorded_by_id=managers[step.output.cooperative.id],
                created_at=step.occurred_at,
                inputs=[
                    TransformationInput(lot=lot.row, quantity=quantity)
                    for lot, quantity in step.inputs
                ],
            )
        )
    db.session.flush()


def _pay_farmgate(lot_ids: list[int]) -> None:
    """Each collection's farmgate payment, in one INSERT ... SELECT."""
    source = (
        select(
            Lot.cooperative_id,
            Collection.household_id,
            literal(PaymentKind.FARMGATE.value),
            Collection.amount_vnd,
            Collection.collected_at,
            Collection.id,
            literal(""),
            Collection.recorded_by_id,
            Collection.created_at,
        )
        .join(Lot, Lot.id == Collection.lot_id)
        .where(Lot.id.in_(lot_ids))
    )
    columns = ["cooperative_id", "household_id", "kind", "amount_vnd", "paid_at",
               "collection_id", "note", "recorded_by_id", "created_at"]  # fmt: skip
    db.session.execute(insert(Payment).from_select(columns, source))


def _pay_surplus(
    rng: random.Random,
    cooperatives: Iterable[Cooperative],
    managers: dict[int, int | None],
    calendar: DemoCalendar,
) -> None:
    """The last year's surplus, shared the next January in proportion to each household's
    deliveries."""
    year = calendar.surplus_year
    ids = sorted(c.id for c in cooperatives)
    delivered = db.session.execute(
        select(Payment.cooperative_id, Payment.household_id, func.sum(Payment.amount_vnd))
        .where(
            Payment.cooperative_id.in_(ids),
            Payment.kind == PaymentKind.FARMGATE,
            Payment.paid_at >= Month(year, 1).starts_at,
            Payment.paid_at < Month(year + 1, 1).starts_at,
        )
        .group_by(Payment.cooperative_id, Payment.household_id)
        .order_by(Payment.cooperative_id, Payment.household_id)
    ).all()
    totals: dict[int, int] = defaultdict(int)
    for cooperative_id, _household_id, amount in delivered:
        totals[cooperative_id] += int(amount)
    rates = {cooperative_id: rng.uniform(0.05, 0.09) for cooperative_id in ids}
    paid_at = calendar.surplus_paid_at(year)
    rows = [
        {
            "cooperative_id": cooperative_id,
            "household_id": household_id,
            "kind": PaymentKind.SURPLUS,
            "amount_vnd": int(int(amount) * rates[cooperative_id]) // 1000 * 1000,
            "paid_at": paid_at,
            "collection_id": None,
            "note": SURPLUS_NOTE.format(year=year),
            "recorded_by_id": managers.get(cooperative_id),
            "created_at": paid_at,
        }
        for cooperative_id, household_id, amount in delivered
        if int(amount) * rates[cooperative_id] >= 1000
    ]
    if rows:
        db.session.execute(insert(Payment), rows)
