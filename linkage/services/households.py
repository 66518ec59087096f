"""Member households of a cooperative: register, edit, list, join and import from CSV.

One set of rules (`clean_values`) checks a household's values whether they come from the
API, the HTML form or a CSV row, so the three entry points accept and refuse the same things.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, case, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound, UnknownReference
from linkage.text import fold
from models import (
    AuditAction,
    AuditEntry,
    Commune,
    Cooperative,
    EthnicGroup,
    Household,
    Membership,
    OfficialStatus,
    OfficialStatusChange,
    Role,
    User,
    utcnow,
)

from . import audit
from .cooperatives import get_cooperative_for
from .periods import VIETNAM
from .reclassification import record_change
from .scope import household_scope, manages
from .search import contains_folded

COLUMNS = (
    "code",
    "head_name",
    "commune_code",
    "members",
    "ethnicity",
    "official_status",
    "deprivations",
    "baseline_income_vnd",
    "meritorious",
    "consent",
)
OPTIONAL_COLUMNS = ("needs_review",)
EDITABLE = (
    "code",
    "head_name",
    "commune_code",
    "members",
    "ethnicity",
    "deprivations",
    "baseline_income_vnd",
    "meritorious",
    "needs_review",
)
AUDITED_FIELDS = (
    "code",
    "head_name",
    "commune_code",
    "members",
    "ethnic_group_code",
    "official_status",
    "official_status_on",
    "deprivations",
    "baseline_income_vnd",
    "meritorious",
    "needs_review",
)
MAX_CODE = 40
MAX_NAME = 120
MAX_MEMBERS = 99
MAX_INCOME_VND = 10**15
MAX_IMPORT_ROWS = 20_000
CHUNK = 500
# Eager loads for lists and records: no query per household.
LOAD_OPTIONS = (
    joinedload(Household.ethnic_group),
    joinedload(Household.commune),
    selectinload(Household.memberships),
)

# Other spellings in use for some groups (keys as made by `ethnicity_key`).
ETHNICITY_ALIASES = {
    "hmong": "08",
    "jarai": "10",
    "rhade": "12",
    "bahnar": "13",
    "sedang": "14",
    "kho": "16",
    "vankieu": "23",
    "bru": "23",
    "katu": "26",
    "khmu": "29",
}
_SEPARATORS = re.compile(r"[\s'’‘`´\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,18}")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([., \u00a0])[0-9]{3})(?:\1[0-9]{3})*")
_TRUE = {"true", "1", "yes", "co"}
_FALSE = {"false", "0", "no", "khong"}
# "Not yet known" is a choice, spelled these ways (folded, "_" and "-" as spaces).
NOT_YET_KNOWN = "not_yet_known"
_UNKNOWN_WORDS = {"not yet known", "unknown", "chua ro", "chua biet", "khong ro"}
_STATUS_WORDS = {
    "poor": OfficialStatus.POOR,
    "near poor": OfficialStatus.NEAR_POOR,
    "not poor": OfficialStatus.NOT_POOR,
    "ngheo": OfficialStatus.POOR,
    "can ngheo": OfficialStatus.NEAR_POOR,
    "khong ngheo": OfficialStatus.NOT_POOR,
}


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


# --- checking values ------------------------------------------------------------------------


class _Invalid(Exception):
    """One value is not valid; the message is for the user."""


@dataclass(frozen=True)
class Reference:
    """Commune codes and ethnic groups, fetched once to check many households."""

    communes: frozenset[str]
    groups: Mapping[str, EthnicGroup]


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """`fold`, remembered: a file repeats the same few group names, statuses and yes/no."""
    return fold(text)


def ethnicity_key(text: str) -> str:
    """'H'Mông', 'Hmong' -> 'hmong': folded, without spaces, hyphens and apostrophes."""
    return _SEPARATORS.sub("", _fold(text))


def ethnicity_index() -> dict[str, EthnicGroup]:
    """The 54 groups by the keys of their Vietnamese name, name without diacritics, aliases."""
    groups = list(db.session.scalars(select(EthnicGroup)))
    by_code = {group.code: group for group in groups}
    index: dict[str, EthnicGroup] = {}
    for group in groups:
        index[ethnicity_key(group.name_vi)] = group
        index[ethnicity_key(group.name_ascii)] = group
    for alias, code in ETHNICITY_ALIASES.items():
        if code in by_code:
            index.setdefault(alias, by_code[code])
    return index


