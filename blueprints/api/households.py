"""API resources: member households of a cooperative (sensitive personal data).

Managers see the members of their cooperatives, officials those living in their communes,
admins all; anyone else gets 404 for a household (buyers 403 for the whole resource).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from linkage.errors import problem
from linkage.extensions import db
from linkage.schemas.common import envelope, page_of
from linkage.schemas.households import (
    HouseholdArgs,
    HouseholdCreateSchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
    ImportProblemSchema,
    ImportResultSchema,
    MembershipCreateSchema,
    MembershipSchema,
    as_seen_by,
)
from linkage.services import households
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.households import ImportRejected
from linkage.services.paging import paginate
from linkage.services.scope import get_household_for
from models import Membership, Role

from .common import api_allow, csv_import, operation, refused_import, refuses

blp = Blueprint("api_households", __name__, url_prefix="/api/v1", description="Member households")


CSV_BODY = {
    "required": True,
    "description": "UTF-8 CSV (a BOM is allowed), comma-separated, header row first, "
    "columns: code, head_name, commune_code, members, ethnicity, official_status, "
    "deprivations, baseline_income_vnd, meritorious, consent (optional: needs_review); "
    "at most 20,000 rows. An ethnicity or official_status not yet known is written `chưa rõ` "
    "(or `unknown`): the household then needs review; an empty cell is an error. The date "
    "the official status was set stays empty.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@blp.route("/cooperatives/<id:cooperative_id>/households")
class CooperativeHouseholds(MethodView):
    @api_allow(Role.MANAGER, Role.OFFICIAL, Role.ADMIN)
    @refuses(404)
    @blp.arguments(HouseholdArgs, location="query")
    @blp.response(200, page_of(HouseholdSchema))
    def get(self, args: dict[str, Any], cooperative_id: int) -> dict[str, Any]:
        """The cooperative's member households in the caller's scope."""
        cooperative = households.get_cooperative_for_households(current_user, cooperative_id)
        filters = {**args, "cooperative_id": cooperative.id}
        if households.record_read(current_user, "household_list", cooperative.id, filters):
            db.session.commit()  # before reading: a commit would expire the rows read
        statement = households.households_query(
            current_user,
            cooperative,
            q=args.get("q"),
            status=args.get("official_status"),
            commune_code=args.get("commune"),
            needs_review=args.get("needs_review"),
        ).options(*households.LOAD_OPTIONS)
        page = paginate(statement, args["page"], args["per_page"])
        return {
            **envelope(page),
            "items": [as_seen_by(current_user, household) for household in page.items],
        }

    @operation(
        blp,
        (Role.MANAGER, Role.ADMIN),
        body=HouseholdCreateSchema,
        answer=HouseholdSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], cooperative_id: int) -> Any:
        """Register a member household; its consent must be true."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        household = households.create_household(current_user, cooperative, data)
        db.session.commit()
        return as_seen_by(current_user, household)


@blp.route("/cooperatives/<id:cooperative_id>/households/import")
class HouseholdImport(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @refuses(404, 409)
    @csv_import(blp, CSV_BODY, ImportResultSchema, ImportProblemSchema, by="row")
    def post(self, cooperative_id: int) -> dict[str, int]:
        """Import member households from CSV: all rows or none."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        created = households.import_households(current_user, cooperative, request.get_data())
        db.session.commit()
        return {"created": created}


@blp.errorhandler(ImportRejected)
def import_rejected(error: ImportRejected) -> Response:
    """422 with the problems by row: `errors` {"row 3": ["members: ..."]} and `rows`."""
    shown, detail = refused_import(error)
    by_row: dict[str, list[str]] = {}
    for row_error in shown:
        by_row.setdefault(f"row {row_error.row}", []).append(
            f"{row_error.field}: {row_error.message}"
        )
    return problem(
        422,
        "Unprocessable Entity",
        detail,
        errors=by_row,
        rows=[{"row": e.row, "field": e.field, "message": e.message} for e in shown],
        error_count=len(error.errors),
    )


@blp.route("/households/<id:household_id>")
class HouseholdDetail(MethodView):
    @operation(
        blp, (Role.MANAGER, Role.OFFICIAL, Role.ADMIN), answer=HouseholdSchema, refused=(404,)
    )
    def get(self, household_id: int) -> Any:
        """One household, if it is in the caller's scope."""
        household = get_household_for(current_user, household_id)
        if households.record_read(
            current_user, "household", household.id, {"household_id": household.id}
        ):
            db.session.commit()
        return as_seen_by(current_user, household)

    @operation(
        blp,
        (Role.MANAGER, Role.ADMIN),
        body=HouseholdUpdateSchema,
        required=False,
        answer=HouseholdSchema,
        refused=(404, 409),
    )
    def patch(self, data: dict[str, Any], household_id: int) -> Any:
        """Edit a household's record (the official status: admins only, with a reason)."""
        household = get_household_for(current_user, household_id)
        households.update_household(current_user, household, data)
        db.session.commit()
        return as_seen_by(current_user, household)


@blp.route("/cooperatives/<id:cooperative_id>/memberships")
class CooperativeMemberships(MethodView):
    @operation(
        blp,
        (Role.MANAGER, Role.ADMIN),
        body=MembershipCreateSchema,
        answer=MembershipSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], cooperative_id: int) -> Membership:
        """Add an existing household (one of the caller's) to this cooperative too."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        membership = households.add_membership(
            current_user, data["household_id"], cooperative, data.get("joined_on")
        )
        db.session.commit()
        return membership
