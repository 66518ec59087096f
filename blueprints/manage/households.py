"""Manager pages: member households (list, add, edit, join another cooperative, CSV import)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from blueprints.common import commit_import, commit_or_refuse, form_status
from blueprints.manage import bp
from linkage.extensions import db
from linkage.numbers import format_number
from linkage.security import allow
from linkage.services import households as service
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.households import NOT_YET_KNOWN
from linkage.services.paging import paginate
from linkage.services.reference import communes_query, ethnic_groups
from models import Cooperative, Household, Role

from .household_forms import (
    NOT_YET_KNOWN_LABEL,
    REVIEW_CHOICES,
    EditHouseholdForm,
    ImportForm,
    JoinCooperativeForm,
    NewHouseholdForm,
    parse_filters,
    parse_page,
)
from .supports import support_panel

COOPERATIVE = "/<id:cooperative_id>/households"
HOUSEHOLD = COOPERATIVE + "/<id:household_id>"
PER_PAGE = 25
# The page lists at most this many import problems (the count of all is shown).
MAX_SHOWN_ERRORS = 500


@bp.route(COOPERATIVE)
@allow(Role.MANAGER, Role.ADMIN)
def households(cooperative_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    filters = parse_filters(request.args)
    statement = service.households_query(current_user, cooperative, **filters)
    page = paginate(statement.options(*service.LOAD_OPTIONS), parse_page(request.args), PER_PAGE)
    return render_template(
        "manage/households/list.html",
        cooperative=cooperative,
        page=page,
        filters=filters,
        filtered=any(value is not None for value in filters.values()),
        counts=service.household_counts(current_user, cooperative),
        communes=service.member_communes(current_user, cooperative),
        not_yet_known=NOT_YET_KNOWN,
        not_yet_known_label=NOT_YET_KNOWN_LABEL,
        review_choices=REVIEW_CHOICES,
    )


def _household_form_choices(form: NewHouseholdForm | EditHouseholdForm) -> None:
    form.set_choices(list(db.session.scalars(communes_query())), ethnic_groups())


def _form_page(
    cooperative: Cooperative,
    form: NewHouseholdForm | EditHouseholdForm,
    household: Household | None,
) -> BaseResponse | tuple[str, int]:
    """Save a posted household form (a new one when `household` is None) and go back to the
    list, or show the form (again)."""
    _household_form_choices(form)

    def save() -> Household:
        if household is None:
            return service.create_household(current_user, cooperative, form.service_data())
        return service.update_household(current_user, household, form.service_data())

    def done(saved: Household) -> str:
        if household is None:
            return _("Household %(code)s added.", code=saved.code)
        return _("Household %(code)s saved.", code=saved.code)

    if form.validate_on_submit() and commit_or_refuse(form, save, done):
        return redirect(url_for(".households", cooperative_id=cooperative.id))
    more = {}
    if household is not None:
        visible = service.visible_cooperative_ids(current_user, household)
        more = {
            "supports": support_panel(cooperative, household),
            "join_form": _join_form(household),
            "member_of": [
                m.cooperative for m in household.memberships if m.cooperative_id in visible
            ],
        }
    html = render_template(
        "manage/households/form.html",
        cooperative=cooperative,
        form=form,
        household=household,
        **more,
    )
    return html, form_status(form)


@bp.route(COOPERATIVE + "/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def household_new(cooperative_id: int) -> BaseResponse | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    form = NewHouseholdForm()
    if request.method == "GET":
        form.commune_code.data = cooperative.commune_code
    return _form_page(cooperative, form, None)


@bp.route(HOUSEHOLD + "/edit", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def household_edit(cooperative_id: int, household_id: int) -> BaseResponse | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    household = service.get_member_household(current_user, cooperative, household_id)
    form = EditHouseholdForm.for_household(household)
    return _form_page(cooperative, form, household)


def _join_form(household: Household) -> JoinCooperativeForm | None:
    """Managers of several cooperatives may add the household to their others."""
    if current_user.role != Role.MANAGER:
        return None
    joined = {membership.cooperative_id for membership in household.memberships}
    others = [c for c in current_user.cooperatives if c.id not in joined]
    if not others:
        return None
    form = JoinCooperativeForm(prefix="join")
    form.set_choices(others)
    return form


@bp.route(HOUSEHOLD + "/memberships", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def household_membership(cooperative_id: int, household_id: int) -> BaseResponse:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    household = service.get_member_household(current_user, cooperative, household_id)
    form = _join_form(household)
    if form is None or not form.validate_on_submit():
        flash(_("Choose one of your other cooperatives."), "error")
    else:
        target = get_cooperative_for(current_user, form.cooperative_id.data)
        service.add_membership(current_user, household.id, target, None)
        db.session.commit()
        flash(
            _(
                "Household %(code)s is now also a member of %(name)s.",
                code=household.code,
                name=target.name,
            ),
            "success",
        )
    return redirect(
        url_for(".household_edit", cooperative_id=cooperative.id, household_id=household.id)
    )


@bp.route(COOPERATIVE + "/import", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def households_import(cooperative_id: int) -> str | BaseResponse | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    form = ImportForm()
    rejected = None
    if form.validate_on_submit():
        created, rejected = commit_import(
            lambda: service.import_households(current_user, cooperative, form.file.data.read())
        )
        if rejected is None:
            flash(
                ngettext(
                    "%(count)s household imported.",
                    "%(count)s households imported.",
                    created,
                    count=format_number(created),
                ),
                "success",
            )
            return redirect(url_for(".households", cooperative_id=cooperative.id))
    status = 422 if form.errors or rejected else 200
    return render_template(
        "manage/households/import.html",
        cooperative=cooperative,
        form=form,
        rejected=rejected,
        shown_errors=rejected.errors[:MAX_SHOWN_ERRORS] if rejected else [],
        titles=service.column_titles(str(get_locale())),
    ), status


@bp.route(COOPERATIVE + "/template.csv")
@allow(Role.MANAGER, Role.ADMIN)
def households_template(cooperative_id: int) -> Response:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    # column titles in the page's language (or ?language=vi|en); keys are read too
    language = "en" if (request.args.get("language") or str(get_locale())) == "en" else "vi"
    # The BOM tells Excel the file is UTF-8, so Vietnamese names open correctly.
    body = "\ufeff" + service.csv_template(cooperative.commune_code, language)
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=households-template.csv"},
    )