def resolve_ethnicity(text: str) -> EthnicGroup:
    """The ethnic group named `text` (with or without diacritics, any case); 422 if unknown."""
    group = ethnicity_index().get(ethnicity_key(text or ""))
    if group is None:
        raise UnknownReference(_unknown_ethnicity(text or ""), field="ethnicity")
    return group


def load_reference() -> Reference:
    return Reference(
        communes=frozenset(db.session.scalars(select(Commune.code))), groups=ethnicity_index()
    )


def _unknown_ethnicity(text: str) -> str:
    return _(
        "Unknown ethnic group “%(name)s”. Use one of Vietnam's 54 ethnic groups, "
        "for example Kinh, Mường, Dao, Tày, Sán Dìu, H'Mông.",
        name=text[:40],
    )


# Messages are lazy: a 20,000-row file must not translate 200,000 messages it never shows.
_MISSING = {
    "code": _l("Enter the household code."),
    "head_name": _l("Enter the name of the head of household."),
    "commune_code": _l("Enter the commune code."),
    "ethnicity": _l("Enter the ethnic group, or “chưa rõ” if it is not yet known."),
}
_WRONG = {
    "members": _l("Enter the number of people in the household, from 1 to %(n)d.", n=MAX_MEMBERS),
    "deprivations": _l("Enter how many of the 12 deprivation indicators apply, from 0 to 12."),
    "baseline_income_vnd": _l("Enter the income in đồng per person per month, digits only."),
    "yes_no": _l("Enter yes or no (có or không, true or false, 1 or 0)."),
    "official_status": _l(
        "Enter the official status: nghèo, cận nghèo, không nghèo, or chưa rõ if it is not yet "
        "known (poor, near_poor, not_poor or unknown)."
    ),
}


class _Absent:
    """A field the input does not have at all (a short CSV row): missing, as an empty one
    is, and never taken for "not yet known" (which is None, or the word)."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Any = _Absent()


def _text(value: Any, max_length: int, missing: Any) -> str:
    blank = value is None or value is _ABSENT
    text = unicodedata.normalize("NFC", "" if blank else str(value)).strip()
    if not text:
        raise _Invalid(missing)
    if _CONTROL.search(text):
        raise _Invalid(_("Remove the control characters (such as tabs or line breaks)."))
    if len(text) > max_length:
        raise _Invalid(_("Use at most %(n)d characters.", n=max_length))
    return text


def _whole(value: Any, low: int, high: int, message: Any, *, grouped: bool = False) -> int:
    if isinstance(value, str):
        text = value.strip()
        if grouped and _GROUPED.fullmatch(text):
            text = re.sub(r"[., \u00a0]", "", text)
        if not _DIGITS.fullmatch(text):
            raise _Invalid(message)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Invalid(message)
    return value


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value is _ABSENT or not str(value).strip():
        return False
    key = _fold(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _Invalid(_WRONG["yes_no"])


def _word(value: Any) -> str:
    return _fold(str(value)).replace("_", " ").replace("-", " ")


def not_yet_known(value: Any) -> bool:
    """True for the choice "not yet known": null (API), or the word (form, CSV: chưa rõ)."""
    return value is None or (isinstance(value, str) and _word(value) in _UNKNOWN_WORDS)


def _status(value: Any) -> OfficialStatus | None:
    if isinstance(value, OfficialStatus):
        return value
    if not_yet_known(value):
        return None
    key = _word(value) if isinstance(value, str) else ""
    if key not in _STATUS_WORDS:
        raise _Invalid(_WRONG["official_status"])
    return _STATUS_WORDS[key]


def _clean_field(name: str, value: Any, ref: Reference) -> tuple[str, Any]:
    """The model column and clean value for one input field, or _Invalid."""
    if name == "code":
        return name, _text(value, MAX_CODE, _MISSING[name])
    if name == "head_name":
        return name, _text(value, MAX_NAME, _MISSING[name])
    if name == "commune_code":
        code = _text(value, 10, _MISSING[name])
        if code.isascii() and code.isdigit():
            code = code.zfill(5)  # spreadsheets drop the leading zero of 08914
        if code not in ref.communes:
            raise _Invalid(_("Unknown commune code “%(code)s”.", code=code))
        return name, code
    if name == "members":
        return name, _whole(value, 1, MAX_MEMBERS, _WRONG[name])
    if name == "ethnicity":
        if not_yet_known(value):
            return "ethnic_group_code", None
        text = _text(value, 60, _MISSING[name])
        group = ref.groups.get(ethnicity_key(text))
        if group is None:
            raise _Invalid(_unknown_ethnicity(text))
        return "ethnic_group_code", group.code
    if name == "official_status":
        return name, _status(value)
    if name == "deprivations":
        return name, _whole(value, 0, 12, _WRONG[name])
    if name == "baseline_income_vnd":
        return name, _whole(value, 0, MAX_INCOME_VND, _WRONG[name], grouped=True)
    if name in ("meritorious", "needs_review"):
        return name, _yes_no(value)
    if name == "consent":
        if not _yes_no(value):
            raise _Invalid(_("The household's consent is required."))
        return name, True
    raise KeyError(name)


def clean_values(
    values: Mapping[str, Any], names: Iterable[str], ref: Reference
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Clean column values and the (field, message) errors of the named input fields.

    None (JSON null) for the ethnicity or the official status means "not yet known" (stored
    as NULL); a field that `values` does not have at all is missing, as an empty one is.
    """
    clean: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name in names:
        try:
            column, value = _clean_field(name, values.get(name, _ABSENT), ref)
        except _Invalid as error:
            errors.append((name, str(error)))
        else:
            clean[column] = value
    return clean, errors


