"""The review queue's filters (a GET form) and its re-classification form: the household
page's form, with the box that says the review is done."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from blueprints.forms import ChoiceField, PeriodForm
from linkage.labels import label
from linkage.services.errors import NotFound
from linkage.services.jurisdiction import communes_of
from linkage.services.review import ReviewReason
from models import User

from .forms import ImpactFilterForm, ReclassifyForm


class ReviewFilterForm(PeriodForm):
    """Period (of the projections compared), commune and reason."""

    commune = ChoiceField(_l("Commune"), default="")
    reason = ChoiceField(_l("Reason for review"), default="")

    def __init__(self, formdata: Any, *, actor: User) -> None:
        super().__init__(formdata=formdata)
        self.communes = communes_of(actor)
        self.commune.choices = [("", str(_l("All communes in scope")))] + [
            (c.code, c.name) for c in self.communes
        ]
        self.reason.choices = [("", str(_l("All reasons")))] + [
            (r.value, label(r)) for r in ReviewReason
        ]

    def chosen_commune(self) -> str | None:
        return None if self.commune.errors or not self.commune.data else self.commune.data

    def chosen_reason(self) -> ReviewReason | None:
        return (
            None if self.reason.errors or not self.reason.data else ReviewReason(self.reason.data)
        )

    query_args = ImpactFilterForm.query_args  # the valid, non-empty fields, for links


def load_review_filters(formdata: Any, actor: User) -> tuple[ReviewFilterForm, bool]:
    """The queue's filters, validated; a commune outside the jurisdiction answers 404."""
    form = ReviewFilterForm(formdata, actor=actor)
    valid = form.validate()
    if form.commune.errors and form.commune.data:
        raise NotFound(_("Commune not found."))
    return form, valid


class ReviewReclassifyForm(ReclassifyForm):
    reviewed = BooleanField(_l("Review done: lift the household’s review mark"), default=True)


def reclassify_form(household_id: int, formdata: Any = None) -> ReviewReclassifyForm:
    """The form of one row of the queue (its fields prefixed with the household, so that the
    rows' fields have ids of their own); `formdata` None: a fresh form with its defaults."""
    return ReviewReclassifyForm(formdata=formdata, prefix=f"h{household_id}")
