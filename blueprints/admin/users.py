"""Admin pages: user accounts, disabled and enabled again, and their roles."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from blueprints.admin import bp
from blueprints.common import page_of, see_other
from blueprints.forms import FlaskForm
from linkage.extensions import db
from linkage.labels import ROLE_LABELS
from linkage.security import allow
from linkage.services import accounts
from linkage.services.errors import DomainError
from models import Role

USER = "/users/<id:user_id>"
PER_PAGE = 25
STATUSES = {"active": True, "disabled": False}


class AccountChangeForm(FlaskForm):
    reason = StringField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=1000, message=_l("The reason is too long."))],
    )


class RoleForm(AccountChangeForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose a role."))],
    )


def _filters() -> dict[str, str | None]:
    """The list's filters from the query string (unknown values are dropped)."""
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    return {
        "q": (request.args.get("q") or "").strip()[:100] or None,
        "role": role if role in Role._value2member_map_ else None,
        "status": status if status in STATUSES else None,
    }


@bp.route("/users", endpoint="users")
@allow(Role.ADMIN)
def users_list() -> str:
    filters = _filters()
    statement = accounts.users_query(
        text=filters["q"],
        role=Role(filters["role"]) if filters["role"] else None,
        active=STATUSES.get(filters["status"] or ""),
    )
    return render_template(
        "admin/users.html",
        page=page_of(statement, PER_PAGE),
        filters=filters,
        back={name: value for name, value in filters.items() if value},
        form=RoleForm(formdata=None),
    )


def _back() -> Response:
    return see_other(".users", **{k: v for k, v in _filters().items() if v})


def _refused(error: DomainError) -> Response:
    """A refusal of the service (one's own account) shown on the list; 404 stays a 404."""
    if error.status == 404:
        raise error
    db.session.rollback()
    flash(error.message, "error")
    return _back()


def _set_active(user_id: int, active: bool) -> Response:
    form = AccountChangeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.reason.errors) or _("The form could not be read."), "error")
        return _back()
    user = accounts.get_user(user_id)
    if user.active == active:
        return _back()
    try:
        accounts.set_active(current_user, user, active, (form.reason.data or "").strip() or None)
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    if active:
        flash(_("%(email)s can log in again.", email=user.email), "success")
    else:
        flash(
            _(
                "%(email)s is disabled: their sessions have ended and their API tokens are "
                "revoked.",
                email=user.email,
            ),
            "success",
        )
    return _back()


@bp.route(USER + "/disable", methods=["POST"])
@allow(Role.ADMIN)
def user_disable(user_id: int) -> Response:
    return _set_active(user_id, False)


@bp.route(USER + "/enable", methods=["POST"])
@allow(Role.ADMIN)
def user_enable(user_id: int) -> Response:
    return _set_active(user_id, True)


@bp.route(USER + "/role", methods=["POST"])
@allow(Role.ADMIN)
def user_role(user_id: int) -> Response:
    form = RoleForm()
    if not form.validate_on_submit():
        errors = [*form.role.errors, *form.reason.errors]
        flash(" ".join(errors) or _("The form could not be read."), "error")
        return _back()
    user = accounts.get_user(user_id)
    role = Role(form.role.data)
    if user.role == role:
        return _back()
    try:
        accounts.change_role(current_user, user, role, (form.reason.data or "").strip() or None)
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    flash(
        _(
            "%(email)s is now %(role)s: their sessions have ended and their API tokens are "
            "revoked.",
            email=user.email,
            role=ROLE_LABELS[role],
        ),
        "success",
    )
    return _back()