def _past_date(value: date | None, field: str) -> date:
    """The date, today when none is given; a date in the future is refused."""
    return _past_or_blank(value, field) or today_in_vietnam()


def _past_or_blank(value: date | None, field: str) -> date | None:
    """The date, None when none is given (a blank date stays blank); no future date."""
    if value is not None and value > today_in_vietnam():
        raise Invalid(_("The date cannot be in the future."), field=field)
    return value


def _status_date(status: OfficialStatus | None, value: date | None) -> date | None:
    """The date the official status was set: blank if not given, refused for an unknown one."""
    if status is None and value is not None:
        raise Invalid(
            _("Leave the date empty: the official status is not yet known."),
            field="official_status_on",
        )
    return _past_or_blank(value, "official_status_on")


def unknown_facts(household: Household) -> list[str]:
    """The facts of the household that are not yet known (it then needs review)."""
    facts = []
    if household.official_status is None:
        facts.append("official_status")
    if household.ethnic_group_code is None:
        facts.append("ethnicity")
    return facts


# --- reading --------------------------------------------------------------------------------


def get_cooperative_for_households(actor: User, cooperative_id: int) -> Cooperative:
    """A cooperative whose households the actor may list: managers of it, officials, admins."""
    if actor.role == Role.OFFICIAL:
        cooperative = db.session.get(Cooperative, cooperative_id)
        if cooperative is None:
            raise NotFound(_("Cooperative not found."))
        return cooperative
    return get_cooperative_for(actor, cooperative_id)


def _members_of(cooperative_id: int) -> Any:
    return Household.id.in_(
        select(Membership.household_id).where(Membership.cooperative_id == cooperative_id)
    )


def households_query(
    actor: User,
    cooperative: Cooperative,
    *,
    q: str | None = None,
    status: OfficialStatus | str | None = None,
    commune_code: str | None = None,
    needs_review: bool | None = None,
) -> Select:
    """The cooperative's member households in the actor's scope, by code, filtered."""
    statement = (
        select(Household)
        .where(_members_of(cooperative.id), household_scope(actor))
        .order_by(Household.code, Household.id)
    )
    if (matches := contains_folded(q or "", Household.code, Household.head_name)) is not None:
        # code or head name, ignoring case and diacritics: "lien" finds "Dương Thị Liên"
        statement = statement.where(matches)
    if status == NOT_YET_KNOWN:
        statement = statement.where(Household.official_status.is_(None))
    elif status:
        statement = statement.where(Household.official_status == OfficialStatus(status))
    if commune_code:
        statement = statement.where(Household.commune_code == commune_code)
    if needs_review is not None:
        statement = statement.where(Household.needs_review.is_(needs_review))
    return statement


