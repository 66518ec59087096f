"""Calendar months in Vietnam time (UTC+7), whatever offset a timestamp was given with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-03' -> Month(2026, 3); ValueError otherwise."""
        match = MONTH_RE.match(text.strip())
        if not match:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime | date) -> Month:
        """The Vietnam-time month a timestamp (or a date) falls in."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(VIETNAM)
        return cls(moment.year, moment.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def minus(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) - months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def starts_at(self) -> datetime:
        """The first instant of the month in Vietnam, as an aware UTC datetime."""
        return datetime(self.year, self.month, 1, tzinfo=VIETNAM).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Whole months `start..end` inclusive."""

    start: Month
    end: Month

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @classmethod
    def between(cls, one: Month, other: Month) -> Period:
        """The months from the earlier of two months to the later, whichever comes first."""
        return cls(min(one, other), max(one, other))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def each_month(self) -> list[Month]:
        """The period's months in order."""
        return [self.start.minus(-index) for index in range(self.months)]

    @property
    def starts_at(self) -> datetime:
        return self.start.starts_at

    @property
    def ends_before(self) -> datetime:
        """The first instant after the period (exclusive upper bound), aware UTC."""
        return self.end.next().starts_at

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


def current_month(now: datetime | None = None) -> Month:
    return Month.of(now or datetime.now(UTC))


def current_day(now: datetime | None = None) -> date:
    """Today in Vietnam."""
    return (now or datetime.now(UTC)).astimezone(VIETNAM).date()
