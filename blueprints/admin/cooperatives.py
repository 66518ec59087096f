"""Admin pages: cooperatives to approve or suspend."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from blueprints.admin import bp
from blueprints.common import page_of, see_other
from blueprints.forms import FlaskForm
from linkage.extensions import db
from linkage.security import allow
from linkage.services import cooperatives
from models import Cooperative, CooperativeStatus, Role

COOPERATIVE = "/cooperatives/<id:cooperative_id>"
CONFIRMED = "yes"
PER_PAGE = 25


class StatusChangeForm(FlaskForm):
    reason = StringField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=1000, message=_l("The reason is too long."))],
    )


class SuspendForm(StatusChangeForm):
    """Sent from the confirmation page only: `confirm` says the admin saw what it hides."""

    confirm = HiddenField(default=CONFIRMED)


@bp.route("/cooperatives", endpoint="cooperatives")
@allow(Role.ADMIN)
def cooperatives_list() -> str:
    status = request.args.get("status") or None
    if status not in {s.value for s in CooperativeStatus}:
        status = None
    # Pending cooperatives wait for someone: they come first, oldest first.
    statement = (
        select(Cooperative)
        .options(joinedload(Cooperative.commune), selectinload(Cooperative.managers))
        .order_by(
            case((Cooperative.status == CooperativeStatus.PENDING, 0), else_=1),
            case(
                (Cooperative.status == CooperativeStatus.PENDING, Cooperative.created_at),
                else_=None,
            ),
            Cooperative.name,
            Cooperative.id,
        )
    )
    if status:
        statement = statement.where(Cooperative.status == CooperativeStatus(status))
    return render_template(
        "admin/cooperatives.html",
        page=page_of(statement, PER_PAGE),
        status=status,
        form=StatusChangeForm(formdata=None),
    )


def _change(cooperative_id: int, status: CooperativeStatus) -> Response:
    form = StatusChangeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("The form could not be read."), "error")
        return see_other(".cooperatives")
    cooperative = cooperatives.set_cooperative_status(
        current_user, cooperative_id, status, (form.reason.data or "").strip() or None
    )
    db.session.commit()
    message = (
        _("“%(name)s” is approved: buyers now see it.", name=cooperative.name)
        if status == CooperativeStatus.APPROVED
        else _("“%(name)s” is suspended: buyers no longer see it.", name=cooperative.name)
    )
    flash(message, "success")
    return see_other(".cooperatives", status=request.args.get("status") or None)


@bp.route(COOPERATIVE + "/approve", methods=["POST"])
@allow(Role.ADMIN)
def cooperative_approve(cooperative_id: int) -> Response:
    return _change(cooperative_id, CooperativeStatus.APPROVED)


@bp.route(COOPERATIVE + "/suspend", methods=["GET"], endpoint="cooperative_suspend_confirm")
@allow(Role.ADMIN)
def cooperative_suspend_confirm(cooperative_id: int) -> str:
    """What a suspension hides, and the form that does it."""
    cooperative, on_sale = cooperatives.suspension_preview(current_user, cooperative_id)
    return render_template(
        "admin/cooperative_suspend.html",
        cooperative=cooperative,
        on_sale=on_sale,
        form=SuspendForm(formdata=None),
        status=request.args.get("status") or None,
    )


@bp.route(COOPERATIVE + "/suspend", methods=["POST"])
@allow(Role.ADMIN)
def cooperative_suspend(cooperative_id: int) -> Response:
    """Suspend only when sent from the confirmation page; otherwise show that page."""
    if request.form.get("confirm") != CONFIRMED:
        cooperatives.suspension_preview(current_user, cooperative_id)  # 404 if none
        return see_other(
            ".cooperative_suspend_confirm",
            cooperative_id=cooperative_id,
            status=request.args.get("status") or None,
        )
    return _change(cooperative_id, CooperativeStatus.SUSPENDED)
