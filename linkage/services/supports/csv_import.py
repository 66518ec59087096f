"""Importing supports from a CSV file (officials and admins), all or nothing: every row checked
and every problem reported first; a clean file is written in one go, each support audited.

Households are named by their code and must be in the official's jurisdiction (and in the
chosen commune, when one is given); a household outside it reads as unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from linkage.extensions import db
from linkage.services import audit
from linkage.services.errors import DomainError, NotFound
from linkage.services.households import ImportRejected, RowError
from linkage.services.jurisdiction import communes_of
from linkage.services.scope import household_scope
from models import AuditAction, Household, Role, Support, User, utcnow

from .csv_file import COLUMNS, read_file, typed_values
from .queries import counted_supports
from .values import clean_support, product_ids

CHUNK = 500
# The rows a support is told apart by: importing the same list twice must not count it twice.
Identity = tuple[int, str, Any, int]


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_importer(actor: User, commune_code: str | None) -> None:
    if actor.role not in (Role.OFFICIAL, Role.ADMIN):
        raise DomainError(_("Only officials import supports from a file."), status=403)
    if commune_code is not None and commune_code not in {c.code for c in communes_of(actor)}:
        raise NotFound(_("Commune not found."), field="commune")


def _households(actor: User, codes: list[str]) -> dict[str, tuple[int, str]]:
    """(id, commune code) of the named households the actor may see, by code."""
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(codes):
        statement = select(Household.code, Household.id, Household.commune_code).where(
            Household.code.in_(chunk), household_scope(actor)
        )
        found.update({code: (id_, commune) for code, id_, commune in db.session.execute(statement)})
    return found


def _recorded(household_ids: list[int]) -> set[Identity]:
    """The supports already recorded (and counted) for these households, as identities."""
    known: set[Identity] = set()
    for chunk in _chunks(household_ids):
        rows = counted_supports().where(Support.household_id.in_(chunk))
        known.update(
            (row.household_id, str(row.programme), row.received_on, row.amount_vnd)
            for row in db.session.execute(rows)
        )
    return known


def import_supports(actor: User, data: bytes, commune_code: str | None = None) -> int:
    """Import supports from CSV, all or nothing; returns how many were recorded.

    Every row is checked first (its household, values, and that it is not already recorded
    nor twice in the file) and every problem reported (ImportRejected); only a clean file
    is written. `commune_code` limits the file to the households of one commune.
    """
    _check_importer(actor, commune_code)
    file = read_file(data)
    errors = list(file.errors)
    typed: list[tuple[int, dict[str, Any], set[str]]] = []
    for number, cells in file.rows:
        values, unread = typed_values(cells, file.language)
        errors.extend(RowError(number, e.field, e.message) for e in unread)
        typed.append((number, values, {e.field for e in unread}))
    codes = sorted({values["household_code"] for _n, values, _f in typed} - {""})
    households = _households(actor, codes)
    products = product_ids({v["purpose_product_code"] for _n, v, _f in typed} - {None})
    known = _recorded(sorted({id_ for id_, _commune in households.values()}))
    first_row: dict[Identity, int] = {}
    rows: list[dict[str, Any]] = []
    for number, values, unread_fields in typed:
        clean, problems = clean_support(values, products)
        # a cell that could not be read has its message already
        problems = [(field, message) for field, message in problems if field not in unread_fields]
        errors.extend(RowError(number, field, message) for field, message in problems)
        household = _household_of(number, values["household_code"], households, commune_code)
        if isinstance(household, RowError):
            errors.append(household)
            continue
        if problems or unread_fields:
            continue
        identity = (household, clean["programme"].value, clean["received_on"], clean["amount_vnd"])
        if identity in known:
            message = _(
                "This support is already recorded: same household, programme, date and amount."
            )
            errors.append(RowError(number, "row", message))
        elif identity in first_row:
            message = _("The same support is also in row %(row)d.", row=first_row[identity])
            errors.append(RowError(number, "row", message))
        else:
            first_row[identity] = number
            rows.append({"household_id": household, **clean})
    if errors:
        fields = ("file", "row", *(column.key for column in COLUMNS))
        order = {name: index for index, name in enumerate(fields)}
        errors.sort(key=lambda e: (e.row, order.get(e.field, len(order))))
        raise ImportRejected(errors)
    return _insert(actor, rows, commune_code)


def _household_of(
    number: int, code: str, households: dict[str, tuple[int, str]], commune_code: str | None
) -> int | RowError:
    if not code:
        return RowError(number, "household_code", _("Enter the household code."))
    if code not in households:
        message = _("No household with the code %(code)s in your communes.", code=code[:40])
        return RowError(number, "household_code", message)
    household_id, commune = households[code]
    if commune_code is not None and commune != commune_code:
        message = _(
            "Household %(code)s does not live in the commune chosen for this file.", code=code
        )
        return RowError(number, "household_code", message)
    return household_id


def _insert(actor: User, rows: list[dict[str, Any]], commune_code: str | None) -> int:
    now = utcnow()
    supports = [Support(**row, recorded_by_id=actor.id, created_at=now) for row in rows]
    db.session.add_all(supports)
    db.session.flush()  # one INSERT of many rows (with their ids)
    created = [
        (support.id, {**_plain(row), "source": "csv"})
        for support, row in zip(supports, rows, strict=True)
    ]
    audit.record_imported(actor, "support", created, now, chunk=CHUNK)
    audit.record(
        actor,
        AuditAction.CREATE,
        "support_import",
        commune_code,
        new={"commune_code": commune_code, "imported": len(rows)},
    )
    db.session.flush()
    return len(rows)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "programme": row["programme"].value,
        "received_on": row["received_on"].isoformat(),
    }