def household_counts(actor: User, cooperative: Cooperative) -> dict[str, int]:
    """Members by official status (and not yet known), those to re-check, and the total."""
    rows = db.session.execute(
        select(
            Household.official_status,
            func.count(Household.id),
            func.sum(case((Household.needs_review.is_(True), 1), else_=0)),
        )
        .where(_members_of(cooperative.id), household_scope(actor))
        .group_by(Household.official_status)
    ).all()
    counts = {status.value: 0 for status in OfficialStatus}
    counts[NOT_YET_KNOWN] = counts["needs_review"] = 0
    for status, count, review in rows:
        counts[NOT_YET_KNOWN if status is None else OfficialStatus(status).value] = count
        counts["needs_review"] += review or 0
    counts["total"] = sum(counts[status.value] for status in OfficialStatus) + counts[NOT_YET_KNOWN]
    return counts


def member_communes(actor: User, cooperative: Cooperative) -> list[Commune]:
    """The communes where the cooperative's members (in the actor's scope) live."""
    codes = select(Household.commune_code).where(
        _members_of(cooperative.id), household_scope(actor)
    )
    return list(
        db.session.scalars(select(Commune).where(Commune.code.in_(codes)).order_by(Commune.name))
    )


def get_member_household(actor: User, cooperative: Cooperative, household_id: int) -> Household:
    """A household that belongs to this cooperative and that the actor may see; else 404."""
    household = db.session.scalars(
        select(Household)
        .where(Household.id == household_id, _members_of(cooperative.id), household_scope(actor))
        .options(*LOAD_OPTIONS)
    ).first()
    if household is None:
        raise NotFound(_("Household not found."))
    return household


def visible_cooperative_ids(actor: User, household: Household) -> list[int]:
    """The cooperatives of the household that the actor may know about (managers: theirs)."""
    ids = {m.cooperative_id for m in household.memberships}
    if actor.role == Role.MANAGER:
        ids &= {c.id for c in actor.cooperatives}
    return sorted(ids)


def record_read(actor: User, entity_type: str, entity_id: Any, filters: Mapping[str, Any]) -> bool:
    """Officials' reads of household-level data go to the audit log; True if recorded."""
    if actor.role != Role.OFFICIAL:
        return False
    audit.record(
        actor,
        AuditAction.READ,
        entity_type,
        entity_id,
        new={k: v for k, v in filters.items() if v is not None},
    )
    return True


# --- writing --------------------------------------------------------------------------------


def _require_manager_of(actor: User, cooperative: Cooperative) -> None:
    if not manages(actor, cooperative.id):
        raise NotFound(_("Cooperative not found."))


def _code_taken(code: str, *, other_than: int | None = None) -> bool:
    statement = select(Household.id).where(Household.code == code)
    if other_than is not None:
        statement = statement.where(Household.id != other_than)
    return db.session.scalars(statement).first() is not None


def _flush_unique_code() -> None:
    """Flush; a concurrent insert of the same code becomes the same 409 as the check."""
    try:
        db.session.flush()
    except IntegrityError:  # the caller's error handling rolls the session back
        raise Conflict(_("This code is already used by another household."), field="code") from None


def _raise_first(errors: list[tuple[str, str]]) -> None:
    if errors:
        field, message = errors[0]
        raise Invalid(message, field=field)


def create_household(actor: User, cooperative: Cooperative, data: Mapping[str, Any]) -> Household:
    """Register a household as a member of the cooperative, with its consent; audited."""
    _require_manager_of(actor, cooperative)
    clean, errors = clean_values(data, (*COLUMNS, *OPTIONAL_COLUMNS), load_reference())
    _raise_first(errors)
    clean.pop("consent")
    if _code_taken(clean["code"]):
        raise Conflict(_("This code is already used by another household."), field="code")
    household = Household(
        **clean,
        official_status_on=_status_date(clean["official_status"], data.get("official_status_on")),
        consent_at=utcnow(),
        consent_by_id=actor.id,
    )
    if unknown_facts(household):
        household.needs_review = True
    joined_on = _past_date(data.get("joined_on"), "joined_on")
    db.session.add(household)
    _flush_unique_code()
    audit.record(
        actor,
        AuditAction.CREATE,
        "household",
        household.id,
        new=audit.snapshot(household, AUDITED_FIELDS),
    )
    _join(actor, household, cooperative, joined_on)
    return household


def _join(
    actor: User, household: Household, cooperative: Cooperative, joined_on: date
) -> Membership:
    membership = Membership(household=household, cooperative_id=cooperative.id, joined_on=joined_on)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CREATE,
        "membership",
        membership.id,
        new={
            "household_id": household.id,
            "cooperative_id": cooperative.id,
            "joined_on": joined_on,
        },
    )
    return membership


