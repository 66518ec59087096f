"""The review queue: households of the jurisdiction that need re-checking, with the reason,
filters and the re-classification form on each row."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import page_number, see_other
from linkage.extensions import db
from linkage.security import allow
from linkage.services.review import record_queue_read, review_page
from linkage.services.scope import get_household_for
from models import Role

from . import bp
from .households import record_reclassification
from .review_forms import ReviewFilterForm, ReviewReclassifyForm, load_review_filters
from .review_forms import reclassify_form as row_form

PER_PAGE = 25


def _queue(
    filters: ReviewFilterForm, failed: tuple[int, ReviewReclassifyForm] | None = None
) -> str:
    """The queue page (audited as a read of household-level data); `failed`: a household
    and its posted form, shown with its errors."""
    period, page = filters.period(), page_number()
    commune, reason = filters.chosen_commune(), filters.chosen_reason()
    queue = review_page(current_user, period, page, PER_PAGE, commune, reason)
    forms: dict[int, Any] = {item.household.id: row_form(item.household.id) for item in queue.items}
    if failed is not None:
        forms[failed[0]] = failed[1]
    record_queue_read(current_user, period, queue, commune, reason)
    html = render_template(
        "official/review.html",
        form=filters,
        filter_args=filters.query_args(),
        period=period,
        queue=queue,
        forms=forms,
        failed=failed[0] if failed else None,
    )
    db.session.commit()  # the audit entry (after rendering: commit expires the rows)
    return html


@bp.route("/review")
@allow(Role.OFFICIAL, Role.ADMIN)
def review() -> str | tuple[str, int]:
    filters, valid = load_review_filters(request.args, current_user)
    html = _queue(filters)
    return html if valid else (html, 422)


@bp.route("/review/<id:household_id>/reclassify", methods=["POST"])
@allow(Role.OFFICIAL, Role.ADMIN)
def review_reclassify(household_id: int) -> Response | tuple[str, int]:
    household = get_household_for(current_user, household_id)  # 404 outside the jurisdiction
    filters, _valid = load_review_filters(request.args, current_user)
    form = row_form(household.id, request.form)
    if form.validate_on_submit() and record_reclassification(
        household, form, reviewed=form.reviewed.data
    ):
        return see_other(".review", **filters.query_args())
    db.session.rollback()
    return _queue(filters, (household.id, form)), 422
