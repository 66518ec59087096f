"""Manager pages of the support a member household received: the household page's section,
recording a support (the programmes a cooperative channels), a support's page with its
history, correction and void."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints import support_pages as pages
from blueprints.common import see_other
from blueprints.manage import bp
from blueprints.record_forms import VoidForm
from linkage.security import allow
from linkage.services import households, supports
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.errors import NotFound
from linkage.services.periods import Period, current_month
from models import Cooperative, Household, Role, Support

COOPERATIVE = "/<id:cooperative_id>"
HOUSEHOLD = COOPERATIVE + "/households/<id:household_id>"
SUPPORT = COOPERATIVE + "/supports/<id:support_id>"
LAYOUT = "manage/_layout.html"
MONTHS = 12  # the household page shows the income of the last 12 months


def _links(cooperative: Cooperative, household: Household) -> pages.Links:
    return pages.Links(
        new=url_for("manage.support_new", cooperative_id=cooperative.id, household_id=household.id),
        record=lambda support: url_for(
            "manage.support", cooperative_id=cooperative.id, support_id=support.id
        ),
    )


def support_panel(cooperative: Cooperative, household: Household) -> pages.Panel:
    """The support section of the manager's household page: the last 12 months' income."""
    this_month = current_month()
    period = Period(this_month.minus(MONTHS - 1), this_month)
    return pages.panel(household, period, _links(cooperative, household))


def _household_page(cooperative: Cooperative, household_id: int) -> str:
    return url_for(
        ".household_edit",
        cooperative_id=cooperative.id,
        household_id=household_id,
        _anchor="supports",
    )


@bp.route(HOUSEHOLD + "/supports/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def support_new(cooperative_id: int, household_id: int) -> Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    household = households.get_member_household(current_user, cooperative, household_id)
    form = pages.support_form(prefix="support")
    status = 200
    if request.method == "POST":
        recorded = pages.record(household, form)
        if isinstance(recorded, Support):
            return see_other(
                ".household_edit",
                cooperative_id=cooperative.id,
                household_id=household.id,
                _anchor="supports",
            )
        status = recorded
    back = _household_page(cooperative, household.id)
    return pages.new_page(LAYOUT, household, form, back, cooperative=cooperative), status


def _support(cooperative_id: int, support_id: int) -> tuple[Cooperative, Support]:
    """A support of a member of this cooperative (404 otherwise)."""
    cooperative = get_cooperative_for(current_user, cooperative_id)
    support = supports.get_support_for(current_user, support_id)
    if all(m.cooperative_id != cooperative.id for m in support.household.memberships):
        raise NotFound(_("Support not found."))
    return cooperative, support


def _page(cooperative: Cooperative, support: Support, **forms: object) -> str:
    actions = {
        name: url_for(f".support_{name}", cooperative_id=cooperative.id, support_id=support.id)
        for name in ("correct", "void")
    }
    back = _household_page(cooperative, support.household_id)
    return pages.record_page(
        LAYOUT,
        support,
        back,
        actions,
        cooperative=cooperative,
        **forms,  # type: ignore[arg-type]
    )


@bp.route(SUPPORT)
@allow(Role.MANAGER, Role.ADMIN)
def support(cooperative_id: int, support_id: int) -> str:
    cooperative, record = _support(cooperative_id, support_id)
    return _page(cooperative, record)


@bp.route(SUPPORT + "/correction", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def support_correct(cooperative_id: int, support_id: int) -> Response | tuple[str, int]:
    cooperative, record = _support(cooperative_id, support_id)
    form = pages.correction_form()
    status = pages.correct(record, form)
    if status is None:
        return see_other(".support", cooperative_id=cooperative.id, support_id=record.id)
    return _page(cooperative, record, correction=form), status


@bp.route(SUPPORT + "/void", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def support_void(cooperative_id: int, support_id: int) -> Response | tuple[str, int]:
    cooperative, record = _support(cooperative_id, support_id)
    form = VoidForm(prefix="void")
    status = pages.void(record, form)
    if status is None:
        return see_other(".support", cooperative_id=cooperative.id, support_id=record.id)
    return _page(cooperative, record, void=form), status
