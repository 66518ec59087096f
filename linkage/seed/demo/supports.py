"""The demo households' policy support, as the province gives it: Vietnam Bank for Social
Policies loans to grow medicinal plants for poor and near-poor households (most of them in
mountain communes), crop varieties, breeds and training channelled by the cooperatives, health
insurance cards and housing repair for the poor.

Each support is recorded with the fields the supports service keeps, by whom the rules allow:
loans, housing and health cards by an official whose communes hold the household (the
province's official otherwise), what a cooperative channels by its manager. A support with a
purpose product changes what the household delivers of it from a little after it was received
(`Uplift`, applied by `harvests`): a loan or improved seedlings enlarge the harvest, seedlings
of a crop the household did not grow make it start delivering it, training helps a little.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from linkage.extensions import db
from linkage.services import scope
from models import (
    Household,
    OfficialStatus,
    Product,
    ProductCategory,
    Region,
    Role,
    Support,
    SupportProgramme,
    User,
)

from .calendar import DemoCalendar
from .harvests import Effect, Uplift, Uplifts, chains
from .households import CoopSpec

POLICY_LOAN, CROP_VARIETY = SupportProgramme.POLICY_LOAN, SupportProgramme.CROP_VARIETY
LIVESTOCK_BREED, TRAINING = SupportProgramme.LIVESTOCK_BREED, SupportProgramme.VOCATIONAL_TRAINING
HEALTH_INSURANCE, HOUSING_REPAIR = (
    SupportProgramme.HEALTH_INSURANCE,
    SupportProgramme.HOUSING_REPAIR,
)
HEALTH_CARD_VND = 1_263_600  # a year of health insurance: 4.5% of the 2,340,000 base salary x 12
# the share of households of a status that borrowed, in mountain communes and elsewhere
LOAN_SHARES = {
    OfficialStatus.POOR: (0.6, 0.3),
    OfficialStatus.NEAR_POOR: (0.45, 0.2),
    OfficialStatus.NOT_POOR: (0.05, 0.0),  # loans of households that left poverty recently
}
LOAN_TERMS = {OfficialStatus.POOR: (60,), OfficialStatus.NEAR_POOR: (36, 60)}
LOAN_NOTE = "NHCSXH - cho vay {whom} trồng {product}, thời hạn {term} tháng."
LOAN_BORROWERS = {
    OfficialStatus.POOR: "hộ nghèo",
    OfficialStatus.NEAR_POOR: "hộ cận nghèo",
    OfficialStatus.NOT_POOR: "hộ mới thoát nghèo",
}
SEEDLINGS_NOTE = "Hỗ trợ giống {product} - Chương trình MTQG giảm nghèo bền vững."
NEW_CROP_NOTE = "Hỗ trợ giống {product} trồng mới - Chương trình MTQG giảm nghèo bền vững."
BREED_COOPERATIVE, BREED_PRODUCT = "tanson", "PT-GA-NHIEU-CUA"
BREED_NOTE = "Hỗ trợ gà giống nhiều cựa - Chương trình MTQG 1719."
TRAINING_NOTE = "Lớp kỹ thuật canh tác và sơ chế: {product}."
HEALTH_CARD_NOTE = "Thẻ BHYT cấp miễn phí cho thành viên hộ nghèo năm {year}."
HOUSING_NOTE = "Chương trình xóa nhà tạm, nhà dột nát năm {year}."
# (days after receipt the effect begins, factor before, factor after)
LOAN_EFFECT = (60, 1.0, 1.6)  # a larger plot, a drying rack: a larger harvest
SEEDLINGS_EFFECT = (90, 1.0, 1.3)  # better seedlings of a crop the household grows
NEW_CROP_EFFECT = (90, 0.0, 1.0)  # seedlings of a crop the household did not grow
TRAINING_EFFECT = (30, 1.0, 1.15)


@dataclass(frozen=True)
class Given:
    programme: SupportProgramme
    amount_vnd: int
    received_on: date
    note: str
    product: Product | None = None
    term_months: int | None = None
    effect: tuple[int, float, float] | None = None


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


class Recorders:
    """Who records a household's support: an official of its commune (else the province's)
    for what the commune and the bank give, the cooperative's manager for what it channels."""

    def __init__(self, managers: dict[str, User]) -> None:
        officials = db.session.scalars(
            db.select(User).where(User.role == Role.OFFICIAL).order_by(User.id)
        ).all()
        self.province = next(user for user in officials if scope.of(user).whole_province)
        self.communes: dict[str, User] = {}
        for user in officials:
            for commune in user.communes:
                self.communes.setdefault(commune.code, user)
        self.managers = managers

    def of(self, given: Given, household: Household, spec: CoopSpec) -> User:
        if given.programme in (CROP_VARIETY, LIVESTOCK_BREED, TRAINING):
            return self.managers[spec.key]
        return self.communes.get(household.commune_code, self.province)


