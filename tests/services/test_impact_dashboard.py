"""The dashboard service: one projection for every table, and an export computes its table."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from linkage.extensions import db
from linkage.services.errors import DomainError
from linkage.services.impact import TABLE_SLUGS, ImpactFilters, build
from linkage.services.periods import Month, Period

from ..factories_impact import PERIOD, URBAN, small_province

MARCH = Period(Month.parse(PERIOD["period_start"]), Month.parse(PERIOD["period_end"]))


def _statements(app, work) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("slug", TABLE_SLUGS)
def test_one_table_equals_the_same_table_of_the_whole_dashboard(app, make_user, slug):
    small_province()
    official = make_user("official", province_wide=True)
    with app.test_request_context():
        whole = build(official, MARCH, ImpactFilters())
        one = build(official, MARCH, ImpactFilters(), only={slug})
    assert set(one.tables) == {slug}
    assert list(one.tables[slug].rows) == list(whole.tables[slug].rows)
    assert one.standard.code == whole.standard.code == "VN-2022-2025"


def test_the_monthly_export_needs_no_projection(app, make_user):
    small_province()
    official = make_user("official", province_wide=True)
    with app.test_request_context():
        statements = _statements(app, lambda: build(official, MARCH, ImpactFilters(), {"monthly"}))
        whole = _statements(app, lambda: build(official, MARCH, ImpactFilters()))
    assert not any("impact_projection" in s for s in statements)
    # the whole dashboard materialises the projection once and reads it for every grouping
    assert sum(s.lstrip().upper().startswith("CREATE") for s in whole) == 1
    assert sum("impact_projection" in s for s in whole) > 5


def test_outside_the_jurisdiction_is_404_even_for_one_table(app, make_user):
    small_province()
    official = make_user("official")  # Đạo Trù only
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        build(official, MARCH, ImpactFilters(commune=URBAN), {"monthly"})
    assert refused.value.status == 404
