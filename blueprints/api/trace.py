"""Traceability: a lot's trace, its GS1 EPCIS 2.0 export, a cooperative's mass balance."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from linkage.extensions import db
from linkage.schemas.trace import (
    EpcisDocumentSchema,
    MassBalanceArgs,
    MassBalanceSchema,
    TraceSchema,
)
from linkage.security import PUBLIC
from linkage.services import epcis
from linkage.services import trace as traces
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.massbalance import MassBalance, mass_balance
from models import Role, utcnow

from .common import api_allow

blp = Blueprint("api_trace", __name__, url_prefix="/api/v1", description="Traceability of lots")

LOT_ID = "<int(min=1, max=2147483647):lot_id>"
COOPERATIVE_ID = "<int(min=1, max=2147483647):cooperative_id>"


def party_secret() -> str:
    """The key of the households' opaque party ids: stable across workers and restarts."""
    return current_app.config.get("TRACE_PARTY_SECRET") or current_app.config["SECRET_KEY"]


@blp.route(f"/lots/{LOT_ID}/trace")
class LotTrace(MethodView):
    @api_allow(PUBLIC)
    @blp.response(200, TraceSchema)
    def get(self, lot_id: int) -> Any:
        """The lot's chain: collections and processing upstream, processing and shipments
        downstream. The cooperative's managers (and admins) get the households named; everyone
        else gets them counted, for lots of approved cooperatives only."""
        lot, named = traces.get_traceable_lot(current_user, lot_id)
        trace = traces.trace_lot(lot, with_households=named)
        if named:
            traces.record_trace_read(current_user, lot)
            db.session.commit()
        return trace


@blp.route(f"/lots/{LOT_ID}/epcis")
class LotEpcis(MethodView):
    @api_allow(PUBLIC)
    @blp.response(
        200,
        EpcisDocumentSchema,
        content_type=epcis.MEDIA_TYPE,
        description="EPCISDocument (JSON-LD) validating against the GS1 EPCIS 2.0 JSON Schema",
    )
    def get(self, lot_id: int) -> Response:
        """GS1 EPCIS 2.0 export of the lot's chain: collections (ObjectEvent ADD, receiving),
        processing (TransformationEvent) and shipments (ObjectEvent OBSERVE, shipping, with the
        order as a `po`). Households appear only as opaque owning parties."""
        lot = traces.get_exportable_lot(lot_id)
        trace = traces.trace_lot(lot, with_households=False, party_secret=party_secret())
        document = epcis.epcis_document(trace, request.url_root, utcnow())
        return current_app.response_class(
            json.dumps(document, ensure_ascii=False), mimetype=epcis.MEDIA_TYPE
        )


@blp.route(f"/cooperatives/{COOPERATIVE_ID}/mass-balance")
class CooperativeMassBalance(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @blp.arguments(MassBalanceArgs, location="query")
    @blp.response(200, MassBalanceSchema)
    def get(self, args: dict[str, Any], cooperative_id: int) -> MassBalance:
        """Per lot: collected, produced and consumed by processing, shipped, remaining, with
        flags (overdrawn, remaining_mismatch, in_mismatch); yields by process and product;
        transformations whose output exceeds their input."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        return mass_balance(
            cooperative,
            page=args["page"],
            per_page=args["per_page"],
            flagged_only=args["flagged"],
        )
