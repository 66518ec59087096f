"""The demo value chain: seasonal collections, processing and surplus shares (June 2025 on).

Deterministic (`random.Random(RANDOM_SEED)`, fixed dates). Each demo cooperative opens one
collection lot per product and harvest month; member households deliver into it (only after
their consent was recorded and they joined), and each delivery is paid at the farmgate. After
the month the lot is dried or sorted into an output lot with a realistic yield, and dried lots
are packed together by the season. Quantities are computed here so that every lot balances
(quantity_in - taken = quantity_remaining >= 0); the thousands of collections and their
payments are written with set-based inserts.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

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
    LotOrigin,
    Membership,
    OfficialStatus,
    Payment,
    PaymentKind,
    PovertyStandard,
    Process,
    Product,
    Transformation,
    TransformationInput,
    amount_vnd,
)

RANDOM_SEED = 2026
FIRST_MONTH = Month(2025, 5)  # a month before the 18 months the officials look at
LAST_MONTH = Month(2026, 11)
LAST_DAY = datetime(2026, 11, 20, 17, 0, tzinfo=VIETNAM)  # nothing is dated after this
SURPLUS_PAID_AT = datetime(2026, 1, 20, 9, 0, tzinfo=VIETNAM)  # before Tết 2026
SURPLUS_NOTE = "Chia lãi năm 2025 theo sản lượng giao cho hợp tác xã."
STATUS_REVIEWED_ON = date(2025, 12, 15)
KG = Decimal("0.001")
STEP_NOTES = {
    Process.DRYING: "Sấy khô tại xưởng của hợp tác xã",
    Process.SORTING: "Phân loại, loại bỏ hàng không đạt",
}
PACKED_NOTE = "Đóng gói túi 1 kg, dán tem truy xuất."
CAPACITY = {
    OfficialStatus.POOR: (0.35, 0.75),
    OfficialStatus.NEAR_POOR: (0.55, 0.95),
    OfficialStatus.NOT_POOR: (0.8, 1.4),
}
# officially not poor, yet below the line since the review (illness, a lost harvest): they
# deliver little, so the projection flags them for the officials to review
LAGGING_CAPACITY = (0.05, 0.12)
OFF_SEASON_SHARE = 0.35  # outside the main harvest, fewer members deliver
D, S, P = Process.DRYING, Process.SORTING, Process.PACKING


@dataclass(frozen=True)
class Chain:
    """What a cooperative collects in which months, and how it processes it.

    Farmgate prices are about half of what the cooperative sells the same produce for (per
    kg of fresh produce, through the processing yield).
    """

    product: str
    months: tuple[int, ...]
    price: tuple[int, int]  # farmgate VND per unit
    delivery: tuple[float, float]  # quantity per delivery
    share: float  # share of members delivering in a harvest month
    process: Process
    output: str
    yields: tuple[float, float]
    grades: tuple[str, ...] = ()
    moisture: tuple[float, float] | None = None
    off_months: tuple[int, ...] = ()  # collected too, by fewer members
    note: str | None = None  # what the processing step is, if not the usual one


WINTER, GROWING = (10, 11, 12, 1, 2, 3), (4, 5, 6, 7, 8, 9, 10)
TEA_MONTHS = (3, 4, 5, 6, 7, 8, 9, 10)


def _tea(price: tuple[int, int]) -> Chain:
    """Fresh tea shoots, withered and pan-fired into green tea (4.5-5 kg fresh per kg)."""
    return Chain(
        "PT-CHE-BUP-TUOI",
        TEA_MONTHS,
        price,
        (12, 70),
        0.6,
        D,
        "PT-CHE-XANH-KHO",
        (0.20, 0.23),
        moisture=(74, 80),
        note="Làm héo, vò và sao chè tại xưởng",
    )


JIAOGULAN = Chain("PT-GIAO-CO-LAM-TUOI", GROWING, (24_000, 32_000), (10, 60), 0.45, D,
                  "PT-GIAO-CO-LAM-KHO", (0.18, 0.24), moisture=(70, 78))  # fmt: skip
CHAINS: dict[str, tuple[Chain, ...]] = {
    "daotru": (Chain("PT-BA-KICH-TUOI", WINTER, (75_000, 95_000), (6, 34), 0.55,
                     D, "PT-BA-KICH-KHO", (0.30, 0.36), ("Loại 1", "Loại 2"), (58, 66),
                     off_months=(4, 5, 6, 7, 8, 9)),),
    "tamdao": (Chain("PT-TRA-HOA-VANG-TUOI", (11, 12, 1, 2, 3), (210_000, 300_000), (0.5, 4),
                     0.6, D, "PT-TRA-HOA-VANG-KHO", (0.12, 0.16)),),
    "caophong": (Chain("PT-CAM-CAO-PHONG", (10, 11, 12, 1), (16_000, 21_000), (40, 220), 0.65,
                       S, "PT-CAM-CAO-PHONG", (0.95, 0.98), ("Loại 1", "Loại 2")),),
    "yentri": (JIAOGULAN, Chain("PT-XA-DEN-TUOI", (3, 5, 7, 9, 11), (14_000, 19_000), (10, 60),
                                0.3, S, "PT-XA-DEN-TUOI", (0.95, 0.98))),
    "tanson": (JIAOGULAN,),
    "longcoc": (_tea((28_000, 36_000)),),  # Bát Tiên shoots, one bud and two leaves
    "dahen": (_tea((17_000, 23_000)),),
    "doanhung": (Chain("PT-BUOI-DOAN-HUNG", (8, 9, 10, 11, 12, 1), (20_000, 28_000), (30, 170),
                       0.65, S, "PT-BUOI-DOAN-HUNG", (0.95, 0.98), ("Loại 1", "Loại 2")),),
    "sonluong": (Chain("PT-HOAI-SON-TUOI", (10, 11, 12, 1), (24_000, 32_000), (20, 120), 0.4,
                       D, "PT-HOAI-SON-KHO", (0.28, 0.36)),
                 Chain("PT-NGHE-TUOI", (11, 12, 1, 2), (13_000, 18_000), (40, 220), 0.45,
                       D, "PT-TINH-BOT-NGHE", (0.05, 0.07),
                       note="Xay, lọc và sấy tinh bột nghệ tại xưởng")),
    "phuho": (_tea((17_000, 23_000)),),
}  # fmt: skip


@dataclass
class PlannedLot:
    cooperative: Cooperative
    product: Product
    origin: LotOrigin
    created_at: datetime
    note: str = ""
    quantity_in: Decimal = Decimal("0")
    taken: Decimal = Decimal("0")
    collections: list[dict] = field(default_factory=list)
    row: Lot | None = None

    @property
    def remaining(self) -> Decimal:
        return self.quantity_in - self.taken


@dataclass
class PlannedStep:
    process: Process
    occurred_at: datetime
    inputs: list[tuple[PlannedLot, Decimal]]
    output: PlannedLot


def seed_valuechain_demo(cooperatives_by_key: dict[str, Cooperative] | None = None) -> int:
    """Lots, collections, farmgate and surplus payments, transformations; returns collections."""
    rng = random.Random(RANDOM_SEED)
    by_key = cooperatives_by_key or _demo_cooperatives()
    products = {p.code: p for p in db.session.scalars(select(Product))}
    standard = standard_in_force(STATUS_REVIEWED_ON)
    lots: list[PlannedLot] = []
    steps: list[PlannedStep] = []
    for key, chains in CHAINS.items():
        cooperative = by_key.get(key)
        if cooperative is None:
            continue
        members = _members(cooperative)
        for chain in chains:
            month_lots = _collect(
                rng, cooperative, chain, members, products[chain.product], standard
            )
            lots += month_lots
            steps += _process(rng, chain, month_lots, products[chain.output], lots)
    managers = {c.id: (c.managers[0].id if c.managers else None) for c in by_key.values()}
    _write_lots(lots)
    _write_steps(steps, managers)
    rows = [
        {**row, "lot_id": lot.row.id, "recorded_by_id": managers[lot.cooperative.id]}
        for lot in lots
        for row in lot.collections
        if lot.row is not None
    ]
    if rows:
        db.session.execute(insert(Collection), rows)
        _pay_farmgate([lot.row.id for lot in lots if lot.row is not None])
        _pay_surplus(rng, by_key.values(), managers)
    db.session.flush()
    return len(rows)


def _demo_cooperatives() -> dict[str, Cooperative]:
    from .demo import COOPERATIVES

    names = {spec.name: spec.key for spec in COOPERATIVES}
    found = db.session.scalars(select(Cooperative).where(Cooperative.name.in_(names))).all()
    return {names[c.name]: c for c in found}


def _members(cooperative: Cooperative) -> list[tuple[Household, datetime]]:
    """Current members, each with the first moment it may deliver (consent and joining)."""
    rows = db.session.execute(
        select(Household, Membership.joined_on)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.cooperative_id == cooperative.id, Membership.left_on.is_(None))
        .order_by(Household.code)
    ).all()
    return [
        (h, max(h.consent_at, datetime.combine(joined, time(0), VIETNAM).astimezone(UTC)))
        for h, joined in rows
    ]


def _capacity(household: Household, standard: PovertyStandard | None) -> tuple[float, float]:
    """Poorer households farm smaller plots; lagging ones (see LAGGING_CAPACITY) hardly any."""
    line = standard.line_for(household.commune.area) if standard else 0
    lagging = household.baseline_income_vnd <= line
    if household.official_status == OfficialStatus.NOT_POOR and lagging:
        return LAGGING_CAPACITY
    return CAPACITY[household.official_status]


def _months() -> list[Month]:
    months, month = [], FIRST_MONTH
    while month <= LAST_MONTH:
        months.append(month)
        month = month.next()
    return months


def _quantity(low: float, high: float, rng: random.Random) -> Decimal:
    step = Decimal("0.1") if high <= 10 else Decimal("0.5")
    return (Decimal(str(rng.uniform(low, high))) / step).to_integral_value() * step or step


def _collect(
    rng: random.Random,
    cooperative: Cooperative,
    chain: Chain,
    members: list[tuple[Household, datetime]],
    product: Product,
    standard: PovertyStandard | None,
) -> list[PlannedLot]:
    """One lot per harvest month, filled by the deliveries of that month."""
    capacity = {h.id: rng.uniform(*_capacity(h, standard)) for h, _ in members}
    lots = []
    for month in _months():
        if month.month in chain.months:
            share = chain.share
        elif month.month in chain.off_months:
            share = chain.share * OFF_SEASON_SHARE
        else:
            continue
        opens = datetime.combine(month.first_day, time(7), VIETNAM).astimezone(UTC)
        note = f"Thu mua {product.name_vi.lower()} tháng {month.month:02d}/{month.year}."
        lot = PlannedLot(cooperative, product, LotOrigin.COLLECTION, opens, note)
        base = rng.randrange(chain.price[0], chain.price[1] + 1, 500)
        for household, allowed_from in members:
            if rng.random() >= share:
                continue
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                day = rng.randint(1, (month.last_day - month.first_day).days + 1)
                at = datetime.combine(
                    month.first_day + timedelta(days=day - 1),
                    time(rng.randint(6, 17), rng.choice((0, 15, 30, 45))),
                    VIETNAM,
                ).astimezone(UTC)
                if at < allowed_from or at > LAST_DAY:
                    continue
                low, high = (capacity[household.id] * q for q in chain.delivery)
                quantity = _quantity(low, high, rng)
                price = int(base * rng.uniform(0.96, 1.04) / 500) * 500
                moisture = chain.moisture and Decimal(str(round(rng.uniform(*chain.moisture), 1)))
                lot.collections.append(
                    {
                        "household_id": household.id,
                        "quantity": quantity,
                        "unit_price_vnd": price,
                        "amount_vnd": amount_vnd(quantity, price),
                        "collected_at": at,
                        "grade": rng.choice(chain.grades) if chain.grades else None,
                        "moisture_pct": moisture or None,
                        "created_at": at + timedelta(minutes=rng.randint(1, 90)),
                    }
                )
                lot.quantity_in += quantity
        if lot.collections:
            lot.collections.sort(key=lambda row: row["collected_at"])
            lots.append(lot)
    return lots


def _process(
    rng: random.Random,
    chain: Chain,
    month_lots: list[PlannedLot],
    output_product: Product,
    all_lots: list[PlannedLot],
) -> list[PlannedStep]:
    """Dry or sort each month's lot early next month; pack dried lots three by three."""
    steps: list[PlannedStep] = []
    outputs: list[PlannedLot] = []
    for lot in month_lots:
        month = Month.of(lot.created_at).next()
        at = datetime.combine(month.first_day + timedelta(days=rng.randint(2, 7)), time(8), VIETNAM)
        if at > LAST_DAY:
            continue  # this month's lot is still in the store
        taken = lot.quantity_in if rng.random() < 0.7 else _share(lot.quantity_in, 0.85, 0.95, rng)
        out = _share(taken, *chain.yields, rng)
        harvest = month.minus(1)
        what = chain.note or STEP_NOTES[chain.process]
        note = f"{what}: hàng thu mua tháng {harvest.month:02d}/{harvest.year}."
        output = PlannedLot(lot.cooperative, output_product, LotOrigin.TRANSFORMATION, at, note)
        steps.append(_step(chain.process, at, [(lot, taken)], output, out))
        outputs.append(output)
    if chain.process == Process.DRYING:
        for first in range(0, len(outputs) - 2, 3):
            group = outputs[first : first + 3]
            at = group[-1].created_at + timedelta(days=rng.randint(5, 12))
            if at > LAST_DAY:
                break
            takes = [(lot, _share(lot.quantity_in, 0.6, 0.8, rng)) for lot in group]
            total = sum((q for _, q in takes), Decimal("0"))
            packed = PlannedLot(
                group[0].cooperative, output_product, LotOrigin.TRANSFORMATION, at, PACKED_NOTE
            )
            steps.append(_step(Process.PACKING, at, takes, packed, _share(total, 0.97, 0.99, rng)))
            outputs.append(packed)
    all_lots += outputs
    return steps


