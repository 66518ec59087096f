"""A hand-built commune for the support and income report, with its figures worked out by hand.

Đạo Trù (rural line 1,500,000 ₫, threshold 3 deprivations), one member per household,
period January to March 2026:

- A, poor: a policy loan of 3,000,000 ₫ for fresh ba kich received on 15 January; paid
  500,000 ₫ for ba kich at 23:30 on 14 January (Vietnam time: the day before, not purpose
  income), 2,000,000 ₫ at 00:30 on 15 January and 1,500,000 ₫ on 5 March (purpose income
  3,500,000 ₫: the loan is reached); 1,000,000 ₫ in April (after the period). Platform income
  4,000,000 ₫: projected 1,000,000 + 4,000,000 / 3 = 2,333,333 ₫, an exit.
- B, poor: a policy loan of 2,000,000 ₫ and seedlings (crop variety) of 500,000 ₫ received on
  1 February, both for fresh ba kich, which B never sold; a void loan of 9,000,000 ₫; a
  surplus of 300,000 ₫ (projected 1,100,000 ₫: poor, unchanged).
- C, poor, no support (a void crop variety): a surplus of 1,500,000 ₫ (projected 1,500,000 ₫,
  at the line: poor, unchanged).
- D, near poor, a void livestock breed: no income (near poor, unchanged).
- F, poor at the start of the period, re-classified not poor from 1 February: baseline
  1,000,000 ₫, no deprivation, no income: projected near poor, worsened.
- G, poor: a policy loan received on 2 April (after the period): no income, unchanged.
- E, poor, in the Việt Trì ward (another jurisdiction): a policy loan of 7,000,000 ₫ with
  income 800,000 ₫ for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from linkage.extensions import db
from linkage.services.periods import VIETNAM, Month, Period
from linkage.services.supports import void_support
from models import Household, OfficialStatus, OfficialStatusChange, SupportProgramme, User

from .factories import CooperativeFactory, HouseholdFactory, MembershipFactory, UserFactory
from .factories_supports import REASON, VIET_TRI, commune, give, paid_delivery, surplus

PERIOD = Period(Month.parse("2026-01"), Month.parse("2026-03"))
QUERY = {"period_start": "2026-01", "period_end": "2026-03"}
LOAN, VARIETY = SupportProgramme.POLICY_LOAN.value, SupportProgramme.CROP_VARIETY.value

# the figures by hand (see the module's docstring)
EXPECTED = {
    LOAN: {
        "households": 2,  # A, B
        "amount_vnd": 5_000_000,
        "platform_income_vnd": 4_300_000,
        "attributed_sales_vnd": 0,
        "purpose_income_vnd": 3_500_000,
        "projected_exits": 1,
        "worsened": 0,
        # Đạo Trù, poor at the start, no loan by the end of March: C, F, G
        "comparison": {
            "households": 3,
            "platform_income_vnd": 1_500_000,
            "projected_exits": 0,
            "worsened": 1,
        },
    },
    VARIETY: {
        "households": 1,  # B
        "amount_vnd": 500_000,
        "platform_income_vnd": 300_000,
        "attributed_sales_vnd": 0,
        "purpose_income_vnd": 0,
        "projected_exits": 0,
        "worsened": 0,
        # Đạo Trù, poor at the start, no variety (C's is void): A, C, F, G
        "comparison": {
            "households": 4,
            "platform_income_vnd": 5_500_000,
            "projected_exits": 1,
            "worsened": 1,
        },
    },
}
EXPECTED_LOANS = {"households": 2, "reached": 1, "reached_share": 0.5, "no_purpose_sales": 1}


@dataclass
class Report:
    official: User  # Đạo Trù
    town_official: User  # Việt Trì
    admin: User
    households: dict[str, Household]


def _vn(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment given in Vietnam time (UTC+7)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


def report_setting() -> Report:
    coop = CooperativeFactory(name="HTX Ba kích Đạo Trù")
    town_coop = CooperativeFactory(name="HTX Việt Trì", commune_code=VIET_TRI)
    admin = UserFactory(role="admin")

    def household(code: str, status: OfficialStatus, **values) -> Household:
        values = {"members": 1, "deprivations": 3, "baseline_income_vnd": 1_000_000, **values}
        made = HouseholdFactory(code=code, official_status=status, **values)
        MembershipFactory(household=made, cooperative=town_coop if code == "E" else coop)
        return made

    poor, near, not_poor = OfficialStatus
    h = {
        "A": household("A", poor),
        "B": household("B", poor),
        "C": household("C", poor),
        "D": household("D", near, deprivations=1, baseline_income_vnd=1_400_000),
        "F": household("F", not_poor, deprivations=0, official_status_on=date(2026, 2, 1)),
        "G": household("G", poor),
        "E": household("E", poor, commune_code=VIET_TRI, ethnic_group_code="01"),
    }
    db.session.add(
        OfficialStatusChange(
            household_id=h["F"].id,
            previous_status=poor,
            status=not_poor,
            effective_on=date(2026, 2, 1),
            reason=REASON,
        )
    )
    db.session.flush()
    give(admin, h["A"], amount_vnd=3_000_000, received_on=date(2026, 1, 15))
    paid_delivery(coop, h["A"], _vn(date(2026, 1, 14), 23, 30), 500_000)
    paid_delivery(coop, h["A"], _vn(date(2026, 1, 15), 0, 30), 2_000_000)
    paid_delivery(coop, h["A"], _vn(date(2026, 3, 5), 9), 1_500_000)
    paid_delivery(coop, h["A"], _vn(date(2026, 4, 5), 9), 1_000_000)
    feb = date(2026, 2, 1)

    def in_kind(household: Household, programme: SupportProgramme, amount: int, **more):
        return give(
            admin,
            household,
            programme=programme,
            amount_vnd=amount,
            received_on=feb,
            term_months=None,
            **more,
        )

    give(admin, h["B"], amount_vnd=2_000_000, received_on=feb)
    in_kind(h["B"], SupportProgramme.CROP_VARIETY, 500_000)
    void_support(admin, give(admin, h["B"], amount_vnd=9_000_000, received_on=feb), REASON)
    surplus(coop, h["B"], _vn(date(2026, 3, 10), 9), 300_000)
    void_support(admin, in_kind(h["C"], SupportProgramme.CROP_VARIETY, 400_000), REASON)
    surplus(coop, h["C"], _vn(date(2026, 3, 10), 9), 1_500_000)
    breed = in_kind(h["D"], SupportProgramme.LIVESTOCK_BREED, 3_000_000, purpose_product_code=None)
    void_support(admin, breed, REASON)
    give(admin, h["G"], amount_vnd=1_000_000, received_on=date(2026, 4, 2))
    give(admin, h["E"], amount_vnd=7_000_000, received_on=feb)
    paid_delivery(town_coop, h["E"], _vn(date(2026, 3, 1), 9), 800_000)
    result = Report(
        official=UserFactory(role="official"),
        town_official=UserFactory(role="official", communes=[commune(VIET_TRI)]),
        admin=admin,
        households=h,
    )
    db.session.commit()
    return result


def figures(item: dict) -> dict:
    """The figures of a report item that EXPECTED gives."""
    values = {name: item[name] for name in EXPECTED[LOAN] if name != "comparison"}
    values["comparison"] = {name: item["comparison"][name] for name in EXPECTED[LOAN]["comparison"]}
    return values
