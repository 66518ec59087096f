"""API resource: the officials' review queue (households that need re-checking, with the
reasons). Re-classify with `POST /api/v1/households/{id}/reclassify` (`reviewed: true`
lifts the review mark)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from linkage.extensions import db
from linkage.schemas.common import envelope, page_of
from linkage.schemas.review import ReviewArgs, ReviewItemSchema
from linkage.services.review import record_queue_read, review_page
from models import Role

from .common import api_allow, refuses

blp = Blueprint("api_review", __name__, url_prefix="/api/v1", description="Review queue")


@blp.route("/households/review")
class ReviewQueue(MethodView):
    @api_allow(Role.OFFICIAL, Role.ADMIN)
    @refuses(404)
    @blp.arguments(ReviewArgs, location="query")
    @blp.response(200, page_of(ReviewItemSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Households of the jurisdiction that need review, by commune then code (audited
        read); a commune outside the jurisdiction answers 404."""
        period, reason = args["period"], args.get("reason")
        page = review_page(
            current_user, period, args["page"], args["per_page"], args.get("commune"), reason
        )
        items = [
            {
                "household_id": item.household.id,
                "code": item.household.code,
                "commune_code": item.household.commune_code,
                "official_status": item.household.official_status,
                "needs_review": item.household.needs_review,
                "reasons": item.reasons,
                "projected_status": item.projected_status,
                "previous_projected_status": item.previous_projected_status,
            }
            for item in page.items
        ]
        record_queue_read(current_user, period, page, args.get("commune"), reason)
        db.session.commit()
        return {**envelope(page), "items": items}
