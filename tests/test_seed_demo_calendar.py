"""The demo moves with the calendar (issue 16, item 6): seeded on a day, its 18 months of
sales end in that day's month and nothing is dated after it; another day moves everything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func

from linkage.extensions import db
from linkage.seed.demo import REFERENCE_DAY, DemoCalendar
from linkage.services.errors import Invalid
from linkage.services.periods import Month, current_day
from models import Certification, Collection, Cooperative, Order, Payment, Support

from .conftest import demo_seeded

EARLIER_DAY = date(2026, 9, 10)


def _dates() -> dict[str, object]:
    def latest(column: object) -> object:
        return db.session.scalar(db.select(func.max(column)))

    return {
        "first_collection": db.session.scalar(db.select(func.min(Collection.collected_at))),
        "last_collection": latest(Collection.collected_at),
        "last_payment": latest(Payment.paid_at),
        "last_order": latest(Order.placed_at),
        "last_support": latest(Support.received_on),
        "last_registration": latest(Cooperative.created_at),
        "first_certificate": db.session.scalar(db.select(func.min(Certification.valid_from))),
    }


def test_seeding_on_two_days_moves_the_data_with_them(database_url, _schema):
    found = {}
    for day in (EARLIER_DAY, REFERENCE_DAY):
        with demo_seeded(database_url, day) as (_app, summary):
            assert summary.today == day
            found[day] = _dates()
    for day, dates in found.items():
        now = DemoCalendar.on(day).now
        month = Month.of(day)
        # the last delivery is in the demo's month, the first one 18 months before it
        assert Month.of(dates["last_collection"]) == month, day
        assert Month.of(dates["first_collection"]) == month.minus(18), day
        for name in ("last_collection", "last_payment", "last_order", "last_registration"):
            assert dates[name] <= now, (day, name)
        assert dates["last_support"] <= day
    earlier, reference = found[EARLIER_DAY], found[REFERENCE_DAY]
    assert earlier["last_collection"] < reference["last_collection"]
    # the CSV dates move by whole years: a demo of September 2026 is a year before the files
    assert earlier["first_certificate"] == reference["first_certificate"].replace(
        year=reference["first_certificate"].year - 1
    )


def test_a_day_in_the_future_or_before_the_merger_is_refused():
    with pytest.raises(Invalid):
        DemoCalendar.on(current_day() + timedelta(days=1))
    with pytest.raises(Invalid):
        DemoCalendar.on(date(2025, 6, 30))
    today = DemoCalendar.on()
    assert today.today == current_day()
    assert today.now <= datetime.now(UTC)  # seeded before 9:00, the demo stops at the clock


def test_the_calendar_of_the_reference_day():
    calendar = DemoCalendar.on(REFERENCE_DAY)
    assert str(calendar.first_month) == "2025-05"
    assert str(calendar.first_sales_month) == "2025-06"
    assert calendar.reviewed_on == date(2025, 12, 15)
    assert calendar.surplus_year == 2025
    assert calendar.year_shift == 0
    assert len(calendar.months()) == 19
    january = DemoCalendar(date(2027, 1, 10))
    assert january.reviewed_on == date(2026, 12, 15)
    assert january.surplus_year == 2025  # the 2026 surplus is shared on 20 January 2027
    assert DemoCalendar(date(2027, 1, 21)).surplus_year == 2026
    assert DemoCalendar(date(2027, 10, 31)).year_shift == 0
    assert DemoCalendar(date(2027, 11, 1)).year_shift == 1
    assert DemoCalendar(date(2026, 10, 31)).year_shift == -1


def test_seed_demo_command_refuses_a_day_it_cannot_date(runner):
    result = runner.invoke(args=["seed", "demo", "--today", "2024-01-01"])
    assert result.exit_code != 0
    assert "2025 merger" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(args=["seed", "demo", "--today", "yesterday"])
    assert result.exit_code != 0
