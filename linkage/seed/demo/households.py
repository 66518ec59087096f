"""The demo's member households and memberships, drawn at random from fixed proportions.

Each cooperative of cooperatives.csv with households draws them from its communes and
ethnic mix (member_communes.csv, ethnic_mix.csv); heads of household are named from
names.csv; some households also belong to a neighbouring cooperative (dual_memberships.csv).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from linkage.extensions import db
from models import (
    Area,
    Commune,
    Cooperative,
    Household,
    Membership,
    OfficialStatus,
    PovertyStandard,
    Region,
    User,
)

from .calendar import DemoCalendar
from .data import rows, words

PRE_MERGER_REVIEW_ON = date(2025, 6, 30)  # records carried over the 1 July 2025 merger
MEMBER_WEIGHTS = (3, 9, 20, 27, 20, 11, 6, 4)  # households of 1..8 persons
MINORITY_MEMBER_WEIGHTS = (2, 7, 16, 25, 22, 14, 9, 5)
KINH = "01"
# households whose situation changed since the review, for the officials to look at: officially
# not poor but now below the line ("worsened"), officially poor with fewer deprivations
# ("improved"); one of each lives in Đạo Trù. Picked by their own generator, so the other
# households stay as they were.
REVIEW_CASES = 6
REVIEW_COMMUNE = "08914"
REVIEW_SEED = 2026
CONSENT_NOTE = "Chủ hộ ký phiếu đồng ý tại buổi họp thành viên hợp tác xã."
CARRIED_OVER_NOTE = "Hồ sơ chuyển từ xã cũ sau sắp xếp đơn vị hành chính, cần rà soát lại."


@dataclass(frozen=True)
class CoopSpec:
    """The shape of one demo cooperative's membership."""

    key: str
    founded: int
    households: int
    member_communes: tuple[tuple[str, int], ...]
    ethnic_mix: tuple[tuple[str, int], ...]
    main_product: str


def coop_specs() -> list[CoopSpec]:
    """The cooperatives that have member households, in file order."""
    communes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in rows("member_communes.csv"):
        communes[row["cooperative"]].append((row["commune_code"], int(row["weight"])))
    ethnic: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in rows("ethnic_mix.csv"):
        ethnic[row["cooperative"]].append((row["ethnic_group_code"], int(row["weight"])))
    return [
        CoopSpec(
            key=row["key"],
            founded=int(row["founded"]),
            households=int(row["households"]),
            member_communes=tuple(communes[row["key"]]),
            ethnic_mix=tuple(ethnic[row["key"]]),
            main_product=row["main_product"],
        )
        for row in rows("cooperatives.csv")
        if int(row["households"] or 0)
    ]


class Names:
    """Names of heads of household by ethnic group (names.csv); Kinh names where none."""

    def __init__(self) -> None:
        self.parts = {
            (row["ethnic_group"], row["part"]): words(row["names"]) for row in rows("names.csv")
        }

    def given(self, ethnic_code: str, part: str) -> tuple[str, ...]:
        return self.parts.get((ethnic_code, part)) or self.parts[(KINH, part)]

    def head(self, rng: random.Random, ethnic_code: str) -> str:
        """A plausible name of a household head for the ethnic group."""
        female = rng.random() < 0.22
        surname = rng.choice(self.given(ethnic_code, "surname"))
        if female:
            return f"{surname} Thị {rng.choice(self.given(ethnic_code, 'female'))}"
        middle_names = self.parts.get((ethnic_code, "middle_male"))
        middle = rng.choice(middle_names) if middle_names else "Văn"
        return f"{surname} {middle} {rng.choice(self.given(ethnic_code, 'male'))}"


def _official_status(rng: random.Random, commune: Commune, minority: bool) -> OfficialStatus:
    """Poverty is more frequent in mountain communes and among ethnic minorities."""
    p_poor = 0.12 + (0.12 if commune.region == Region.MOUNTAIN else 0.0)
    p_poor += 0.08 if minority else 0.0
    p_poor -= 0.06 if commune.area == Area.URBAN else 0.0
    p_near = 0.19 + (0.03 if commune.region == Region.MOUNTAIN else 0.0)
    draw = rng.random()
    if draw < p_poor:
        return OfficialStatus.POOR
    if draw < p_poor + p_near:
        return OfficialStatus.NEAR_POOR
    return OfficialStatus.NOT_POOR


def _deprivations(rng: random.Random, status: OfficialStatus, threshold: int) -> int:
    """Deprivation counts consistent with the status (poor at or above the threshold)."""
    if status == OfficialStatus.POOR:
        return threshold + rng.choices((0, 1, 2, 3, 4), (35, 30, 18, 12, 5))[0]
    if status == OfficialStatus.NEAR_POOR:
        return rng.choices(range(threshold), (1,) + (2,) * (threshold - 1))[0]
    return rng.choices((0, 1, 2, 3, 4), (45, 30, 15, 7, 3))[0]


def _baseline_income(rng: random.Random, status: OfficialStatus, line: int, region: Region) -> int:
    """Income per person per month, below the poverty line for poor and near-poor."""
    if status == OfficialStatus.POOR:
        share = rng.uniform(0.45, 0.95)
    elif status == OfficialStatus.NEAR_POOR:
        share = rng.uniform(0.78, 1.0)
    else:
        share = rng.uniform(1.08, 2.1) * (1.0 if region == Region.MOUNTAIN else 1.15)
    income = round(line * share / 10_000) * 10_000
    if status == OfficialStatus.NOT_POOR:
        return max(income, line + 10_000)
    return min(income, line)


