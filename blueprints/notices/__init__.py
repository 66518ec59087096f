"""In-app notices: the list (newest first) and "mark all as read"; the count in the header."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import page_of
from linkage.extensions import db
from linkage.security import AUTHENTICATED, allow
from linkage.services.orders import notices
from models import Notice, Role

PER_PAGE = 20
bp = Blueprint("notices", __name__)


@bp.app_context_processor
def unread_notices() -> dict[str, object]:
    """`unread_notices` for the header: one COUNT, and only for logged-in users."""
    if not current_user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": notices.unread_count(current_user)}


def notice_url(notice: Notice) -> str | None:
    """The order page of the reader's side: the buyer's page or the cooperative's page."""
    if notice.order is None:
        return None
    if current_user.role == Role.BUYER:
        return url_for("buyer.order", order_id=notice.order_id)
    if current_user.role in (Role.MANAGER, Role.ADMIN):
        return url_for(
            "manage.order", cooperative_id=notice.order.cooperative_id, order_id=notice.order_id
        )
    return None


@bp.route("/notices")
@allow(AUTHENTICATED)
def index() -> str:
    page = page_of(notices.notices_query(current_user), PER_PAGE)
    return render_template(
        "notices/index.html", page=page, sentence=notices.sentence, notice_url=notice_url
    )


@bp.route("/notices/read", methods=["POST"])
@allow(AUTHENTICATED)
def mark_read() -> Response:
    marked = notices.mark_all_read(current_user)
    db.session.commit()
    if marked:
        flash(_("All notices are marked as read."), "success")
    return redirect(url_for(".index"))
