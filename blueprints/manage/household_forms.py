"""Forms of the manager's household pages: add, edit, import, join, and the list filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from blueprints.forms import FlaskForm, MoneyField, csv_file_field, select_field, text_field
from linkage.labels import NOT_YET_KNOWN_LABEL
from linkage.labels import OFFICIAL_STATUS_LABELS as STATUS_LABELS
from linkage.services.households import MAX_CODE, MAX_MEMBERS, MAX_NAME, NOT_YET_KNOWN
from models import Commune, Cooperative, EthnicGroup, Household, OfficialStatus

# The first option of a select the manager must choose in: nothing is preselected.
CHOOSE = SelectChoice("", _l("Choose…"))
REVIEW_CHOICES = (("", _l("All")), ("yes", _l("To re-check")), ("no", _l("Checked")))
MAX_PAGE = 1_000_000
_COMMUNE = re.compile(r"[0-9]{5}")
_PAGE = re.compile(r"[0-9]{1,9}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _HouseholdFields(FlaskForm):
    """The fields a manager types for a household, new or edited."""

    code = text_field(
        _l("Household code"), max_length=MAX_CODE, required=_l("Enter the household code.")
    )
    head_name = text_field(
        _l("Name of the head of household"),
        max_length=MAX_NAME,
        required=_l("Enter the name of the head of household."),
    )
    commune_code = SelectField(_l("Commune or ward where the household lives"))
    members = IntegerField(
        _l("Number of people in the household"),
        validators=[
            InputRequired(message=_l("Enter the number of people in the household.")),
            NumberRange(min=1, max=MAX_MEMBERS, message=_l("Enter a number from 1 to 99.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    ethnicity = select_field(
        _l("Ethnic group of the head of household"),
        _l("Choose the ethnic group, or “Not yet known”."),
    )
    deprivations = IntegerField(
        _l("Deprivations (0 to 12)"),
        default=0,
        validators=[
            InputRequired(message=_l("Enter the number of deprivations, from 0 to 12.")),
            NumberRange(min=0, max=12, message=_l("Enter a number from 0 to 12.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    baseline_income_vnd = MoneyField(
        _l("Income per person per month from other sources (đồng)"),
        validators=[InputRequired(message=_l("Enter the income, 0 if there is none."))],
    )
    meritorious = BooleanField(_l("A person with meritorious service lives in this household"))
    needs_review = BooleanField(
        _l("The records must be re-checked (they came across an administrative boundary change)")
    )

    def set_choices(self, communes: list[Commune], groups: list[EthnicGroup]) -> None:
        self.commune_code.choices = [SelectChoice(c.code, c.name) for c in communes]
        self.ethnicity.choices = [
            CHOOSE,
            *(SelectChoice(g.name_vi) for g in groups),
            SelectChoice(NOT_YET_KNOWN, NOT_YET_KNOWN_LABEL),
        ]

    def service_data(self) -> dict[str, Any]:
        """The values for the households service (without the CSRF token and buttons);
        "Not yet known" becomes None, as in the API."""
        skip = {"csrf_token", "submit"}
        return {
            name: None if field.data == NOT_YET_KNOWN else field.data
            for name, field in self._fields.items()
            if name not in skip
        }


def _status_field() -> SelectField:
    return SelectField(
        _l("Official poverty status"),
        choices=[
            CHOOSE,
            *(SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()),
            SelectChoice(NOT_YET_KNOWN, NOT_YET_KNOWN_LABEL),
        ],
        validators=[
            InputRequired(message=_l("Choose the official poverty status, or “Not yet known”.")),
        ],
    )


def _status_date_field() -> DateField:
    return DateField(_l("Date the official status was set (if known)"), validators=[Optional()])


class NewHouseholdForm(_HouseholdFields):
    official_status = _status_field()
    official_status_on = _status_date_field()
    joined_on = DateField(_l("Joined the cooperative on (default: today)"), validators=[Optional()])
    consent = BooleanField(
        _l("The household agrees that its information is recorded and used for these purposes"),
        validators=[DataRequired(message=_l("The household's consent is required."))],
    )
    submit = SubmitField(_l("Add the household"))


class EditHouseholdForm(_HouseholdFields):
    """The edit form; the official status fields only while the status is not yet known
    (after that only an official re-classifies): see `for_household`."""

    official_status = _status_field()
    official_status_on = _status_date_field()
    submit = SubmitField(_l("Save the changes"))

    @classmethod
    def for_household(cls, household: Household) -> EditHouseholdForm:
        form = cls(obj=household)
        if household.official_status is not None:
            del form.official_status
            del form.official_status_on
        if not form.is_submitted():
            # the facts not yet known show as such; the re-check box then stands for another
            # reason only (the household needs review anyway while something is unknown)
            unknown = household.official_status is None or household.ethnic_group_code is None
            if household.ethnic_group_code is None:
                form.ethnicity.data = NOT_YET_KNOWN
            if household.official_status is None:
                form.official_status.data = NOT_YET_KNOWN
            if unknown:
                form.needs_review.data = False
        return form


class ImportForm(FlaskForm):
    file = csv_file_field()
    submit = SubmitField(_l("Import"))


class JoinCooperativeForm(FlaskForm):
    cooperative_id = SelectField(_l("Also a member of"), coerce=int)
    submit = SubmitField(_l("Add to this cooperative"))

    def set_choices(self, cooperatives: list[Cooperative]) -> None:
        self.cooperative_id.choices = [SelectChoice(c.id, c.name) for c in cooperatives]


def parse_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The list filters of the query string; values that make no sense are ignored."""
    status = args.get("status", "")
    commune = args.get("commune", "")
    review = args.get("needs_review", "")
    return {
        "q": _CONTROL.sub("", args.get("q", "")).strip()[:100] or None,
        "status": status if status in {*(s.value for s in OfficialStatus), NOT_YET_KNOWN} else None,
        "commune_code": commune if _COMMUNE.fullmatch(commune) else None,
        "needs_review": {"yes": True, "no": False}.get(review),
    }


def parse_page(args: Mapping[str, str]) -> int:
    page = args.get("page", "1")
    return max(1, min(int(page), MAX_PAGE)) if _PAGE.fullmatch(page) else 1
