"""Officials' pages of policy support: the household page's section, recording a support (any
programme), a support's page with its history, correction and void, and a commune's list
imported from a CSV file (all or nothing)."""

from __future__ import annotations

from flask import Response, flash, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from blueprints import support_pages as pages
from blueprints.common import commit_import, see_other
from blueprints.record_forms import VoidForm
from blueprints.support_forms import SupportImportForm
from linkage.numbers import format_number
from linkage.security import allow
from linkage.services import supports
from linkage.services.jurisdiction import communes_of
from linkage.services.periods import Period
from linkage.services.scope import get_household_for
from models import Household, Role, Support

from . import bp

HOUSEHOLD = "/households/<id:household_id>"
SUPPORT = "/supports/<id:support_id>"
LAYOUT = "official/_layout.html"
# The page lists at most this many import problems (the count of all is shown).
MAX_SHOWN_ERRORS = 500


def support_panel(household: Household, period: Period) -> pages.Panel:
    """The support section of the official's household page, for the page's period."""
    links = pages.Links(
        new=url_for("official.support_new", household_id=household.id),
        record=lambda support: url_for("official.support", support_id=support.id),
    )
    return pages.panel(household, period, links)


def _household_page(household_id: int) -> str:
    return url_for(".household", household_id=household_id, _anchor="supports")


@bp.route(HOUSEHOLD + "/supports/new", methods=["GET", "POST"])
@allow(Role.OFFICIAL, Role.ADMIN)
def support_new(household_id: int) -> BaseResponse | tuple[str, int]:
    household = get_household_for(current_user, household_id)
    form = pages.support_form(prefix="support")
    status = 200
    if request.method == "POST":
        recorded = pages.record(household, form)
        if isinstance(recorded, Support):
            return see_other(".household", household_id=household.id, _anchor="supports")
        status = recorded
    return pages.new_page(LAYOUT, household, form, _household_page(household.id)), status


def _page(support: Support, **forms: object) -> str:
    actions = {
        name: url_for(f".support_{name}", support_id=support.id) for name in ("correct", "void")
    }
    back = _household_page(support.household_id)
    return pages.record_page(LAYOUT, support, back, actions, **forms)  # type: ignore[arg-type]


def _to_page(support: Support) -> BaseResponse:
    return see_other(".support", support_id=support.id)


@bp.route(SUPPORT)
@allow(Role.OFFICIAL, Role.ADMIN)
def support(support_id: int) -> str:
    return _page(supports.get_support_for(current_user, support_id))


@bp.route(SUPPORT + "/correction", methods=["POST"])
@allow(Role.OFFICIAL, Role.ADMIN)
def support_correct(support_id: int) -> BaseResponse | tuple[str, int]:
    record = supports.get_support_for(current_user, support_id)
    form = pages.correction_form()
    status = pages.correct(record, form)
    if status is None:
        return _to_page(record)
    return _page(record, correction=form), status


@bp.route(SUPPORT + "/void", methods=["POST"])
@allow(Role.OFFICIAL, Role.ADMIN)
def support_void(support_id: int) -> BaseResponse | tuple[str, int]:
    record = supports.get_support_for(current_user, support_id)
    form = VoidForm(prefix="void")
    status = pages.void(record, form)
    if status is None:
        return _to_page(record)
    return _page(record, void=form), status


@bp.route("/supports/import", methods=["GET", "POST"])
@allow(Role.OFFICIAL, Role.ADMIN)
def supports_import() -> str | BaseResponse | tuple[str, int]:
    form = SupportImportForm()
    form.set_choices(communes_of(current_user))
    rejected = None
    if form.validate_on_submit():
        data = form.file.data.read()
        imported, rejected = commit_import(
            lambda: supports.import_supports(current_user, data, form.commune.data)
        )
        if rejected is None:
            flash(
                ngettext(
                    "%(count)s support imported.",
                    "%(count)s supports imported.",
                    imported,
                    count=format_number(imported),
                ),
                "success",
            )
            return see_other(".supports_import")
    status = 422 if form.errors or rejected else 200
    return render_template(
        "supports/import.html",
        form=form,
        rejected=rejected,
        shown_errors=rejected.errors[:MAX_SHOWN_ERRORS] if rejected else [],
        columns=supports.COLUMNS,
        programmes=supports.PROGRAMME_NAMES,
    ), status


@bp.route("/supports/template.csv")
@allow(Role.OFFICIAL, Role.ADMIN)
def supports_template() -> Response:
    language = request.args.get("language") or str(get_locale())
    language = "en" if language == "en" else "vi"
    # The BOM tells Excel the file is UTF-8, so Vietnamese names open correctly.
    body = "\ufeff" + supports.csv_template(language)
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=supports-template-{language}.csv"},
    )