def _joined_on(rng: random.Random, founded: int, calendar: DemoCalendar) -> date:
    """Joined in the six years before the last month of joining (founded years allowing)."""
    last = calendar.joined_by
    year = rng.randint(min(max(founded, last.year - 6), last.year), last.year)
    month = rng.randint(1, last.month if year == last.year else 12)
    return date(year, month, rng.randint(1, 28))


def add_households(
    rng: random.Random,
    cooperatives: dict[str, Cooperative],
    managers: dict[str, User],
    calendar: DemoCalendar,
) -> tuple[list[tuple[Household, CoopSpec]], list[Membership]]:
    """Member households of every cooperative, with their memberships."""
    reviewed_on = calendar.reviewed_on
    specs = coop_specs()
    codes = {code for spec in specs for code, _ in spec.member_communes}
    communes = {
        c.code: c for c in db.session.scalars(db.select(Commune).where(Commune.code.in_(codes)))
    }
    standard = db.session.scalars(
        db.select(PovertyStandard).where(
            PovertyStandard.valid_from <= reviewed_on,
            PovertyStandard.valid_to >= reviewed_on,
        )
    ).one()
    names = Names()
    sequence: Counter[str] = Counter()
    households: list[tuple[Household, CoopSpec]] = []
    memberships: list[Membership] = []
    for coop_index, spec in enumerate(specs):
        manager = managers[spec.key]
        commune_codes, commune_weights = zip(*spec.member_communes, strict=True)
        ethnic_codes, ethnic_weights = zip(*spec.ethnic_mix, strict=True)
        consent_start = calendar.consent_from + timedelta(days=3 * coop_index)
        for index in range(spec.households):
            commune = communes[rng.choices(commune_codes, commune_weights)[0]]
            ethnic_code = rng.choices(ethnic_codes, ethnic_weights)[0]
            minority = ethnic_code != KINH
            status = _official_status(rng, commune, minority)
            sequence[commune.code] += 1
            weights = MINORITY_MEMBER_WEIGHTS if minority else MEMBER_WEIGHTS
            needs_review = rng.random() < 0.03
            consent_at = consent_start + timedelta(minutes=11 * index)
            household = Household(
                code=f"HH-{commune.code}-{sequence[commune.code]:04d}",
                head_name=names.head(rng, ethnic_code),
                commune=commune,
                commune_code=commune.code,
                members=rng.choices(range(1, 9), weights)[0],
                ethnic_group_code=ethnic_code,
                official_status=status,
                official_status_on=PRE_MERGER_REVIEW_ON if needs_review else reviewed_on,
                deprivations=_deprivations(rng, status, standard.deprivation_threshold),
                baseline_income_vnd=_baseline_income(
                    rng, status, standard.line_for(commune.area), commune.region
                ),
                meritorious=rng.random() < 0.03,
                needs_review=needs_review,
                consent_at=consent_at,
                consent_by_id=manager.id,
                consent_note=CARRIED_OVER_NOTE if needs_review else CONSENT_NOTE,
                created_at=consent_at,
                updated_at=consent_at,
            )
            households.append((household, spec))
            memberships.append(
                Membership(
                    household=household,
                    cooperative=cooperatives[spec.key],
                    joined_on=_joined_on(rng, spec.founded, calendar),
                )
            )
    memberships += _dual_memberships(rng, households, cooperatives, specs, calendar)
    _changed_since_review([h for h, _ in households], standard)
    db.session.add_all(h for h, _ in households)
    db.session.add_all(memberships)
    return households, memberships


def _changed_since_review(households: list[Household], standard: PovertyStandard) -> None:
    """A few households whose situation no longer matches their official status.

    Not poor officially, but their income fell below the line (an illness, a lost harvest):
    with little linkage income the projection says they worsened. Poor officially, but with
    fewer deprivations since (a repaired house, clean water) and income still below the
    line: projected near poor, they improved.
    """
    rng = random.Random(REVIEW_SEED)
    for status in (OfficialStatus.NOT_POOR, OfficialStatus.POOR):
        group = [h for h in households if h.official_status == status]
        local = [h for h in group if h.commune_code == REVIEW_COMMUNE]
        first = rng.choice(local)
        others = rng.sample([h for h in group if h is not first], REVIEW_CASES - 1)
        for household in (first, *others):
            line = standard.line_for(household.commune.area)
            if status == OfficialStatus.NOT_POOR:
                share = rng.uniform(0.80, 0.94)
            else:
                household.deprivations = standard.deprivation_threshold - rng.choice((1, 2))
                share = rng.uniform(0.45, 0.6)
            household.baseline_income_vnd = round(line * share / 10_000) * 10_000


def _dual_memberships(
    rng: random.Random,
    households: list[tuple[Household, CoopSpec]],
    cooperatives: dict[str, Cooperative],
    specs: list[CoopSpec],
    calendar: DemoCalendar,
) -> list[Membership]:
    """Some households of a cooperative also belong to a neighbouring one."""
    founded = {spec.key: spec.founded for spec in specs}
    extra: list[Membership] = []
    for row in rows("dual_memberships.csv"):
        second = row["also_member_of"]
        members = [h for h, spec in households if spec.key == row["cooperative"]]
        for household in rng.sample(members, int(row["households"])):
            extra.append(
                Membership(
                    household=household,
                    cooperative=cooperatives[second],
                    joined_on=_joined_on(rng, founded[second], calendar),
                )
            )
    return extra