def _may_edit(actor: User, household: Household) -> bool:
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.MANAGER and bool(visible_cooperative_ids(actor, household))


def update_household(actor: User, household: Household, data: Mapping[str, Any]) -> Household:
    """Edit a household's record; only changed fields are audited (old and new).

    The official status is an official re-classification: managers cannot change it here,
    but they may set it while it is not yet known; an admin can change it, with a reason.
    Either way the change is kept in the status history.

    A household with a fact not yet known (official status, ethnicity) needs review; when
    the last one is set, the mark is lifted unless `needs_review` is also given as true
    (the form's box: another reason, such as a boundary change).
    """
    if not _may_edit(actor, household):
        raise NotFound(_("Household not found."))
    changes_status = "official_status" in data or "official_status_on" in data
    first_status = household.official_status is None
    if changes_status and actor.role != Role.ADMIN and not first_status:
        raise Invalid(
            _("The official status changes only by an official re-classification."),
            field="official_status",
        )
    names = [name for name in EDITABLE if name in data]
    if "official_status" in data:
        names.append("official_status")
    clean, errors = clean_values(data, names, load_reference())
    _raise_first(errors)
    if "code" in clean and _code_taken(clean["code"], other_than=household.id):
        raise Conflict(_("This code is already used by another household."), field="code")
    reason = (data.get("reason") or "").strip() or None
    before = audit.snapshot(household, AUDITED_FIELDS)
    unknown_before = unknown_facts(household)
    new_status = clean.pop("official_status", household.official_status)
    if new_status is None:
        if not first_status:
            raise Invalid(
                _("A known official status cannot be set back to “not yet known”."),
                field="official_status",
            )
        _status_date(None, data.get("official_status_on"))
    elif first_status:
        _first_status(actor, household, new_status, data.get("official_status_on"), reason)
    elif new_status != household.official_status or "official_status_on" in data:
        _reclassify(actor, household, new_status, data.get("official_status_on"), reason)
    for column, value in clean.items():
        setattr(household, column, value)
    if unknown_facts(household):
        household.needs_review = True
    elif unknown_before and not clean.get("needs_review"):
        household.needs_review = False
    _flush_unique_code()
    after = audit.snapshot(household, AUDITED_FIELDS)
    changed = [name for name in AUDITED_FIELDS if before[name] != after[name]]
    if changed:
        audit.record(
            actor,
            AuditAction.UPDATE,
            "household",
            household.id,
            old={name: before[name] for name in changed},
            new={name: after[name] for name in changed},
            reason=reason,
        )
    return household


def _first_status(
    actor: User,
    household: Household,
    status: OfficialStatus,
    official_status_on: date | None,
    reason: str | None,
) -> None:
    """Set a status that was not yet known, as on the commune's list; kept in the history.

    The household's date stays blank when none is given; the history's row is then dated
    the day it was recorded.
    """
    on = _status_date(status, official_status_on)
    db.session.add(
        OfficialStatusChange(
            household_id=household.id,
            previous_status=None,
            status=status,
            effective_on=on or today_in_vietnam(),
            reason=reason or _("First recorded: until then the status was not yet known."),
            recorded_by_id=actor.id,
        )
    )
    household.official_status = status
    household.official_status_on = on


def _reclassify(
    actor: User,
    household: Household,
    status: OfficialStatus,
    effective_on: date | None,
    reason: str | None,
) -> None:
    # the officials' rule (reason of at least 5 characters, no future date) for the PATCH too
    record_change(actor, household, status, reason, effective_on, date_field="official_status_on")


def add_membership(
    actor: User, household_id: int, cooperative: Cooperative, joined_on: date | None = None
) -> Membership:
    """Add an existing household to another cooperative; audited.

    Only an admin, or a manager of both a cooperative the household already belongs to and
    the new one, may do it: anyone else would learn of a household outside their scope (404).
    """
    _require_manager_of(actor, cooperative)
    household = db.session.scalars(
        select(Household).where(Household.id == household_id, household_scope(actor))
    ).first()
    if household is None:
        raise NotFound(_("Household not found."), field="household_id")
    if any(m.cooperative_id == cooperative.id for m in household.memberships):
        raise Conflict(
            _("This household is already a member of the cooperative."), field="household_id"
        )
    return _join(actor, household, cooperative, _past_date(joined_on, "joined_on"))


