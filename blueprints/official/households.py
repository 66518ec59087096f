"""The household impact list, the household page and the re-classification form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import page_number, see_other
from linkage.exports import Column, Table, csv_response, xlsx_response
from linkage.extensions import db
from linkage.labels import label
from linkage.security import allow
from linkage.services import audit
from linkage.services.errors import DomainError
from linkage.services.impact import (
    household_impact,
    household_rows,
    households_page,
    materialised,
)
from linkage.services.jurisdiction import jurisdiction_label
from linkage.services.paging import Page
from linkage.services.periods import Period
from linkage.services.reclassification import reclassify
from linkage.services.scope import get_household_for
from linkage.templating import standard_text
from models import AuditAction, Household, OfficialStatus, Role

from . import bp
from .forms import HouseholdListForm, ImpactFilterForm, ReclassifyForm, load_filter_form
from .supports import support_panel

PER_PAGE = 50
HOUSEHOLD = "/households/<id:household_id>"
FORMATS = ("csv", "xlsx")
EXPORT_COLUMNS = (
    Column("code", _l("Code")),
    Column("commune_code", _l("Commune code")),
    Column("commune", _l("Commune")),
    Column("members", _l("Members"), "int"),
    Column("official_status", _l("Official status")),
    Column("deprivations", _l("Deprivations"), "int"),
    Column("baseline_income_vnd", _l("Baseline income per person per month"), "vnd"),
    Column("platform_income_vnd", _l("Linkage income"), "vnd"),
    Column("attributed_sales_vnd", _l("Attributed sales"), "vnd"),
    Column("projected_income_vnd", _l("Projected income per person per month"), "vnd"),
    Column("poverty_line_vnd", _l("Poverty line"), "vnd"),
    Column("projected_status", _l("Projected status")),
    Column("transition", _l("Transition")),
    Column("meritorious", _l("Meritorious family")),
    Column("needs_review", _l("Needs review")),
)


def filter_form() -> ImpactFilterForm:
    """The filters of the query string, validated; a place outside the scope answers 404."""
    return load_filter_form(request.args, current_user, HouseholdListForm)[0]


def _audit_list(period: Period, form: ImpactFilterForm, what: str, **extra: Any) -> None:
    new = {"period": str(period), **form.filters().as_dict(), **extra}
    audit.record(current_user, AuditAction.READ, what, None, new=new)


@bp.route("/households")
@allow(Role.OFFICIAL, Role.ADMIN)
def households() -> str | tuple[str, int]:
    form = filter_form()
    period, filters, page = form.period(), form.filters(), page_number()
    standard, rows, total = households_page(
        current_user, period, filters, page, PER_PAGE, form.sort_order()
    )
    _audit_list(period, form, "impact_households", page=page, rows=len(rows))
    html = render_template(
        "official/households/list.html",
        form=form,
        filter_args=form.query_args(),
        period=period,
        standard=standard,
        page=Page(items=rows, page=page, per_page=PER_PAGE, total=total),
        commune_names={c.code: c.name for c in form.communes},
    )
    db.session.commit()
    return (html, 422) if form.errors else html


def _labelled(rows: Iterator[dict], names: dict[str, str], count: list[int]) -> Iterator[dict]:
    """Rows as the file shows them (labels, commune names); counts them in `count`."""
    not_yet_known, not_projected = _("Not yet known"), _("Not projected")
    for row in rows:
        count[0] += 1
        yield {
            **row,
            "commune": names.get(row["commune_code"], ""),
            "official_status": label(row["official_status"]) or not_yet_known,
            "projected_status": label(row["projected_status"]) or not_projected,
            "transition": label(row["transition"]),
            "meritorious": _("Yes") if row["meritorious"] else _("No"),
            "needs_review": _("Yes") if row["needs_review"] else _("No"),
        }


@bp.route("/households/export.<fmt>")
@allow(Role.OFFICIAL, Role.ADMIN)
def households_export(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    form = filter_form()
    period = form.period()
    filters = ", ".join(f"{k}={v}" for k, v in form.filters().as_dict().items())
    names = {c.code: c.name for c in form.communes}
    count = [0]
    filename = f"household-impact-{period.start}-{period.end}.{fmt}"
    with materialised(current_user, period, form.filters()) as projection:
        meta = [
            (_("Period"), f"{period.start} – {period.end}"),
            (_("Scope"), jurisdiction_label(current_user) + (f"; {filters}" if filters else "")),
            (_("Poverty standard"), standard_text(projection.standard)),
        ]
        rows = _labelled(household_rows(projection, form.sort_order()), names, count)
        table = Table("households", _("Household impact"), EXPORT_COLUMNS, rows)
        if fmt == "csv":
            response = csv_response(table, meta, filename)
        else:
            response = xlsx_response([table], meta, filename)
    _audit_list(period, form, "impact_export", table="households", format=fmt, rows=count[0])
    db.session.commit()
    return response


def _household_page(household_id: int, form: ImpactFilterForm, reclassify_form: Any) -> str:
    period = form.period()
    impact = household_impact(current_user, household_id, period)
    audit.record(
        current_user,
        AuditAction.READ,
        "household_impact",
        impact.household.id,
        new={"period": str(period)},
    )
    html = render_template(
        "official/households/detail.html",
        impact=impact,
        household=impact.household,
        form=reclassify_form,
        filter_form=form,
        filter_args=form.query_args(),
        period=period,
        supports=support_panel(impact.household, period),
    )
    db.session.commit()  # the audit entry (after rendering: commit expires the rows)
    return html


@bp.route(HOUSEHOLD)
@allow(Role.OFFICIAL, Role.ADMIN)
def household(household_id: int) -> str | tuple[str, int]:
    form = filter_form()
    html = _household_page(household_id, form, ReclassifyForm())
    return (html, 422) if form.errors else html


def _refusal(form: ReclassifyForm, error: DomainError) -> None:
    """The service's refusal next to its field, or above the form."""
    if error.status == 404:
        raise error
    db.session.rollback()
    name = error.field if error.field in ("official_status", "reason") else "official_status"
    form[name].errors = [*form[name].errors, error.message]
    form._errors = None  # form.errors is cached


def record_reclassification(
    household: Household, form: ReclassifyForm, *, reviewed: bool = False
) -> bool:
    """Record the validated form's re-classification, commit and say so (True); a refusal
    is shown next to its field (False, rolled back)."""
    status = OfficialStatus(form.official_status.data)
    try:
        reclassify(current_user, household, status, form.reason.data, reviewed=reviewed)
    except DomainError as error:
        _refusal(form, error)
        return False
    db.session.commit()
    flash(
        _("%(code)s is now recorded as %(status)s.", code=household.code, status=label(status)),
        "success",
    )
    return True


@bp.route(HOUSEHOLD + "/reclassify", methods=["POST"], endpoint="reclassify")
@allow(Role.OFFICIAL, Role.ADMIN)
def reclassify_household(household_id: int) -> Response | tuple[str, int]:
    household = get_household_for(current_user, household_id)
    filters = filter_form()
    form = ReclassifyForm()
    if form.validate_on_submit() and record_reclassification(household, form):
        return see_other(
            ".household", household_id=household.id, _anchor="status", **filters.query_args()
        )
    db.session.rollback()
    return _household_page(household_id, filters, form), 422
