"""Importing member households from a CSV file, all or nothing: every row checked and every
problem reported first; a clean file written with set-based INSERTs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select

from linkage.extensions import db
from linkage.services import audit
from linkage.services.periods import current_day
from linkage.services.scope import require_manager
from models import AuditAction, Cooperative, Household, Membership, User, utcnow

from .commands import AUDITED_FIELDS
from .csv_file import ImportRejected, RowError, read_csv
from .values import COLUMNS, OPTIONAL_COLUMNS, clean_values, load_reference

CHUNK = 500
# Core INSERTs of the tables (not the ORM's bulk path): the same SQL, less Python work.
HOUSEHOLDS = Household.__table__


def import_households(actor: User, cooperative: Cooperative, data: bytes) -> int:
    """Import member households from CSV, all or nothing; returns how many were created.

    Every row is checked first and every problem reported (ImportRejected); only a clean
    file is written, with set-based INSERTs of households, memberships and audit entries.
    """
    require_manager(actor, cooperative.id)
    records, errors = read_csv(data)
    ref = load_reference()
    names = (*COLUMNS, *OPTIONAL_COLUMNS)
    rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for number, values in records:
        clean, problems = clean_values(values, names, ref)
        errors.extend(RowError(number, field, message) for field, message in problems)
        code = clean.get("code")
        if code in first_row:
            message = _("The code %(code)s is also in row %(row)d.", code=code, row=first_row[code])
            errors.append(RowError(number, "code", message))
        elif code is not None:
            first_row[code] = number
        rows.append(clean)
    for chunk in _chunks(list(first_row)):
        for code in db.session.scalars(select(Household.code).where(Household.code.in_(chunk))):
            message = _("A household with the code %(code)s already exists.", code=code)
            errors.append(RowError(first_row[code], "code", message))
    if errors:
        order = {name: index for index, name in enumerate(("file", "row", *names))}
        errors.sort(key=lambda e: (e.row, order.get(e.field, len(order))))
        raise ImportRejected(errors)
    return _insert_households(actor, cooperative, rows)


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_households(actor: User, cooperative: Cooperative, rows: list[dict[str, Any]]) -> int:
    now = utcnow()
    today = current_day()
    for row in rows:
        row.pop("consent")
        # the file has no date for the official status: it stays blank, not "today"
        row.update(official_status_on=None, consent_at=now, consent_by_id=actor.id)
        row.update(created_at=now, updated_at=now)
        if row["official_status"] is None or row["ethnic_group_code"] is None:
            row["needs_review"] = True
    for chunk in _chunks(rows):
        db.session.execute(insert(HOUSEHOLDS), chunk)
    # Plain executemany, then the ids by code: INSERT ... RETURNING of many rows is slow to
    # send through psycopg (one huge statement per chunk), and codes are unique.
    ids: dict[str, int] = {}
    for codes in _chunks([row["code"] for row in rows]):
        found = db.session.execute(
            select(HOUSEHOLDS.c.code, HOUSEHOLDS.c.id).where(HOUSEHOLDS.c.code.in_(codes))
        )
        ids.update({code: household_id for code, household_id in found})
    memberships = [
        {"household_id": ids[row["code"]], "cooperative_id": cooperative.id, "joined_on": today}
        for row in rows
    ]
    for chunk in _chunks(memberships):
        db.session.execute(insert(Membership.__table__), chunk)
    created = [(ids[row["code"]], _audit_values(row, cooperative.id, today)) for row in rows]
    audit.record_imported(actor, "household", created, now, chunk=CHUNK)
    audit.record(
        actor,
        AuditAction.CREATE,
        "household_import",
        cooperative.id,
        new={"cooperative_id": cooperative.id, "created": len(rows)},
    )
    db.session.flush()
    return len(rows)


def _audit_values(row: Mapping[str, Any], cooperative_id: int, today: date) -> dict[str, Any]:
    values = {name: row[name] for name in AUDITED_FIELDS}
    status = row["official_status"]
    values["official_status"] = status.value if status is not None else None
    values.update(cooperative_id=cooperative_id, joined_on=today.isoformat(), source="csv")
    return values
