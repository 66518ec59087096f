"""Kept projections: every household's projection stored for the periods the dashboard opens
with, so that a province's figures read 200,000 stored rows instead of computing them per
request (`models.KeptProjection`).

A stored row is read only while it is what `projection_query` would compute: every change
that can alter a household's projection writes the household into the outbox in its own
transaction (`linkage.services.aggregates.outbox`: its payments and attributed sales, the
household itself; a commune, a poverty standard or a product: every household), and readers
compute
the households found in the outbox live (`projection.kept_projection`). This worker then
recomputes those households and deletes the outbox rows it read, in one transaction; it is
the only writer of the kept rows (on PostgreSQL an advisory lock makes concurrent runs wait
their turn), so the rows are never written from an older state after a newer one.

`flask --app linkage impact refresh` keeps the standard periods (the 12 months ending with
the current month) and drains the outbox: run it every minute (cron or a systemd timer).
Between runs nothing is wrong, only slower: each changed household is read live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, text, union_all

from linkage.extensions import db
from linkage.services.aggregates import outbox
from linkage.services.aggregates.keys import month_of, number_of
from linkage.services.periods import Period, current_month
from linkage.services.scope import PUBLIC
from models import (
    ImpactOutbox,
    KeptCell,
    KeptPeriod,
    KeptProductRow,
    KeptProjection,
    PovertyStandard,
)
from models.types import utcnow

from . import cells
from .filters import ImpactFilters
from .projection import COLUMNS, projection_query, standard_for
from .sold_as import stored_product_rows

LOCK = 7_351_002  # the advisory lock of the worker (any constant the app uses for nothing else)
CHUNK = 5_000  # households recomputed (and outbox rows deleted) per statement


def standard_periods(now: datetime | None = None) -> list[Period]:
    """The periods the dashboard and the impact API open with: the 12 months ending with
    the current month."""
    end = current_month(now)
    return [Period.between(end.minus(11), end)]


def period_of(kept: KeptPeriod) -> Period:
    return Period(month_of(kept.first_month), month_of(kept.last_month))


def _delete_rows(kept_id: int, households: Sequence[int] | None = None) -> None:
    """A kept period's rows (projections and by product), of `households` or all (with
    its cells)."""
    tables = [KeptProjection.__table__, KeptProductRow.__table__]
    if households is None:
        tables.append(KeptCell.__table__)
    for table in tables:
        statement = delete(table).where(table.c.period_id == kept_id)
        if households is not None:
            statement = statement.where(table.c.household_id.in_(households))
        db.session.execute(statement)


@dataclass
class Refreshed:
    built: list[str] = field(default_factory=list)  # periods computed whole
    dropped: list[str] = field(default_factory=list)
    households: int = 0  # households recomputed from the outbox (periods not computed whole)
    outbox_rows: int = 0  # outbox rows read and deleted


def _lock() -> None:
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})


def _write(kept: KeptPeriod, standard: PovertyStandard, households: Sequence[int] | None) -> None:
    """The period's rows of `households` (None: every household) computed again: their
    projections, their incomes by product, by product category and by month, and the cells that
    sum them."""
    period = period_of(kept)
    projections, products = KeptProjection.__table__, KeptProductRow.__table__

    def fill(only: Sequence[int] | None) -> None:
        statement = projection_query(PUBLIC, period, standard, ImpactFilters(), only).subquery()
        columns = [projections.c.period_id, *(projections.c[c.name] for c in COLUMNS)]
        source = select(literal(kept.id), *statement.c)
        db.session.execute(insert(projections).from_select(columns, source))
        for grouping in cells.ROW_GROUPINGS:
            rows = cells.rows_of(grouping, PUBLIC, period, only).subquery()
            source = select(literal(kept.id), literal(grouping), *rows.c)
            columns = ["period_id", "grouping", "household_id", "pkey", "paid_vnd"]
            db.session.execute(insert(products).from_select([*columns, "attributed_vnd"], source))

    if households is None:
        _delete_rows(kept.id)
        fill(None)
        cells.add(kept.id)
        return
    for start in range(0, len(households), CHUNK):
        chunk = list(households[start : start + CHUNK])
        cells.add(kept.id, chunk, sign=-1)  # the cells without these rows as they were kept
        _delete_rows(kept.id, chunk)
        fill(chunk)
        cells.add(kept.id, chunk)


def keep(periods: Sequence[Period], refreshed: Refreshed | None = None) -> Refreshed:
    """Make `periods` the kept ones: a period not kept yet, or kept under another poverty
    standard than the one now in force, is computed whole; a kept period not among them is
    dropped (flushes; the caller commits)."""
    refreshed = refreshed or Refreshed()
    _lock()
    wanted = {(number_of(p.start), number_of(p.end)): p for p in periods}
    for kept in db.session.scalars(select(KeptPeriod)).all():
        if (kept.first_month, kept.last_month) not in wanted:
            _delete_rows(kept.id)
            db.session.delete(kept)
            refreshed.dropped.append(str(period_of(kept)))
    db.session.flush()
    for (first, last), period in sorted(wanted.items()):
        standard = standard_for(period)
        kept = db.session.scalar(
            select(KeptPeriod).where(KeptPeriod.first_month == first, KeptPeriod.last_month == last)
        )
        if kept is not None and kept.standard_id == standard.id:
            continue
        if kept is None:
            kept = KeptPeriod(first_month=first, last_month=last, standard_id=standard.id)
            db.session.add(kept)
        kept.standard_id, kept.built_at = standard.id, utcnow()
        db.session.flush()
        _write(kept, standard, None)
        refreshed.built.append(str(period))
    return refreshed


def _outbox_rows() -> list[Any]:
    _lock()
    return list(db.session.execute(select(ImpactOutbox.id, ImpactOutbox.household_id)).all())


def drain(refreshed: Refreshed | None = None, rows: list[Any] | None = None) -> Refreshed:
    """Recompute the households found in the outbox in every kept period, then delete the
    outbox rows read (flushes; the caller commits). A row for every household recomputes
    every period whole. `rows`: the outbox rows read before `refreshed.built` were computed
    whole (those periods hold them already)."""
    refreshed = refreshed or Refreshed()
    rows = _outbox_rows() if rows is None else rows
    if not rows:
        return refreshed
    households = sorted({h for _id, h in rows if h is not None})
    everyone = any(h is None for _id, h in rows)
    recomputed = 0  # households recomputed in the periods not computed whole
    for kept in db.session.scalars(select(KeptPeriod)).all():
        period = period_of(kept)
        if str(period) in refreshed.built:
            continue
        standard = standard_for(period)
        whole = everyone or kept.standard_id != standard.id
        kept.standard_id = standard.id
        if whole:
            kept.built_at = utcnow()
            refreshed.built.append(str(period))
        else:
            recomputed = len(households)
        _write(kept, standard, None if whole else households)
    refreshed.households += recomputed
    ids = [row_id for row_id, _h in rows]
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            delete(ImpactOutbox).where(ImpactOutbox.id.in_(ids[start : start + CHUNK]))
        )
    refreshed.outbox_rows += len(ids)
    db.session.flush()
    return refreshed


def refresh(now: datetime | None = None, *, whole: bool = False) -> Refreshed:
    """What the worker does each run: keep the standard periods, then drain the outbox
    (`whole`: recompute every kept period whole, as after a rebuild of the aggregates). The
    outbox is read first: a period computed whole in this run holds those rows' changes,
    and rows written meanwhile wait for the next run."""
    if whole:
        outbox.changed([outbox.EVERY_HOUSEHOLD])
    rows = _outbox_rows()
    return drain(keep(standard_periods(now)), rows)


def differences(limit: int = 50) -> dict[str, list[int]]:
    """For each kept period, the households (at most `limit`) whose stored row differs from
    what `projection_query` computes now, or that have a row on one side only; households in
    the outbox are left out (they are read live until the worker recomputes them)."""
    found: dict[str, list[int]] = {}
    k = KeptProjection
    for kept in db.session.scalars(select(KeptPeriod)).all():
        period = period_of(kept)
        standard = db.session.get(PovertyStandard, kept.standard_id)
        changed = select(ImpactOutbox.household_id).where(ImpactOutbox.household_id.is_not(None))
        stored = select(*(k.__table__.c[c.name] for c in COLUMNS)).where(
            k.period_id == kept.id, k.household_id.not_in(changed)
        )
        fresh = projection_query(PUBLIC, period, standard, ImpactFilters()).subquery("fresh")
        computed = select(fresh).where(fresh.c.household_id.not_in(changed))
        pairs = [(stored, computed)]
        for grouping in cells.ROW_GROUPINGS:
            pairs.append(
                (
                    _not_changed(stored_product_rows(grouping, kept.id), changed),
                    _not_changed(cells.rows_of(grouping, PUBLIC, period), changed),
                )
            )
        ids: set[int] = set()
        for pair in pairs:
            for one, other in (pair, pair[::-1]):
                gap = one.except_(other).subquery("gap")
                ids.update(db.session.scalars(select(gap.c[0]).limit(limit)))
        if ids:
            found[str(period)] = sorted(ids)[:limit]
    return found


def cell_differences() -> list[str]:
    """The kept periods whose cells differ from the sums of their kept rows."""
    found = []
    for kept in db.session.scalars(select(KeptPeriod)).all():
        c = KeptCell.__table__
        stored = select(c.c.grouping, *(c.c[name] for name in (*cells.KEYS, *cells.SUMS))).where(
            c.c.period_id == kept.id
        )
        every = union_all(*cells.kept_groupings(kept.id)).subquery("summed")
        summed = select(every)  # (SQLite compounds no compound without a subquery)
        for one, other in ((stored, summed), (summed, stored)):
            gap = one.except_(other).subquery("gap")
            if db.session.scalar(select(func.count()).select_from(gap)):
                found.append(str(period_of(kept)))
                break
    return found


def _not_changed(statement: Any, changed: Any) -> Any:
    """The rows by product of households not in the outbox."""
    rows = statement.subquery()
    return select(rows).where(rows.c.hid.not_in(changed))
