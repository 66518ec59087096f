"""A support's values checked by one set of rules (`clean_support`), whether they come from the
API, a form or a CSV row, and who may record which programme."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linkage.extensions import db
from linkage.services.periods import current_day
from models import Product, Role, SupportProgramme, User

# The programmes a cooperative channels to its members; the others (policy loans, housing,
# health insurance) come through the commune and the bank, so only officials record them.
MANAGER_PROGRAMMES = (
    SupportProgramme.CROP_VARIETY,
    SupportProgramme.LIVESTOCK_BREED,
    SupportProgramme.VOCATIONAL_TRAINING,
    SupportProgramme.OTHER,
)
# The fields of a support as the API, the forms and the CSV file name them, in order.
FIELDS = (
    "programme",
    "amount_vnd",
    "received_on",
    "purpose_product_code",
    "term_months",
    "note",
)
MAX_AMOUNT_VND = 10**15
MAX_TERM_MONTHS = 600  # 50 years: longer than any policy loan
MAX_NOTE = 2000
EARLIEST = date(2000, 1, 1)
# control characters but tab and line breaks, which a note may hold
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_MESSAGES = {
    "programme": _l("Choose the programme of the support."),
    "amount_vnd": _l("Enter the amount in đồng (the loan, or the value of what was given)."),
    "loan_amount": _l("Enter the amount of the loan in đồng."),
    "received_on": _l("Enter the date the support was received."),
    "term_months": _l("Enter the term of the loan in months, from 1 to %(n)d.", n=MAX_TERM_MONTHS),
    "no_term": _l("Only a policy loan has a term: leave the term empty."),
}


class _Invalid(Exception):
    """One value is not valid; the message is for the user."""


def programmes_for(actor: User) -> list[SupportProgramme]:
    """The programmes the actor may record: all for officials and admins, those a
    cooperative channels for managers, none for anyone else."""
    if actor.role in (Role.OFFICIAL, Role.ADMIN):
        return list(SupportProgramme)
    if actor.role == Role.MANAGER:
        return list(MANAGER_PROGRAMMES)
    return []


def product_ids(codes: Iterable[str] | None = None) -> dict[str, int]:
    """Product ids by code (all products, or those named): to check many supports at once."""
    statement = select(Product.code, Product.id)
    if codes is not None:
        statement = statement.where(Product.code.in_(set(codes)))
    return {code: id_ for code, id_ in db.session.execute(statement)}


def _programme(value: Any) -> SupportProgramme:
    if isinstance(value, SupportProgramme):
        return value
    if isinstance(value, str) and value in SupportProgramme._value2member_map_:
        return SupportProgramme(value)
    raise _Invalid(_MESSAGES["programme"])


def _amount(value: Any, programme: SupportProgramme | None) -> int:
    loan = programme == SupportProgramme.POLICY_LOAN
    message = _MESSAGES["loan_amount" if loan else "amount_vnd"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(message)
    if value < 0 or (loan and value == 0):
        raise _Invalid(message)
    if value > MAX_AMOUNT_VND:
        raise _Invalid(_("The amount is too large."))
    return value


def in_future(value: Any) -> bool:
    """A day after today (Vietnam): refused, as a rule about the present."""
    return isinstance(value, date) and value > current_day()


def _received_on(value: Any, refuse_future: bool) -> date:
    if not isinstance(value, date):
        raise _Invalid(_MESSAGES["received_on"])
    if refuse_future and in_future(value):
        raise _Invalid(_("The date cannot be in the future."))
    if value < EARLIEST:
        raise _Invalid(_("Enter a date from %(year)d on.", year=EARLIEST.year))
    return value


def _product(value: Any, products: Mapping[str, int]) -> int | None:
    code = value.strip() if isinstance(value, str) else value
    if code is None or code == "":
        return None
    if not isinstance(code, str) or code not in products:
        raise _Invalid(_("Unknown product code “%(code)s”.", code=str(code)[:40]))
    return products[code]


def _term(value: Any, programme: SupportProgramme | None) -> int | None:
    if programme != SupportProgramme.POLICY_LOAN:
        if value is not None:
            raise _Invalid(_MESSAGES["no_term"])
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(_MESSAGES["term_months"])
    if not 1 <= value <= MAX_TERM_MONTHS:
        raise _Invalid(_MESSAGES["term_months"])
    return value


def _note(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(_("Write the note as text."))
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text):
        raise _Invalid(_("Remove the control characters (such as tabs or line breaks)."))
    if len(text) > MAX_NOTE:
        raise _Invalid(_("The note is too long."))
    return text or None


def clean_support(
    data: Mapping[str, Any], products: Mapping[str, int], *, refuse_future: bool = True
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The model's values of a support and the (field, message) errors of its fields.

    `data` holds typed values (the programme, an int amount, a date, an int term, text);
    `products` maps product codes to ids. A term is required for a policy loan and refused
    for any other programme; the amount of a loan is above zero. A date in the future is
    among the errors unless `refuse_future` is False: the caller then refuses it on its own
    (a rule about the present, 409, once the values are known to be valid).
    """
    clean: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    programme = None
    try:
        programme = clean["programme"] = _programme(data.get("programme"))
    except _Invalid as error:
        errors.append(("programme", str(error)))
    checks = (
        ("amount_vnd", "amount_vnd", lambda v: _amount(v, programme)),
        ("received_on", "received_on", lambda v: _received_on(v, refuse_future)),
        ("purpose_product_code", "purpose_product_id", lambda v: _product(v, products)),
        ("term_months", "term_months", lambda v: _term(v, programme)),
        ("note", "note", _note),
    )
    for field, column, check in checks:
        try:
            clean[column] = check(data.get(field))
        except _Invalid as error:
            # a term is judged by the programme: none to judge by when the programme is wrong
            if programme is not None or field != "term_months":
                errors.append((field, str(error)))
    return clean, errors
