"""The demo's calendar: every date of the demo follows from the day it is seeded ("today" in
Vietnam), so its 18 months of data end in the current month whenever it is run.

Seasons stay true (a harvest month is the same calendar month whatever the day); the fixed
dates of the CSV files (registrations, certificates, harvest windows of listings) move by whole
years, as far as the demo's year has moved from the year they were written for. The same day
gives the same demo; tests pin `REFERENCE_DAY`, for which the files were written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from linkage.services.errors import Invalid
from linkage.services.periods import VIETNAM, Month, current_day

REFERENCE_DAY = date(2026, 11, 28)  # the day the demo's CSV dates were written for
EARLIEST_DAY = date(2026, 7, 1)  # a year after the 2025 merger the demo's records speak of
MONTHS_SHOWN = 18  # months of sales the officials look at, the current one included
SEEDED_AT = time(9, 0)  # the demo's "now" on its day, in Vietnam
REVIEW_DAY = (12, 15)  # the annual poverty review closes mid-December


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DemoCalendar:
    """The dates of a demo seeded on `today`."""

    today: date
    clock: datetime | None = None  # the real time, when the demo is seeded for today

    @classmethod
    def on(cls, today: date | None = None) -> DemoCalendar:
        """The calendar of a demo seeded on `today` (by default today in Vietnam)."""
        clock = datetime.now(UTC)
        day = today or current_day(clock)
        if day < EARLIEST_DAY:
            raise Invalid(
                f"The demo starts after the 2025 merger: choose a day from {EARLIEST_DAY} on "
                f"(Bản demo bắt đầu sau khi sáp nhập năm 2025: chọn một ngày từ {EARLIEST_DAY}).",
                field="today",
            )
        if day > current_day(clock):
            raise Invalid(
                "The demo cannot be dated in the future (Bản demo không thể ghi ngày trong "
                "tương lai).",
                field="today",
            )
        return cls(day, clock if day == current_day(clock) else None)

    @property
    def now(self) -> datetime:
        """The moment the demo is seeded (aware UTC): 9:00 on its day, or the real time when
        that is earlier (seeded for today before 9:00); nothing is dated after it."""
        nine = datetime.combine(self.today, SEEDED_AT, VIETNAM).astimezone(UTC)
        return min(nine, self.clock) if self.clock else nine

    @property
    def last_month(self) -> Month:
        return Month.of(self.today)

    @property
    def first_sales_month(self) -> Month:
        """The first of the months the orders fill (the last 18, this one included)."""
        return self.last_month.minus(MONTHS_SHOWN - 1)

    @property
    def first_month(self) -> Month:
        """The first month of collections: one before the first month of sales."""
        return self.last_month.minus(MONTHS_SHOWN)

    def months(self) -> list[Month]:
        """The months of collections, in order."""
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = month.next()
        return months

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """`day` at a time of day in Vietnam, as an aware UTC datetime."""
        return datetime.combine(day, time(hour, minute), VIETNAM).astimezone(UTC)

    @property
    def reviewed_on(self) -> date:
        """The last annual poverty review closed by today."""
        review = date(self.today.year, *REVIEW_DAY)
        return review if review <= self.today else date(self.today.year - 1, *REVIEW_DAY)

    @property
    def consent_from(self) -> datetime:
        """Members sign their consent from the fourth day of the month before collections."""
        return self.at(self.first_month.minus(1).first_day + timedelta(days=3), 8, 30)

    @property
    def joined_by(self) -> Month:
        """The last month a member may have joined (some join during the months shown)."""
        return self.first_month.minus(-5)

    @property
    def surplus_year(self) -> int:
        """The last year whose surplus was shared (on 20 January of the next year, before Tết)."""
        year = self.today.year - 1
        return year if self.surplus_paid_at(year) <= self.now else year - 1

    def surplus_paid_at(self, year: int) -> datetime:
        return self.at(date(year + 1, 1, 20))

    @property
    def year_shift(self) -> int:
        """Whole years between the demo's month and the month its CSV dates were written for."""
        months = (self.last_month.year - REFERENCE_DAY.year) * 12
        months += self.last_month.month - REFERENCE_DAY.month
        return months // 12

    def shifted(self, day: date) -> date:
        """A fixed date of the CSV files, moved with the demo's year."""
        return _add_years(day, self.year_shift)

    def shifted_at(self, moment: datetime) -> datetime:
        """A fixed moment of the CSV files, moved with the demo's year."""
        return moment + (self.shifted(moment.date()) - moment.date())
