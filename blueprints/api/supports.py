"""API resources: the policy support households received (loans, varieties, training...).

Officials whose communes hold the household, and admins, record any programme; managers of
the household's cooperative see all of its support and record the programmes a cooperative
channels (403 for the others). A household or support outside the caller's scope is 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE

from linkage.errors import problem
from linkage.extensions import db
from linkage.schemas.common import envelope, page_of
from linkage.schemas.corrections import VoidSchema
from linkage.schemas.supports import (
    SupportArgs,
    SupportCorrectionSchema,
    SupportCreateSchema,
    SupportImportArgs,
    SupportImportProblemSchema,
    SupportImportResultSchema,
    SupportRecordSchema,
    SupportSchema,
)
from linkage.services import supports
from linkage.services.households import ImportRejected, record_read
from linkage.services.paging import paginate
from linkage.services.scope import get_household_for
from linkage.services.valuechain.history import WithHistory, with_history
from models import Role, Support

from .common import api_allow, csv_import, operation, refused_import, refuses, saved_with_history

blp = Blueprint("api_supports", __name__, url_prefix="/api/v1", description="Policy support")

HOUSEHOLD_ID = "<id:household_id>"
SUPPORT_ID = "<id:support_id>"
IN_SCOPE = (Role.MANAGER, Role.OFFICIAL, Role.ADMIN)

CSV_DESCRIPTION = (
    "UTF-8 CSV (a BOM is allowed), comma-separated, header row first, at most 20,000 rows. "
    "Columns, named by their key, English title or Vietnamese title: household_code "
    "(Household code, Mã hộ), programme (Programme, Chương trình hỗ trợ), amount_vnd "
    "(Amount (VND), Số tiền (đồng)), received_on (Date received, Ngày nhận); optional: "
    "purpose_product_code (Purpose product code, Mã sản phẩm mục đích), term_months (Loan "
    "term (months), Thời hạn vay (tháng)), note (Note, Ghi chú). A programme is its key or "
    "its Vietnamese or English name (`policy_loan`, `Vay vốn chính sách`, `Policy loan`). "
    "Amounts are whole đồng, written as the header's language writes numbers: "
    "`1.500.000` under Vietnamese titles, `1,500,000` under English titles or keys (digits "
    "alone in both). Dates are day/month/year (`15/03/2026`) or `2026-03-15`. The term is "
    "required for a policy loan and refused for any other programme. Households are named "
    "by code and must be in the caller's jurisdiction. All rows are recorded or none: a "
    "row already recorded (same household, programme, date and amount) is an error."
)
CSV_BODY = {
    "required": True,
    "description": CSV_DESCRIPTION,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


@blp.route(f"/households/{HOUSEHOLD_ID}/supports")
class HouseholdSupports(MethodView):
    @api_allow(*IN_SCOPE)
    @refuses(404)
    @blp.arguments(SupportArgs, location="query", unknown=RAISE)
    @blp.response(200, page_of(SupportSchema))
    def get(self, args: dict[str, Any], household_id: int) -> dict[str, Any]:
        """The household's supports, last received first; void ones are listed with their
        status (they count nowhere)."""
        household = get_household_for(current_user, household_id)
        if record_read(current_user, "household_supports", household.id, args):
            db.session.commit()  # before reading: a commit would expire the rows read
        statement = supports.supports_query(household, args.get("programme"))
        return envelope(paginate(statement, args["page"], args["per_page"]))

    @operation(
        blp,
        IN_SCOPE,
        body=SupportCreateSchema,
        answer=SupportSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], household_id: int) -> Support:
        """Record a support the household received (audited).

        A manager recording a programme other than those a cooperative channels gets 403;
        a date in the future is 409.
        """
        household = get_household_for(current_user, household_id)
        support = supports.record_support(current_user, household, data)
        db.session.commit()
        return support


@blp.route(f"/supports/{SUPPORT_ID}")
class SupportRecord(MethodView):
    @operation(blp, IN_SCOPE, answer=SupportRecordSchema, refused=(404,))
    def get(self, support_id: int) -> WithHistory:
        """A support with its status (recorded, corrected, void) and the history of its
        corrections and voids (when, by whom, why, old and new values)."""
        support = supports.get_support_for(current_user, support_id)
        if record_read(current_user, "support", support.id, {"support_id": support.id}):
            db.session.commit()
        return with_history("support", support)


@blp.route(f"/supports/{SUPPORT_ID}/correction")
class SupportCorrection(MethodView):
    @operation(
        blp, IN_SCOPE, body=SupportCorrectionSchema, answer=SupportRecordSchema, refused=(404, 409)
    )
    def post(self, data: dict[str, Any], support_id: int) -> WithHistory:
        """Correct a support's values, with a reason; the old values are kept in its history.

        Managers correct only supports of the programmes a cooperative channels (403). 409
        when the support is void, when nothing changes (it already holds these values), for
        a date in the future, and when a value does not go with the support's own programme
        (a term for a support that is not a policy loan, none for one that is).
        """
        support = supports.get_support_for(current_user, support_id)
        reason = data.pop("reason")
        supports.correct_support(current_user, support, reason, data)
        return saved_with_history("support", support)


@blp.route(f"/supports/{SUPPORT_ID}/void")
class SupportVoid(MethodView):
    @operation(blp, IN_SCOPE, body=VoidSchema, answer=SupportRecordSchema, refused=(404, 409))
    def post(self, data: dict[str, Any], support_id: int) -> WithHistory:
        """Void a support, with a reason: it is kept with its history but counts nowhere.

        Managers void only supports of the programmes a cooperative channels (403).
        """
        support = supports.get_support_for(current_user, support_id)
        supports.void_support(current_user, support, data["reason"])
        return saved_with_history("support", support)


@blp.route("/supports/import")
class SupportImport(MethodView):
    @api_allow(Role.OFFICIAL, Role.ADMIN)
    @refuses(404)  # a commune outside the caller's jurisdiction
    # unknown query arguments are left out: the 422 answer is the file's problems only
    @blp.arguments(SupportImportArgs, location="query")
    @csv_import(
        blp, CSV_BODY, SupportImportResultSchema, SupportImportProblemSchema, by="row and field"
    )
    def post(self, args: dict[str, Any]) -> dict[str, int]:
        """Import supports from CSV (the body, or a multipart `file`): all rows or none."""
        upload = request.files.get("file")
        data = upload.read() if upload is not None else request.get_data()
        imported = supports.import_supports(current_user, data, args.get("commune"))
        db.session.commit()
        return {"imported": imported}


@blp.errorhandler(ImportRejected)
def import_rejected(error: ImportRejected) -> Response:
    """422 with `errors`: [{row, field, message}], the first 1,000 problems of the file."""
    shown, detail = refused_import(error)
    return problem(
        422,
        "Unprocessable Entity",
        detail,
        errors=[{"row": e.row, "field": e.field, "message": e.message} for e in shown],
        error_count=len(error.errors),
    )