def _share(quantity: Decimal, low: float, high: float, rng: random.Random) -> Decimal:
    ratio = Decimal(str(round(rng.uniform(low, high), 4)))
    return max(KG, (quantity * ratio).quantize(KG, rounding=ROUND_HALF_UP))


def _step(
    process: Process,
    at: datetime,
    takes: list[tuple[PlannedLot, Decimal]],
    output: PlannedLot,
    quantity: Decimal,
) -> PlannedStep:
    for lot, taken in takes:
        if taken > lot.remaining:  # a bug in this module, never a data problem
            raise RuntimeError("the demo must never take more than a lot holds")
        lot.taken += taken
    output.quantity_in = quantity
    return PlannedStep(process, at.astimezone(UTC), takes, output)


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
    rng: random.Random, cooperatives: Iterable[Cooperative], managers: dict[int, int | None]
) -> None:
    """The 2025 surplus, shared in January 2026 in proportion to each household's deliveries."""
    ids = sorted(c.id for c in cooperatives)
    delivered = db.session.execute(
        select(Payment.cooperative_id, Payment.household_id, func.sum(Payment.amount_vnd))
        .where(
            Payment.cooperative_id.in_(ids),
            Payment.kind == PaymentKind.FARMGATE,
            Payment.paid_at >= Month(2025, 1).starts_at,
            Payment.paid_at < Month(2026, 1).starts_at,
        )
        .group_by(Payment.cooperative_id, Payment.household_id)
        .order_by(Payment.cooperative_id, Payment.household_id)
    ).all()
    totals: dict[int, int] = defaultdict(int)
    for cooperative_id, _household_id, amount in delivered:
        totals[cooperative_id] += int(amount)
    rates = {cooperative_id: rng.uniform(0.05, 0.09) for cooperative_id in ids}
    paid_at = SURPLUS_PAID_AT.astimezone(UTC)
    rows = [
        {
            "cooperative_id": cooperative_id,
            "household_id": household_id,
            "kind": PaymentKind.SURPLUS,
            "amount_vnd": int(int(amount) * rates[cooperative_id]) // 1000 * 1000,
            "paid_at": paid_at,
            "collection_id": None,
            "note": SURPLUS_NOTE,
            "recorded_by_id": managers.get(cooperative_id),
            "created_at": paid_at,
        }
        for cooperative_id, household_id, amount in delivered
        if int(amount) * rates[cooperative_id] >= 1000
    ]
    if rows:
        db.session.execute(insert(Payment), rows)
