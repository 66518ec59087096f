"""A household's official status set by an edit: recorded for the first time while it was
not yet known, or re-classified (the admin's PATCH) by the officials' rule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid
from linkage.services.periods import current_day
from linkage.services.reclassification import record_change
from models import Household, OfficialStatus, OfficialStatusChange, User

from .values import past_or_blank


def _no_date_message() -> str:
    """The refusal of a date for a status not yet known."""
    return _("Leave the date empty: the official status is not yet known.")


def set_status(
    actor: User,
    household: Household,
    status: OfficialStatus | None,
    data: Mapping[str, Any],
    reason: str | None,
) -> None:
    """Apply the status of an edit (`data` may give its date, `official_status_on`); the
    change is kept in the status history. A known status never goes back to not yet known."""
    status_on = data.get("official_status_on")
    if status is None:
        if household.official_status is not None:
            # the household's record decides: 409
            raise Conflict(
                _("A known official status cannot be set back to “not yet known”."),
                field="official_status",
            )
        if "official_status" not in data and status_on is not None:
            # a date alone, for a status the household's record does not know yet: 409
            raise Conflict(_no_date_message(), field="official_status_on")
        status_date(None, status_on)
    elif household.official_status is None:
        _first_status(actor, household, status, status_on, reason)
    elif status != household.official_status or "official_status_on" in data:
        if not reason:
            # the household's known status makes the change a re-classification: 409
            raise Conflict(
                _("Give the reason for the re-classification (at least 5 characters)."),
                field="reason",
            )
        # the officials' rule (reason of at least 5 characters, no future date) for the PATCH too
        record_change(actor, household, status, reason, status_on, date_field="official_status_on")


def status_date(status: OfficialStatus | None, value: date | None) -> date | None:
    """The date the official status was set: blank if not given, refused for an unknown one."""
    if status is None and value is not None:
        raise Invalid(_no_date_message(), field="official_status_on")
    return past_or_blank(value, "official_status_on")


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
    on = status_date(status, official_status_on)
    db.session.add(
        OfficialStatusChange(
            household_id=household.id,
            previous_status=None,
            status=status,
            effective_on=on or current_day(),
            reason=reason or _("First recorded: until then the status was not yet known."),
            recorded_by_id=actor.id,
        )
    )
    household.official_status = status
    household.official_status_on = on
