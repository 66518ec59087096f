"""The demo households' policy support: VBSP loans, seedlings, breeds, training, health cards
and housing, drawn at random by the household's status and place."""

from __future__ import annotations

import random
from datetime import date

from linkage.extensions import db
from models import Household, OfficialStatus, Product, Region, Support, SupportProgramme

from .households import CoopSpec

POLICY_LOAN, CROP_VARIETY = SupportProgramme.POLICY_LOAN, SupportProgramme.CROP_VARIETY
LIVESTOCK_BREED, TRAINING = SupportProgramme.LIVESTOCK_BREED, SupportProgramme.VOCATIONAL_TRAINING
HEALTH_INSURANCE, HOUSING_REPAIR = (
    SupportProgramme.HEALTH_INSURANCE,
    SupportProgramme.HOUSING_REPAIR,
)
FIELDS = ("programme", "amount_vnd", "received_on", "note", "purpose_product")
HEALTH_CARD_VND = 1_263_600  # a year of health insurance: 4.5% of the 2,340,000 base salary x 12
HEALTH_CARDS_ON = date(2025, 1, 1)
LOAN_SHARES = {OfficialStatus.POOR: 0.55, OfficialStatus.NEAR_POOR: 0.45}
LOAN_NOTES = {
    OfficialStatus.POOR: "NHCSXH - cho vay hộ nghèo, thời hạn 60 tháng.",
    OfficialStatus.NEAR_POOR: "NHCSXH - cho vay hộ cận nghèo, thời hạn 60 tháng.",
    OfficialStatus.NOT_POOR: "NHCSXH - cho vay hộ mới thoát nghèo.",
}
SEEDLINGS_NOTE = "Hỗ trợ cây giống - Chương trình MTQG giảm nghèo bền vững."
BREED_COOPERATIVE, BREED_PRODUCT = "tanson", "PT-GA-NHIEU-CUA"
BREED_NOTE = "Hỗ trợ gà giống nhiều cựa - Chương trình MTQG 1719."
TRAINING_NOTE = "Lớp kỹ thuật canh tác và sơ chế: {product}."
HEALTH_CARD_NOTE = "Thẻ BHYT cấp miễn phí cho thành viên hộ nghèo năm 2025."
HOUSING_NOTE = "Chương trình xóa nhà tạm, nhà dột nát năm 2025."


def _received_on(rng: random.Random, first_year: int = 2023) -> date:
    year = rng.randint(first_year, 2025)
    return date(year, rng.randint(1, 11 if year == 2025 else 12), rng.randint(1, 28))


def add_supports(
    rng: random.Random,
    households: list[tuple[Household, CoopSpec]],
    products: dict[str, Product],
) -> list[Support]:
    """Policy support for each household, more of it for the poor and in the mountains."""
    supports: list[Support] = []
    for household, spec in households:
        product = products[spec.main_product]
        status = household.official_status
        mountain = household.commune.region == Region.MOUNTAIN
        given: list[tuple[SupportProgramme, int, date, str, Product | None]] = []
        if rng.random() < LOAN_SHARES.get(status, 0.10 if mountain else 0.0):
            amount = rng.randrange(30, 101, 5) * 1_000_000
            given.append((POLICY_LOAN, amount, _received_on(rng), LOAN_NOTES[status], product))
        if mountain and rng.random() < 0.25:
            amount = rng.randrange(20, 121, 5) * 100_000
            given.append((CROP_VARIETY, amount, _received_on(rng, 2024), SEEDLINGS_NOTE, product))
        if spec.key == BREED_COOPERATIVE and rng.random() < 0.2:
            amount = rng.randrange(30, 61, 5) * 100_000
            breed = products[BREED_PRODUCT]
            given.append((LIVESTOCK_BREED, amount, _received_on(rng, 2024), BREED_NOTE, breed))
        if rng.random() < 0.12:
            amount = rng.randrange(25, 41, 5) * 100_000
            note = TRAINING_NOTE.format(product=product.name_vi)
            given.append((TRAINING, amount, _received_on(rng, 2024), note, product))
        if status == OfficialStatus.POOR:
            amount = household.members * HEALTH_CARD_VND
            given.append((HEALTH_INSURANCE, amount, HEALTH_CARDS_ON, HEALTH_CARD_NOTE, None))
            if rng.random() < 0.08:
                amount = rng.choice((30_000_000, 60_000_000))
                given.append((HOUSING_REPAIR, amount, _received_on(rng, 2025), HOUSING_NOTE, None))
        supports += [
            Support(household=household, **dict(zip(FIELDS, values, strict=True)))
            for values in given
        ]
    db.session.add_all(supports)
    return supports