# --- CSV import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: row number (the header is row 1), field, message."""

    row: int
    field: str
    message: str


class ImportRejected(Invalid):
    """The file has errors; nothing was imported. `errors` lists every problem found (422)."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            ngettext(
                "The file has %(num)d problem. Nothing was imported.",
                "The file has %(num)d problems. Nothing was imported.",
                len(errors),
            )
        )
        self.errors = errors


def _rejected(row: int, field: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(row, field, message)])


def _header(names: list[str]) -> list[str]:
    """The column names of the header row, checked (errors raise ImportRejected)."""
    expected = ", ".join(COLUMNS)
    if len(names) == 1 and ";" in names[0]:
        raise _rejected(1, "header", _("Separate the columns with commas (,), not semicolons."))
    names = [name.strip().lower() for name in names]
    allowed = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = []
    if unknown := [name for name in names if name not in allowed]:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if missing := [name for name in COLUMNS if name not in names]:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        problems.append(_("Columns named twice: %(names)s.", names=", ".join(repeated)))
    if problems:
        hint = _("The first row must name the columns: %(columns)s.", columns=expected)
        raise ImportRejected([RowError(1, "header", f"{p} {hint}") for p in problems])
    return names


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows of a CSV file as (row number, {column: text}), and the rows' shape errors."""
    if not data.strip():
        raise _rejected(
            1,
            "file",
            _(
                "The file is empty. The first row must name the columns: %(columns)s.",
                columns=", ".join(COLUMNS),
            ),
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise _rejected(
            row, "file", _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
        ) from None
    reader = csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline=""))
    number = 1
    records: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    try:
        names = _header(next(reader))
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (and empty spreadsheet rows) are skipped
            if len(records) == MAX_IMPORT_ROWS:
                raise _rejected(number, "file", _too_many_rows())
            if any(cell.strip() for cell in cells[len(names) :]):
                errors.append(
                    RowError(
                        number,
                        "row",
                        _(
                            "This row has %(found)d values; the header names %(expected)d columns.",
                            found=len(cells),
                            expected=len(names),
                        ),
                    )
                )
                continue
            records.append((number, dict(zip(names, cells, strict=False))))
    except csv.Error:
        raise _rejected(number + 1, "file", _("This row could not be read as CSV.")) from None
    return records, errors


def _too_many_rows() -> str:
    return _(
        "The file has more than %(n)s households. Split it into files of at most %(n)s rows.",
        n=f"{MAX_IMPORT_ROWS:,}",
    )


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_households(actor: User, cooperative: Cooperative, data: bytes) -> int:
    """Import member households from CSV, all or nothing; returns how many were created.

    Every row is checked first and every problem reported (ImportRejected); only a clean
    file is written, with set-based INSERTs of households, memberships and audit entries.
    """
    _require_manager_of(actor, cooperative)
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


# Core INSERTs of the tables (not the ORM's bulk path): the same SQL, less Python work.
HOUSEHOLDS = Household.__table__


def _insert_households(actor: User, cooperative: Cooperative, rows: list[dict[str, Any]]) -> int:
    now = utcnow()
    today = today_in_vietnam()
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
    address = audit.current_address()
    entries = [
        {
            "occurred_at": now,
            "actor_id": actor.id,
            "action": AuditAction.CREATE,
            "entity_type": "household",
            "entity_id": str(ids[row["code"]]),
            "new_values": _audit_values(row, cooperative.id, today),
            "remote_addr": address,
        }
        for row in rows
    ]
    for chunk in _chunks(entries):
        db.session.execute(insert(AuditEntry.__table__), chunk)
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


def csv_template(commune_code: str = "08914") -> str:
    """The import file's header and two example rows (Vietnamese), comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow((*COLUMNS, *OPTIONAL_COLUMNS))
    for code, name, members, group, status, deprivations, income, merit in (
        ("HTX-0001", "Triệu Văn Minh", 5, "Dao", "nghèo", 4, 1200000, "không"),
        ("HTX-0002", "Hà Thị Lan", 3, "Mường", "cận nghèo", 2, 1800000, "có"),
    ):
        row = (code, name, commune_code, members, group, status, deprivations, income, merit)
        writer.writerow((*row, "có", "không"))
    return out.getvalue()
