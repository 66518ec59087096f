"""The official impact dashboard, its print view and its exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from linkage.exports import csv_response, xlsx_response
from linkage.extensions import db
from linkage.security import allow
from linkage.services import audit
from linkage.services.impact import dashboard as service
from linkage.services.impact.labels import FIGURE_NOTES
from linkage.services.jurisdiction import jurisdiction_label
from linkage.services.periods import VIETNAM
from linkage.templating import standard_text
from models import AuditAction, Role

from . import bp
from .charts import dashboard_charts
from .forms import ImpactFilterForm, load_filter_form

FILTER_FIELDS = (
    "former_province",
    "region",
    "commune",
    "cooperative",
    "product_category",
    "ethnicity_group",
    "official_status",
)
# filters the household list also sets: they narrow the dashboard too, and are named in files
OTHER_FILTERS = ("projected_status", "transition", "meritorious", "needs_review")
FORMATS = ("csv", "xlsx")
# the dashboard page shows the key figures and one of these (its chart, then its table); the
# others are a link away, and the print view has them all
SECTIONS = service.TABLE_SLUGS[1:]  # every table but the key figures, always shown


@bp.context_processor
def dashboard_helpers() -> dict[str, Any]:
    return {"filter_fields": FILTER_FIELDS, "figure_note": FIGURE_NOTES.get}


def _form() -> tuple[ImpactFilterForm, bool]:
    return load_filter_form(request.args, current_user)


def _page(
    template: str, form: ImpactFilterForm, valid: bool, section: str | None = None
) -> str | tuple[str, int]:
    """The dashboard (key figures and one `section`) or, without a section, everything."""
    only = None if section is None else {"figures", section}
    dashboard = service.build(current_user, form.period(), form.filters(), only)
    page = render_template(
        template,
        form=form,
        dashboard=dashboard,
        charts=dashboard_charts(dashboard),
        filter_args=form.query_args(),
        scope=scope_text(form),
        section=section,
        sections=SECTIONS,
    )
    return page if valid else (page, 422)


@bp.route("/")
@allow(Role.OFFICIAL, Role.ADMIN)
def dashboard() -> str | tuple[str, int]:
    section = request.args.get("section") or SECTIONS[0]
    if section not in SECTIONS:
        abort(404)
    return _page("official/dashboard.html", *_form(), section=section)


@bp.route("/print")
@allow(Role.OFFICIAL, Role.ADMIN)
def print_view() -> str | tuple[str, int]:
    return _page("official/print.html", *_form())


def filters_set(form: ImpactFilterForm) -> list[tuple[str, str]]:
    """Each valid filter set, with its readable value (a name, not an id)."""
    named = []
    for name in FILTER_FIELDS + OTHER_FILTERS:
        field = form[name]
        if field.data in ("", None) or field.errors:
            continue
        named.append((str(field.label.text), str(dict(field.choices).get(field.data, field.data))))
    return named


def scope_text(form: ImpactFilterForm) -> str:
    """The jurisdiction and the filters, in one line (the page header)."""
    parts = [jurisdiction_label(current_user)]
    parts.extend(f"{label}: {value}" for label, value in filters_set(form))
    return " · ".join(parts)


def export_meta(form: ImpactFilterForm, dashboard: service.Dashboard) -> list[tuple[str, str]]:
    """Period, scope, poverty standard and time of the file, written at its top."""
    period, standard = dashboard.period, dashboard.standard
    return [
        (_("Period"), f"{period.start} – {period.end}"),
        (_("Scope"), jurisdiction_label(current_user)),
        *filters_set(form),  # one row each: a value is neutralised on its own in the file
        (_("Poverty standard"), standard_text(standard)),
        (_("Generated at"), datetime.now(VIETNAM).strftime("%Y-%m-%d %H:%M (UTC+7)")),
    ]


def _export(slug: str, fmt: str) -> Response | str | tuple[str, int]:
    form, valid = _form()
    if not valid:
        section = slug if slug in SECTIONS else SECTIONS[0]
        return _page("official/dashboard.html", form, valid, section=section)
    period, filters = form.period(), form.filters()
    only = None if slug == "dashboard" else {slug}
    dashboard = service.build(current_user, period, filters, only)
    audit.record(
        current_user,
        AuditAction.EXPORT,
        "impact_export",
        None,
        new={"table": slug, "format": fmt, "period": str(period), **filters.as_dict()},
    )
    db.session.commit()
    meta = export_meta(form, dashboard)
    filename = f"linkage-impact-{slug}-{period.start}_{period.end}.{fmt}"
    if slug == "dashboard":
        tables = [dashboard.tables[name] for name in service.TABLE_SLUGS]
        return xlsx_response(tables, meta, filename)
    table = dashboard.tables[slug]
    if fmt == "csv":
        return csv_response(table, meta, filename)
    return xlsx_response([table], meta, filename)


@bp.route("/export/dashboard.xlsx")
@allow(Role.OFFICIAL, Role.ADMIN)
def export_all() -> Response | str | tuple[str, int]:
    return _export("dashboard", "xlsx")


@bp.route("/export/<slug>.<fmt>")
@allow(Role.OFFICIAL, Role.ADMIN)
def export(slug: str, fmt: str) -> Response | str | tuple[str, int]:
    if slug not in service.TABLE_SLUGS or fmt not in FORMATS:
        abort(404)
    return _export(slug, fmt)