def _purpose_products(products: dict[str, Product]) -> dict[str, list[Product]]:
    """The products each cooperative collects, medicinal plants first, by cooperative key."""
    found: dict[str, list[Product]] = {}
    for key, cooperative_chains in chains().items():
        collected = [products[chain.product] for chain in cooperative_chains]
        found[key] = sorted(collected, key=lambda p: p.category != ProductCategory.MEDICINAL)
    return found


def _given(
    rng: random.Random,
    household: Household,
    spec: CoopSpec,
    collected: list[Product],
    products: dict[str, Product],
    calendar: DemoCalendar,
) -> list[Given]:
    """What one household received, more of it for the poor and in the mountains."""
    status = household.official_status
    mountain = household.commune.region == Region.MOUNTAIN
    # supports of the years before the months shown and during them, none in the last weeks
    earliest = calendar.first_month.first_day - timedelta(days=365)
    latest = calendar.today - timedelta(days=45)
    during = calendar.first_month.first_day
    main = products[spec.main_product]
    given: list[Given] = []
    loan_share = LOAN_SHARES[status][0 if mountain else 1]
    if rng.random() < loan_share:
        product = collected[0] if collected else main
        term = rng.choice(LOAN_TERMS.get(status, (36,)))
        whom = LOAN_BORROWERS[status]
        note = LOAN_NOTE.format(whom=whom, product=product.name_vi.lower(), term=term)
        amount = rng.randrange(30, 101, 5) * 1_000_000
        received = _day_between(rng, earliest, latest)
        given.append(Given(POLICY_LOAN, amount, received, note, product, term, LOAN_EFFECT))
    if rng.random() < (0.25 if mountain else 0.08):
        amount = rng.randrange(20, 121, 5) * 100_000
        new_crops = collected[1:]
        if new_crops and rng.random() < 0.5:
            product = rng.choice(new_crops)
            note = NEW_CROP_NOTE.format(product=product.name_vi.lower())
            received = _day_between(rng, during, latest)
            effect = NEW_CROP_EFFECT
        else:
            product = collected[0] if collected else main
            note = SEEDLINGS_NOTE.format(product=product.name_vi.lower())
            received = _day_between(rng, earliest, latest)
            effect = SEEDLINGS_EFFECT
        given.append(Given(CROP_VARIETY, amount, received, note, product, None, effect))
    if spec.key == BREED_COOPERATIVE and rng.random() < 0.2:
        amount = rng.randrange(30, 61, 5) * 100_000
        received = _day_between(rng, earliest, latest)
        given.append(Given(LIVESTOCK_BREED, amount, received, BREED_NOTE, products[BREED_PRODUCT]))
    if rng.random() < 0.12:
        amount = rng.randrange(25, 41, 5) * 100_000
        note = TRAINING_NOTE.format(product=main.name_vi)
        received = _day_between(rng, earliest, latest)
        given.append(Given(TRAINING, amount, received, note, main, None, TRAINING_EFFECT))
    if status == OfficialStatus.POOR:
        cards_on = date(calendar.today.year, 1, 1)
        note = HEALTH_CARD_NOTE.format(year=cards_on.year)
        given.append(Given(HEALTH_INSURANCE, household.members * HEALTH_CARD_VND, cards_on, note))
        if rng.random() < 0.08:
            amount = rng.choice((30_000_000, 60_000_000))
            received = _day_between(rng, during, latest)
            note = HOUSING_NOTE.format(year=received.year)
            given.append(Given(HOUSING_REPAIR, amount, received, note))
    return given


def add_supports(
    rng: random.Random,
    households: list[tuple[Household, CoopSpec]],
    products: dict[str, Product],
    managers: dict[str, User],
    calendar: DemoCalendar,
) -> tuple[list[Support], Uplifts]:
    """Policy support for each household, and how it changes what the household delivers."""
    recorders = Recorders(managers)
    purpose = _purpose_products(products)
    supports: list[Support] = []
    uplifts: Uplifts = {}
    for household, spec in households:
        collected = purpose.get(spec.key, [])
        for given in _given(rng, household, spec, collected, products, calendar):
            recorded_at = min(calendar.at(given.received_on + timedelta(days=3)), calendar.now)
            supports.append(
                Support(
                    household=household,
                    programme=given.programme,
                    amount_vnd=given.amount_vnd,
                    received_on=given.received_on,
                    purpose_product=given.product,
                    term_months=given.term_months,
                    note=given.note,
                    recorded_by=recorders.of(given, household, spec),
                    created_at=recorded_at,
                )
            )
            if given.product is not None and given.effect is not None:
                days, before, after = given.effect
                since = calendar.at(given.received_on + timedelta(days=days), 0)
                uplift = uplifts.setdefault((household, given.product.code), Uplift())
                uplift.effects.append(Effect(since, before, after))
    db.session.add_all(supports)
    return supports, uplifts
