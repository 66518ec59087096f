"""Kept projections: the figures of a kept period read stored rows (and the households changed
since, live) and equal the figures computed whole, for every reader, scope and filter; every
change that can alter a projection reaches the outbox; a period that cannot be read from the
kept rows falls back to computing them; the worker recomputes what the outbox names and
nothing else; `flask impact verify` finds a kept row that is wrong."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from linkage.extensions import db
from linkage.services import households as household_service
from linkage.services.impact import (
    GroupBy,
    ImpactFilters,
    build,
    households_page,
    kept,
    materialised,
    monthly,
    public_impact,
    summarise,
)
from linkage.services.impact import projection as projection_module
from linkage.services.impact.filters import EthnicityGroup
from linkage.services.impact.household_list import Sort
from linkage.services.impact.poverty import Transition
from linkage.services.impact.projection import kept_period, standard_for
from linkage.services.periods import Month, Period
from linkage.services.valuechain import payments, record_collection
from models import (
    Area,
    Commune,
    Cooperative,
    Household,
    ImpactOutbox,
    KeptCell,
    KeptPeriod,
    KeptProjection,
    Listing,
    OfficialStatus,
    PovertyStandard,
    User,
)

from ..factories import HouseholdFactory, MembershipFactory, UserFactory, product
from ..factories_impact import PERIOD, RURAL, URBAN, WHEN, small_province
from ..factories_valuechain import lot_of

MARCH = Period(Month.parse(PERIOD["period_start"]), Month.parse(PERIOD["period_end"]))


@pytest.fixture
def province(app) -> dict[str, Any]:
    made = small_province()
    db.session.commit()
    kept.keep([MARCH])
    kept.drain()
    db.session.commit()
    return made


@pytest.fixture
def toggle_area(app) -> Iterator[Callable[[], None]]:
    """Change the area of Đạo Trù (urban or rural: its households' poverty line), and change
    it back at the end (the communes are reference data, kept from test to test)."""
    before = db.session.get(Commune, RURAL).area

    def toggle() -> None:
        commune = db.session.get(Commune, RURAL)
        commune.area = Area.URBAN if commune.area == Area.RURAL else Area.RURAL
        db.session.commit()

    yield toggle
    db.session.rollback()
    db.session.get(Commune, RURAL).area = before
    db.session.commit()


def _outbox() -> list[int | None]:
    return sorted(
        db.session.scalars(select(ImpactOutbox.household_id)).all(), key=lambda h: (h is None, h)
    )


def _figures(actor: Any) -> dict[str, Any]:
    """What the officials' pages read, in one plain structure."""
    dashboard = build(actor, MARCH, ImpactFilters())
    figures: dict[str, Any] = {
        "tables": {slug: table.rows for slug, table in dashboard.tables.items()},
        "figures": {str(k): v for k, v in dashboard.figures.items()},
    }
    for group in GroupBy:
        if group == GroupBy.SUPPORT_PROGRAMME:
            continue
        summary = summarise(actor, MARCH, group, ImpactFilters())
        figures[group.value] = (summary.rows, summary.totals)
    for sort in Sort:
        figures[f"households {sort}"] = households_page(actor, MARCH, ImpactFilters(), 1, 50, sort)[
            1:
        ]
    for filters in (
        ImpactFilters(ethnicity_group=EthnicityGroup.MINORITY),
        ImpactFilters(commune=RURAL, official_status=OfficialStatus.POOR),
        ImpactFilters(projected_status=OfficialStatus.NOT_POOR),
        ImpactFilters(transition=Transition.UNCHANGED),
        ImpactFilters(commune=RURAL, transition=Transition.EXIT),
    ):
        summary = summarise(actor, MARCH, GroupBy.COMMUNE, filters)
        figures[str(filters)] = (summary.rows, summary.totals)
        figures[f"households {filters}"] = households_page(actor, MARCH, filters, 1, 50)[1:]
    return figures


def _computed_whole(read: Any) -> Any:
    """`read()` with the kept period out of the way (computed from the aggregates)."""
    with db.session.begin_nested() as savepoint:
        db.session.execute(update(KeptPeriod).values(first_month=190001, last_month=190001))
        assert kept_period(MARCH, standard_for(MARCH)) is None
        value = read()
        savepoint.rollback()
    return value


def _reads_kept(actor: Any) -> bool:
    with materialised(actor, MARCH, ImpactFilters()) as projection:
        return projection.kept_id is not None and projection.table.name == "projection"


@pytest.mark.parametrize("who", ["province", "commune"])
def test_a_kept_period_reads_the_kept_rows_with_the_same_figures(province, who, in_english):
    actor = UserFactory(role="official", province_wide=who == "province")
    db.session.commit()
    assert _reads_kept(actor)
    assert db.session.scalar(select(func.count()).select_from(KeptProjection)) == 4
    assert _figures(actor) == _computed_whole(lambda: _figures(actor))


def test_the_households_changed_since_are_read_live(province, make_user, in_english):
    manager = make_user("manager", cooperatives=[province["a"]])
    official = UserFactory(role="official", province_wide=True)
    db.session.commit()
    payments.record_payment(manager, province["a"], province["poor"].id, 2_500_000, "other", WHEN)
    household_service.update_household(manager, province["near"], {"members": "3"})
    # a household that moves to another commune and ethnicity: out of its cells, into others
    household_service.update_household(
        manager, province["rich"], {"commune_code": URBAN, "ethnicity": "Mường"}
    )
    db.session.commit()
    assert _outbox() == sorted([province["poor"].id, province["near"].id, province["rich"].id])
    # the stored rows are those of before, and the figures those of now
    period_id = db.session.scalar(select(KeptPeriod.id))
    stored = db.session.get(KeptProjection, (period_id, province["poor"].id))
    assert stored is not None
    assert _reads_kept(official)
    now = _figures(official)
    assert now == _computed_whole(lambda: _figures(official))
    rows = {row["code"]: row for row in households_page(official, MARCH, ImpactFilters(), 1, 9)[1]}
    assert rows["H-POOR"]["platform_income_vnd"] == stored.platform_income_vnd + 2_500_000
    assert rows["H-NEAR"]["members"] == 3
    # the worker's run: the two households recomputed, the outbox empty, the same figures
    refreshed = kept.drain()
    db.session.commit()
    assert (refreshed.households, refreshed.outbox_rows) == (3, 3)
    assert _outbox() == []
    assert kept.differences() == {}
    assert kept.cell_differences() == []
    assert _figures(official) == now


@pytest.mark.parametrize("who", ["province", "commune"])
def test_the_summaries_and_months_read_the_kept_cells(province, who):
    """A cell changed by hand shows in what reads the cells (so they are read), and not in
    what they cannot answer (a cooperative's figures group the rows)."""
    actor = UserFactory(role="official", province_wide=who == "province")
    db.session.commit()
    by_cooperative = ImpactFilters(cooperative=province["a"].id)
    before = (
        summarise(actor, MARCH, GroupBy.COMMUNE, ImpactFilters()).totals,
        summarise(actor, MARCH, GroupBy.PRODUCT, ImpactFilters()).totals,
        monthly(actor, MARCH, ImpactFilters()),
        summarise(actor, MARCH, GroupBy.COMMUNE, by_cooperative).totals,
    )
    cell = KeptCell.__table__.c
    for grouping in ("household", "month"):
        db.session.execute(
            update(KeptCell)
            .where(cell.grouping == grouping, cell.commune_code == RURAL)
            .where(cell.official_status != "")
            .values(platform_vnd=cell.platform_vnd + 7)
        )
    db.session.commit()
    communes, products, months, cooperative = before
    assert summarise(actor, MARCH, GroupBy.COMMUNE, ImpactFilters()).totals[
        "platform_income_vnd"
    ] == communes["platform_income_vnd"] + 7 * _cells(RURAL, "household")
    # the totals of a grouping by product are those of the household cells
    assert summarise(actor, MARCH, GroupBy.PRODUCT, ImpactFilters()).totals[
        "platform_income_vnd"
    ] == products["platform_income_vnd"] + 7 * _cells(RURAL, "household")
    march = {row["month"]: row["platform_income_vnd"] for row in months}["2026-03"]
    now = {row["month"]: row for row in monthly(actor, MARCH, ImpactFilters())}
    assert now["2026-03"]["platform_income_vnd"] == march + 7 * _cells(RURAL, "month")
    assert summarise(actor, MARCH, GroupBy.COMMUNE, by_cooperative).totals == cooperative


def _cells(commune: str, grouping: str) -> int:
    """How many cells of known households a commune has in a grouping."""
    return db.session.scalar(
        select(func.count())
        .select_from(KeptCell)
        .where(
            KeptCell.grouping == grouping,
            KeptCell.commune_code == commune,
            KeptCell.official_status != "",
        )
    )


def test_every_change_of_a_projection_reaches_the_outbox(province, toggle_area, make_user):
    made = province
    manager = make_user("manager", cooperatives=[made["a"]])
    assert _outbox() == []
    household = db.session.get(Household, made["rich"].id)
    household.deprivations = 4  # any change through the ORM, whatever service makes it
    db.session.commit()
    assert _outbox() == [made["rich"].id]
    new = HouseholdFactory(code="H-NEW", commune_code=RURAL)
    db.session.commit()
    assert new.id in _outbox()
    toggle_area()  # every household's line may change
    assert None in _outbox()
    # the product of a listing (its sales are attributed under it), or a product itself
    kept.drain()
    db.session.commit()
    listing = db.session.scalar(select(Listing).order_by(Listing.id))
    other = "PT-BA-KICH-TUOI" if listing.product.code != "PT-BA-KICH-TUOI" else "PT-BA-KICH-KHO"
    listing.product = product(other)
    db.session.commit()
    assert _outbox() == [None]
    kept.drain()
    listing.quantity_available += 1  # its stock is no change of anyone's income
    db.session.commit()
    assert _outbox() == []
    named = product(other)
    before, named.name_en = named.name_en, "Morinda, renamed"
    db.session.commit()
    named.name_en = before  # reference data: as it was for the other tests
    db.session.commit()
    assert _outbox() == [None, None]
    # a delivery paid 0 dong: no sum changes, but the household is paid there
    lot = lot_of(made["a"])
    kept.drain()
    db.session.commit()
    record_collection(manager, lot, made["near"].id, Decimal(2), 0, WHEN)
    db.session.commit()
    assert _outbox() == [made["near"].id]
    # a household whose memberships alone change is not a change of its projection
    kept.drain()
    db.session.commit()
    MembershipFactory(cooperative=made["b"], household=db.session.get(Household, made["rich"].id))
    db.session.commit()
    assert _outbox() == []


def test_a_period_that_cannot_be_read_from_kept_rows_is_computed_whole(
    province, monkeypatch, toggle_area, in_english
):
    official = UserFactory(role="official", province_wide=True)
    db.session.commit()
    expected = _figures(official)
    standard = standard_for(MARCH)
    # not kept
    assert kept_period(Period(Month(2026, 2), Month(2026, 3)), standard) is None
    # more households changed than are worth reading live
    monkeypatch.setattr(projection_module, "LIVE_LIMIT", 1)
    for name in ("rich", "poor"):
        db.session.get(Household, province[name].id).members += 1
    db.session.commit()
    assert len(set(_outbox())) == 2
    assert kept_period(MARCH, standard) is None
    assert not _reads_kept(official)
    monkeypatch.undo()
    assert kept_period(MARCH, standard) is not None
    # every household changed (a commune's area): computed whole until the worker runs
    toggle_area()
    assert kept_period(MARCH, standard) is None
    changed = _figures(official)
    assert changed != expected  # Đạo Trù's households now measured against another line
    refreshed = kept.drain()
    db.session.commit()
    assert refreshed.outbox_rows >= 1 and _outbox() == []
    assert _reads_kept(official)
    assert _figures(official) == changed


def test_keep_builds_drops_and_rebuilds_under_another_standard(province):
    february = Period(Month(2026, 2), Month(2026, 2))
    refreshed = kept.keep([february])
    db.session.commit()
    assert refreshed.built == [str(february)] and refreshed.dropped == [str(MARCH)]
    assert [(k.first_month, k.last_month) for k in db.session.scalars(select(KeptPeriod))] == [
        (202602, 202602)
    ]
    assert kept.keep([february]).built == []  # kept already, under the standard in force
    other = db.session.scalar(
        select(PovertyStandard.id).where(PovertyStandard.id != standard_for(february).id)
    )
    db.session.execute(update(KeptPeriod).values(standard_id=other))
    assert kept_period(february, standard_for(february)) is None  # never read
    assert kept.keep([february]).built == [str(february)]
    assert kept_period(february, standard_for(february)) is not None


def test_the_worker_deletes_only_the_outbox_rows_it_read(province, monkeypatch):
    """A change committed while the worker computes keeps its outbox row for the next run."""
    rich = province["rich"].id
    db.session.get(Household, rich).deprivations = 4
    db.session.commit()
    write = kept._write

    def write_then_a_change_arrives(*args: Any) -> None:
        write(*args)
        db.session.add(ImpactOutbox(household_id=province["poor"].id))
        db.session.flush()

    monkeypatch.setattr(kept, "_write", write_then_a_change_arrives)
    refreshed = kept.drain()
    db.session.commit()
    assert (refreshed.households, refreshed.outbox_rows) == (1, 1)
    assert _outbox() == [province["poor"].id]


def test_verify_finds_a_kept_row_that_is_wrong(province, runner):
    assert runner.invoke(args=["impact", "verify"]).exit_code == 0
    row = db.session.get(KeptProjection, (_kept_id(), province["poor"].id))
    row.platform_income_vnd += 1
    # its cell as the worker would have kept it with the wrong row
    db.session.execute(
        update(KeptCell)
        .where(
            KeptCell.grouping == "household",
            KeptCell.commune_code == row.commune_code,
            KeptCell.ethnic_group_code == (row.ethnic_group_code or ""),
            KeptCell.official_status == (row.official_status or ""),
            KeptCell.transition == (row.transition or ""),
        )
        .values(platform_vnd=KeptCell.platform_vnd + 1)
    )
    db.session.commit()
    result = runner.invoke(args=["impact", "verify"])
    assert result.exit_code == 1, result.output
    assert f"households {province['poor'].id} differ" in result.output
    # once it is in the outbox, it is read live: nothing wrong is read
    db.session.add(ImpactOutbox(household_id=province["poor"].id))
    db.session.commit()
    assert runner.invoke(args=["impact", "verify"]).exit_code == 0
    # the worker recomputes it (and its cell) in the kept period
    refreshed = kept.drain()
    db.session.commit()
    assert (refreshed.built, refreshed.households, refreshed.outbox_rows) == ([], 1, 1)
    assert _kept_id() is not None
    assert runner.invoke(args=["impact", "verify"]).exit_code == 0


def test_verify_finds_a_kept_cell_that_is_wrong(province, runner, in_english):
    db.session.execute(
        update(KeptCell)
        .where(KeptCell.grouping == GroupBy.PRODUCT.value)
        .values(households=KeptCell.households + 1)
    )
    db.session.commit()
    result = runner.invoke(args=["impact", "verify"])
    assert result.exit_code == 1, result.output
    assert "the kept cells differ from the sums of the kept rows" in result.output
    assert "impact refresh --whole" in result.output
    # what --whole asks of the worker: the kept period computed whole, rows and cells
    db.session.add(ImpactOutbox(household_id=None))
    db.session.commit()
    refreshed = kept.drain()
    db.session.commit()
    assert (refreshed.built, refreshed.households) == ([str(MARCH)], 0)
    assert runner.invoke(args=["impact", "verify"]).exit_code == 0
    # the command: the standard period computed once (March, not standard, dropped)
    result = runner.invoke(args=["impact", "refresh", "--whole"])
    assert result.exit_code == 0, result.output
    assert "1 period(s) computed whole (" in result.output
    assert "1 dropped, 0 household(s) recomputed from 1 outbox row(s)" in result.output
    assert runner.invoke(args=["impact", "verify"]).exit_code == 0


def _kept_id() -> int:
    return db.session.scalar(select(KeptPeriod.id))


def test_the_public_figures_read_the_kept_rows_alike(province, in_english):
    kept_figures = asdict(public_impact(MARCH))
    assert kept_figures == _computed_whole(lambda: asdict(public_impact(MARCH)))


@pytest.mark.postgres
def test_a_change_committed_while_the_worker_runs_waits_for_its_next_run(
    app, province, make_user, monkeypatch, in_english
):
    """On PostgreSQL, with the worker and a writer in two sessions: the worker reads the
    outbox, a payment commits, the worker recomputes and commits. The payment's outbox row
    is still there (its household is read live, then recomputed by the next run)."""
    manager_id = make_user("manager", cooperatives=[province["a"]]).id
    cooperative_id, household_id = province["a"].id, province["poor"].id
    db.session.get(Household, province["rich"].id).members += 1
    db.session.commit()
    outbox_read, payment_committed = threading.Event(), threading.Event()
    write = kept._write

    def write_after_the_payment(*args: Any) -> None:
        outbox_read.set()
        assert payment_committed.wait(20)
        write(*args)

    monkeypatch.setattr(kept, "_write", write_after_the_payment)
    errors: list[BaseException] = []

    def in_context(action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                with app_context():
                    action()
            except BaseException as error:  # reported by the test below
                errors.append(error)
                outbox_read.set()
                payment_committed.set()

        return run

    def worker() -> None:
        kept.drain()
        db.session.commit()

    def writer() -> None:
        assert outbox_read.wait(20)
        manager = db.session.get(User, manager_id)
        cooperative = db.session.get(Cooperative, cooperative_id)
        payments.record_payment(manager, cooperative, household_id, 7_000, "other", WHEN)
        db.session.commit()
        payment_committed.set()

    app_context = app.app_context
    threads = [threading.Thread(target=in_context(job)) for job in (worker, writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    db.session.rollback()  # a fresh snapshot
    assert _outbox() == [household_id]
    assert kept.differences() == {}
    official = UserFactory(role="official", province_wide=True)
    db.session.commit()
    assert _figures(official) == _computed_whole(lambda: _figures(official))
    monkeypatch.undo()
    assert kept.drain().outbox_rows == 1
    db.session.commit()
    assert _outbox() == [] and kept.differences() == {}


@pytest.mark.parametrize(
    "filters",
    [
        ImpactFilters(),
        ImpactFilters(commune=RURAL),
        ImpactFilters(ethnicity_group=EthnicityGroup.MINORITY),
        ImpactFilters(official_status=OfficialStatus.POOR),
    ],
    ids=["none", "commune", "minority", "poor"],
)
@pytest.mark.parametrize("who", ["province", "commune"])
def test_the_months_add_up_to_the_summary_for_every_scope_and_filter(
    province, who, filters, in_english
):
    """The monthly series reads the aggregates from the households asked (a scope or a
    filter) or for every household; either way its months add up to the summary's totals."""
    actor = UserFactory(role="official", province_wide=who == "province")
    db.session.commit()
    months = monthly(actor, MARCH, filters)
    totals = summarise(actor, MARCH, GroupBy.COMMUNE, filters).totals
    for column in ("platform_income_vnd", "attributed_sales_vnd"):
        assert sum(month[column] for month in months) == totals[column], column
    # not a sum of nothing: the scope's households were paid in March
    assert any(month["platform_income_vnd"] for month in monthly(actor, MARCH, ImpactFilters()))
