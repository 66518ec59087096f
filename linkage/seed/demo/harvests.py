"""The demo's harvest plan: what each cooperative collects from its members month by month,
and how it dries, sorts and packs it (chains.csv), as lots that balance by construction.

Quantities are computed here so that every lot balances (quantity_in - taken =
quantity_remaining >= 0); `valuechain` writes the plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from linkage.services.periods import VIETNAM, Month
from models import (
    Cooperative,
    Household,
    Lot,
    LotOrigin,
    OfficialStatus,
    PovertyStandard,
    Process,
    Product,
    amount_vnd,
)

from .calendar import DemoCalendar
from .data import rows, words

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


def chains() -> dict[str, list[Chain]]:
    """The chains of each cooperative, by key, in file order."""
    found: dict[str, list[Chain]] = {}
    for row in rows("chains.csv"):
        moisture = row["moisture_min"] and (float(row["moisture_min"]), float(row["moisture_max"]))
        found.setdefault(row["cooperative"], []).append(
            Chain(
                product=row["product"],
                months=tuple(int(month) for month in words(row["months"])),
                price=(int(row["price_min"]), int(row["price_max"])),
                delivery=(float(row["delivery_min"]), float(row["delivery_max"])),
                share=float(row["share"]),
                process=Process(row["process"]),
                output=row["output"],
                yields=(float(row["yield_min"]), float(row["yield_max"])),
                grades=tuple(row["grades"].split(";")) if row["grades"] else (),
                moisture=moisture or None,
                off_months=tuple(int(month) for month in words(row["off_months"])),
                note=row["note"] or None,
            )
        )
    return found


@dataclass(frozen=True)
class Effect:
    """How one support changes a household's deliveries of its purpose product: a factor on
    the quantities before `since` (0: the household did not grow it yet) and one from then on."""

    since: datetime
    before: float
    after: float

    def factor(self, at: datetime) -> float:
        return self.after if at >= self.since else self.before


@dataclass
class Uplift:
    """The effects of a household's supports for one product, multiplied."""

    effects: list[Effect] = field(default_factory=list)

    def factor(self, at: datetime) -> float:
        result = 1.0
        for effect in self.effects:
            result *= effect.factor(at)
        return result


# by (household, product code); households are keys as objects (their ids come later)
Uplifts = dict[tuple[Household, str], Uplift]


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


def _capacity(household: Household, standard: PovertyStandard | None) -> tuple[float, float]:
    """Poorer households farm smaller plots; lagging ones (see LAGGING_CAPACITY) hardly any."""
    line = standard.line_for(household.commune.area) if standard else 0
    lagging = household.baseline_income_vnd <= line
    if household.official_status == OfficialStatus.NOT_POOR and lagging:
        return LAGGING_CAPACITY
    return CAPACITY[household.official_status]


def _quantity(low: float, high: float, rng: random.Random) -> Decimal:
    step = Decimal("0.1") if high <= 10 else Decimal("0.5")
    return (Decimal(str(rng.uniform(low, high))) / step).to_integral_value() * step or step


def plan_collections(
    rng: random.Random,
    cooperative: Cooperative,
    chain: Chain,
    members: list[tuple[Household, datetime]],
    product: Product,
    standard: PovertyStandard | None,
    calendar: DemoCalendar,
    uplifts: Uplifts,
) -> list[PlannedLot]:
    """One lot per harvest month, filled by the deliveries of that month (until now); a
    household's support for the product changes what it delivers from then on (`Uplift`)."""
    capacity = {h.id: rng.uniform(*_capacity(h, standard)) for h, _ in members}
    lots = []
    for month in calendar.months():
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
                if at < allowed_from or at > calendar.now:
                    continue
                uplift = uplifts.get((household, product.code))
                factor = uplift.factor(at) if uplift else 1.0
                if factor == 0:
                    continue
                low, high = (capacity[household.id] * factor * q for q in chain.delivery)
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


def plan_processing(
    rng: random.Random,
    chain: Chain,
    month_lots: list[PlannedLot],
    output_product: Product,
    all_lots: list[PlannedLot],
    calendar: DemoCalendar,
) -> list[PlannedStep]:
    """Dry or sort each month's lot early next month; pack dried lots three by three."""
    steps: list[PlannedStep] = []
    outputs: list[PlannedLot] = []
    for lot in month_lots:
        month = Month.of(lot.created_at).next()
        at = datetime.combine(month.first_day + timedelta(days=rng.randint(2, 7)), time(8), VIETNAM)
        if at > calendar.now:
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
            if at > calendar.now:
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
