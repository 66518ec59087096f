"""A household's values checked by one set of rules (`clean_values`), whether they come from
the API, the HTML form or a CSV row, so the three accept and refuse the same things."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linkage.extensions import db
from linkage.services.errors import Conflict
from linkage.services.periods import current_day
from models import Commune, EthnicGroup, Household, OfficialStatus

from .ethnicity import ethnicity_index, ethnicity_key, folded, unknown_ethnicity

# The input fields of a new household (the columns of the CSV file), in order.
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
MAX_CODE = 40
MAX_NAME = 120
MAX_MEMBERS = 99
MAX_INCOME_VND = 10**15

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


class _Invalid(Exception):
    """One value is not valid; the message is for the user."""


class _Absent:
    """A field the input does not have at all (a short CSV row): missing, as an empty one
    is, and never taken for "not yet known" (which is None, or the word)."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Reference:
    """Commune codes and ethnic groups, fetched once to check many households."""

    communes: frozenset[str]
    groups: Mapping[str, EthnicGroup]


def load_reference() -> Reference:
    return Reference(
        communes=frozenset(db.session.scalars(select(Commune.code))), groups=ethnicity_index()
    )


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
    key = folded(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _Invalid(_WRONG["yes_no"])


def _word(value: Any) -> str:
    return folded(str(value)).replace("_", " ").replace("-", " ")


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
            raise _Invalid(unknown_ethnicity(text))
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


def past_date(value: date | None, field: str) -> date:
    """The date, today when none is given; a date in the future is refused (409)."""
    return past_or_blank(value, field) or current_day()


def past_or_blank(value: date | None, field: str) -> date | None:
    """The date, None when none is given (a blank date stays blank); a date in the future
    is refused: a rule about the present, which no document can express (409)."""
    if value is not None and value > current_day():
        raise Conflict(_("The date cannot be in the future."), field=field)
    return value


def unknown_facts(household: Household) -> list[str]:
    """The facts of the household that are not yet known (it then needs review)."""
    facts = []
    if household.official_status is None:
        facts.append("official_status")
    if household.ethnic_group_code is None:
        facts.append("ethnicity")
    return facts
