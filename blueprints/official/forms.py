"""The impact filter form (a GET form: a filtered dashboard is a link that can be shared)
and the re-classification form."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from blueprints.forms import ChoiceField, FlaskForm, PeriodForm
from linkage.labels import label
from linkage.services.errors import NotFound
from linkage.services.impact import EthnicityGroup, ImpactFilters, Sort, Transition
from linkage.services.jurisdiction import communes_of, cooperatives_of
from models import (
    FormerProvince,
    OfficialStatus,
    ProductCategory,
    Region,
    User,
)
from models.reference import FORMER_PROVINCE_NAMES

SORT_LABELS = {
    Sort.COMMUNE: _l("Commune, then code"),
    Sort.CODE: _l("Household code"),
    Sort.GAP: _l("Furthest below the poverty line first"),
    Sort.PROJECTED_INCOME: _l("Projected income: low to high"),
    Sort.PROJECTED_INCOME_DESC: _l("Projected income: high to low"),
    Sort.PLATFORM_INCOME: _l("Linkage income: low to high"),
    Sort.PLATFORM_INCOME_DESC: _l("Linkage income: high to low"),
    Sort.ATTRIBUTED_SALES_DESC: _l("Attributed sales: high to low"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}


def _choices(labels: dict, everything: Any) -> list[tuple[str, str]]:
    return [("", str(everything)), *((str(k), str(v)) for k, v in labels.items())]


def _named(values: type[enum.Enum], everything: Any) -> list[tuple[str, str]]:
    """Every value of an enumeration, named by `label()`, after the empty choice."""
    return _choices({value.value: label(value) for value in values}, everything)


class ImpactFilterForm(PeriodForm):
    """Period and filters of the dashboard and of the household impact list."""

    former_province = ChoiceField(_l("Former province"), default="")
    region = ChoiceField(_l("Region"), default="")
    commune = ChoiceField(_l("Commune"), default="")
    cooperative = ChoiceField(_l("Cooperative"), default="")
    product_category = ChoiceField(_l("Product category"), default="")
    ethnicity_group = ChoiceField(_l("Ethnicity group"), default="")
    official_status = ChoiceField(_l("Official status"), default="")
    projected_status = ChoiceField(_l("Projected status"), default="")
    transition = ChoiceField(_l("Transition"), default="")
    meritorious = ChoiceField(_l("Meritorious family"), default="")
    needs_review = ChoiceField(_l("Needs review"), default="")
    sort = ChoiceField(_l("Sort by"), default=Sort.COMMUNE.value)

    def __init__(self, formdata: Any, *, actor: User) -> None:
        super().__init__(formdata=formdata)
        self.actor = actor
        self.communes = communes_of(actor)
        self.former_province.choices = _choices(
            {p.value: FORMER_PROVINCE_NAMES[p] for p in FormerProvince}, _l("All")
        )
        self.region.choices = _named(Region, _l("All regions"))
        self.commune.choices = [("", str(_l("All communes in scope")))] + [
            (c.code, c.name) for c in self.communes
        ]
        self.cooperative.choices = [("", str(_l("All cooperatives")))] + [
            (str(c.id), c.name) for c in cooperatives_of(actor)
        ]
        self.product_category.choices = _named(ProductCategory, _l("All categories"))
        self.ethnicity_group.choices = _named(EthnicityGroup, _l("All"))
        self.official_status.choices = _named(OfficialStatus, _l("All"))
        self.projected_status.choices = _named(OfficialStatus, _l("All"))
        self.transition.choices = _named(Transition, _l("All"))
        self.meritorious.choices = _choices(YES_NO, _l("All"))
        self.needs_review.choices = _choices(YES_NO, _l("All"))
        self.sort.choices = [(s.value, str(name)) for s, name in SORT_LABELS.items()]

    def filters(self) -> ImpactFilters:
        """The filters of the valid fields (a wrong one is left out, and shown)."""

        def value(name: str, kind: Any = str) -> Any:
            field = self[name]
            return None if field.errors or field.data in ("", None) else kind(field.data)

        def yes_no(name: str) -> bool | None:
            return None if value(name) is None else value(name) == "yes"

        return ImpactFilters(
            commune=value("commune"),
            cooperative=value("cooperative", int),
            projected_status=value("projected_status", OfficialStatus),
            transition=value("transition", Transition),
            former_province=value("former_province", FormerProvince),
            region=value("region", Region),
            product_category=value("product_category", ProductCategory),
            ethnicity_group=value("ethnicity_group", EthnicityGroup),
            official_status=value("official_status", OfficialStatus),
            meritorious=yes_no("meritorious"),
            needs_review=yes_no("needs_review"),
        )

    def sort_order(self) -> Sort:
        return Sort(value) if (value := self.sort.data) and not self.sort.errors else Sort.COMMUNE

    def query_args(self) -> dict[str, str]:
        """The valid, non-empty fields as query arguments (for links and exports)."""
        return {
            name: str(field.data)
            for name, field in self._fields.items()
            if field.data not in ("", None) and not field.errors
        }


class HouseholdListForm(ImpactFilterForm):
    """The household list's filters: the dashboard's, and a search by code or name."""

    q = StringField(
        _l("Code or name of the head of household"),
        default="",
        validators=[
            Optional(),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
            Regexp(
                r"^[^\x00-\x1f\x7f]*$",
                message=_l("Remove the control characters (such as tabs or line breaks)."),
            ),
        ],
    )

    def filters(self) -> ImpactFilters:
        q = "" if self.q.errors else (self.q.data or "").strip()
        return dataclasses.replace(super().filters(), q=q or None)


def load_filter_form(
    formdata: Any, actor: User, form_class: type[ImpactFilterForm] = ImpactFilterForm
) -> tuple[ImpactFilterForm, bool]:
    """The filter form of a request, validated. A commune or cooperative that is not among the
    choices (outside the jurisdiction, or unknown) answers 404 as in the API; any other wrong
    value is shown on the form and left out (the caller answers 422)."""
    form = form_class(formdata, actor=actor)
    valid = form.validate()
    if form.commune.errors and form.commune.data:
        raise NotFound(_("Commune not found."))
    if form.cooperative.errors and str(form.cooperative.data).isdigit():
        raise NotFound(_("Cooperative not found."))
    return form, valid


class ReclassifyForm(FlaskForm):
    official_status = ChoiceField(
        _l("New official status"), validators=[DataRequired(_l("Choose a status."))]
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Write the reason for the change.")),
            Length(min=5, max=2000, message=_l("Write between 5 and 2,000 characters.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.official_status.choices = [("", str(_l("Choose…")))] + [
            (s.value, label(s)) for s in OfficialStatus
        ]
