"""The support pages of both audiences (managers and officials): the household page's section,
the form to record a support, and a support's page with its history, correction and void.

The routes live with their audience (`blueprints.manage.supports`,
`blueprints.official.supports`), which pass the layout and the URLs of their own pages; this
module is part of the toolkit under blueprints/ that every audience may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.common import commit_or_refuse
from blueprints.record_forms import VoidForm
from blueprints.support_forms import SupportCorrectionForm, SupportForm, product_label
from linkage.extensions import db
from linkage.formats import format_day, format_month
from linkage.labels import label
from linkage.numbers import format_vnd
from linkage.services import supports
from linkage.services.errors import Unchanged
from linkage.services.periods import Month, Period
from linkage.services.valuechain.history import history
from models import (
    ChangeAction,
    CollectionStatus,
    Household,
    Product,
    RecordChange,
    Role,
    Support,
    SupportProgramme,
)

FIELD_LABELS = {
    "programme": _l("Programme"),
    "amount_vnd": _l("Amount"),
    "received_on": _l("Date received"),
    "purpose_product_code": _l("Purpose product"),
    "term_months": _l("Loan term"),
    "note": _l("Note"),
    "status": _l("Status"),
}


@dataclass(frozen=True)
class Links:
    """The URLs of one audience's support pages."""

    new: str  # the form to record a support for the household
    record: Callable[[Support], str]  # a support's page


@dataclass(frozen=True)
class Panel:
    """The household page's section: supports, income by month, the form to record one."""

    section: supports.SupportSection
    form: SupportForm | None
    links: Links

    @staticmethod
    def day(value: date) -> str:
        """dd/mm/yyyy in Vietnamese."""
        return format_day(value)

    @staticmethod
    def month(value: Month) -> str:
        return format_month(value)


def products() -> list[Product]:
    return list(db.session.scalars(db.select(Product).order_by(Product.name_vi, Product.id)))


def support_form(form: SupportForm | None = None, **kwargs: Any) -> SupportForm:
    """The form, its choices the programmes the user may record and the products."""
    form = form or SupportForm(**kwargs)
    form.set_choices(supports.programmes_for(current_user), products())
    return form


def panel(household: Household, period: Period, links: Links) -> Panel:
    """The section of a household page (the caller checked the household is in scope)."""
    form = None
    if supports.programmes_for(current_user):
        form = support_form(formdata=None, prefix="support")
    return Panel(supports.support_section(household, period), form, links)


def record(household: Household, form: SupportForm) -> Support | int:
    """Record the posted support: the support once committed, else the status of the page
    shown again with the form's errors (422, or the service's refusal: 403...)."""
    if not form.validate_on_submit():
        return 422
    support = commit_or_refuse(
        form,
        lambda: supports.record_support(current_user, household, form.values()),
        lambda recorded: _(
            "%(programme)s of %(amount)s recorded for %(code)s.",
            programme=label(recorded.programme),
            amount=format_vnd(recorded.amount_vnd),
            code=household.code,
        ),
    )
    return form.refusal.status if support is None else support


def new_page(
    layout: str, household: Household, form: SupportForm, back: str, **context: Any
) -> str:
    """The form to record a support on a page of its own (shown again with its errors)."""
    hint = None
    if current_user.role == Role.MANAGER:
        hint = _(
            "A cooperative records crop varieties, livestock breeds, vocational training and "
            "other support; the commune's officials record policy loans, housing repair and "
            "health insurance."
        )
    return render_template(
        "supports/new.html",
        layout=layout,
        household=household,
        form=form,
        back=back,
        programme_hint=hint,
        **context,
    )


def may_change(support: Support) -> bool:
    return support.programme in supports.programmes_for(current_user)


def record_page(
    layout: str,
    support: Support,
    back: str,
    actions: dict[str, str],
    *,
    correction: SupportCorrectionForm | None = None,
    void: VoidForm | None = None,
    **context: Any,
) -> str:
    """A support with its history; the forms to correct and void it when the user may."""
    if correction is None:
        correction = SupportCorrectionForm(formdata=None, prefix="correct")
        correction.fill(support)
    correction.set_choices(supports.programmes_for(current_user), products())
    return render_template(
        "supports/record.html",
        layout=layout,
        support=support,
        household=support.household,
        history=history("support", support.id),
        may_change=may_change(support),
        correction=correction,
        void=void or VoidForm(formdata=None, prefix="void"),
        back=back,
        actions=actions,
        change_rows=change_rows,
        **context,
    )


def correction_form() -> SupportCorrectionForm:
    form = SupportCorrectionForm(prefix="correct")
    form.set_choices(supports.programmes_for(current_user), products())
    return form


def apply(form: Any, change: Callable[[], object], done: str) -> int | None:
    """Make the change when the form is valid and commit it (None); else the status of the
    refusal, shown on the form: 403, 409 or 422 (nothing written; nothing changed: 422)."""
    if not form.validate_on_submit():
        return 422
    if commit_or_refuse(form, change, done) is None:
        db.session.expire_all()  # rolled back: the page shows the record as it is
        # a form sent back without a change is the form's own error
        return 422 if isinstance(form.refusal, Unchanged) else form.refusal.status
    return None


def correct(support: Support, form: SupportCorrectionForm) -> int | None:
    # a support of a programme the user may not record: 403, whatever the form holds
    supports.refuse_programme(current_user, support.programme)
    return apply(
        form,
        lambda: supports.correct_support(current_user, support, form.reason.data, form.values()),
        _("The support is corrected; the old values are kept below."),
    )


def void(support: Support, form: VoidForm) -> int | None:
    supports.refuse_programme(current_user, support.programme)
    return apply(
        form,
        lambda: supports.void_support(current_user, support, form.reason.data),
        _("The support is void: it counts in no figure any more."),
    )


def _shown(name: str, value: Any) -> str:
    """One kept value as the page shows it."""
    if value is None or value == "":
        return "–"
    if name == "programme":
        return label(SupportProgramme(value))
    if name == "amount_vnd":
        return format_vnd(int(value))
    if name == "received_on":
        return format_day(date.fromisoformat(value))
    if name == "purpose_product_code":
        product = db.session.scalars(db.select(Product).where(Product.code == value)).first()
        return product_label(product) if product else str(value)
    if name == "term_months":
        return _("%(n)d months", n=int(value))
    if name == "status":
        return label(CollectionStatus(value))
    return str(value)


def change_rows(change: RecordChange) -> list[tuple[str, str, str]]:
    """(what, before, after) for each value a correction or void of a support changed."""
    old, new = change.old_values, change.new_values
    if change.action == ChangeAction.VOID:
        return [
            (
                str(FIELD_LABELS["status"]),
                _shown("status", old.get("status")),
                _shown("status", "void"),
            )
        ]
    return [
        (str(text), _shown(name, old.get(name)), _shown(name, new.get(name)))
        for name, text in FIELD_LABELS.items()
        if (name in old or name in new) and old.get(name) != new.get(name)
    ]
