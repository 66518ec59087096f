"""Traceability: a lot's trace, its GS1 EPCIS 2.0 export, a cooperative's mass balance."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from blueprints.epcis_answers import epcis_response, managers_epcis
from linkage.extensions import db
from linkage.public_urls import public_root
from linkage.schemas.trace import (
    EpcisDocumentSchema,
    MassBalanceArgs,
    MassBalanceSchema,
    TraceSchema,
)
from linkage.security import PUBLIC
from linkage.services import trace as traces
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.trace import epcis
from linkage.services.trace.massbalance import MassBalance, mass_balance
from models import Role, utcnow

from .common import api_allow, refuses

blp = Blueprint("api_trace", __name__, url_prefix="/api/v1", description="Traceability of lots")


@blp.route("/lots/<id:lot_id>/trace")
class LotTrace(MethodView):
    @api_allow(PUBLIC)
    @refuses(404)
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


@blp.route("/lots/<id:lot_id>/epcis")
class LotEpcis(MethodView):
    @api_allow(PUBLIC)
    @refuses(404)
    @blp.doc(security=[{}, {"bearerAuth": []}])  # anonymous, or a token for the managers' one
    @blp.response(
        200,
        EpcisDocumentSchema,
        content_type=epcis.MEDIA_TYPE,
        description=(
            "EPCISDocument (JSON-LD) validating against the GS1 EPCIS 2.0 JSON Schema; "
            "which one depends on the caller (`Vary: Cookie, Authorization`)"
        ),
    )
    def get(self, lot_id: int) -> Response:
        """GS1 EPCIS 2.0 export of the lot's chain: collections (ObjectEvent ADD, receiving),
        processing (TransformationEvent) and shipments (ObjectEvent OBSERVE, shipping, with the
        order as a `po`), for lots of approved cooperatives.

        Anyone (anonymous, or not a manager of the lot's cooperative) gets the public
        document: one receiving event per collected lot (its quantity, first delivery as
        `linkage:firstCollectedAt`, last as `eventTime`) whose owning party is the
        cooperative; no single delivery and no household, and the numbers of households and
        deliveries (`linkage:households`, `linkage:deliveries`) only from 10 households.

        The cooperative's managers and admins (bearer token) get one event per delivery whose
        owning party is the household's pseudonym in this lot's export: a keyed hash of the
        lot and the household, never its name, code or id, and different in every lot's
        export. That answer is `Cache-Control: private, no-store` and its read is audited.
        The API does not read the session cookie: in the browser, managers download that
        document from the lot's trace page (`/manage/{cooperative_id}/lots/{lot_id}/epcis`)."""
        lot, managing = traces.get_exportable_lot(current_user, lot_id)
        if managing:
            return managers_epcis(lot)
        trace = traces.trace_lot(lot, with_households=False)
        document = epcis.public_document(trace, public_root(), utcnow())
        return epcis_response(document, managers=False)


@blp.route("/cooperatives/<id:cooperative_id>/mass-balance")
class CooperativeMassBalance(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @refuses(404)
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
