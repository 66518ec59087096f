"""API resources of the value chain: lots, collections, transformations, household payments."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import Select

from linkage.extensions import db
from linkage.schemas.common import envelope
from linkage.schemas.corrections import (
    CollectionRecordSchema,
    CorrectionSchema,
    PaymentRecordSchema,
    VoidSchema,
)
from linkage.schemas.payments import (
    PaymentArgs,
    PaymentCreateSchema,
    PaymentListSchema,
    PaymentSchema,
    totals_of,
)
from linkage.schemas.valuechain import (
    CollectionCreateSchema,
    CollectionSchema,
    LotArgs,
    LotCreateSchema,
    LotDetailSchema,
    LotSchema,
    TransformationCreateSchema,
    TransformationSchema,
)
from linkage.security import PUBLIC
from linkage.services import valuechain
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.paging import paginate
from linkage.services.valuechain import corrections, payments
from linkage.services.valuechain.history import WithHistory, with_history
from models import Collection, Lot, Payment, Role, Transformation

from .common import api_allow, not_found, operation, paged, refuses, saved_with_history

blp = Blueprint("api_valuechain", __name__, url_prefix="/api/v1", description="Value chain")

MANAGERS = (Role.MANAGER, Role.ADMIN)


@blp.route("/cooperatives/<id:cooperative_id>/lots")
class CooperativeLots(MethodView):
    @api_allow(*MANAGERS)
    @refuses(404)
    @paged(blp, LotArgs, LotSchema, unknown=RAISE)
    def get(self, args: dict[str, Any], cooperative_id: int) -> Select:
        """The cooperative's lots, newest first (`product` code, `with_stock`)."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        return valuechain.lots_query(
            current_user, cooperative, args.get("product"), args.get("with_stock")
        )

    @operation(
        blp, MANAGERS, body=LotCreateSchema, answer=LotSchema, status=201, refused=(404, 409)
    )
    def post(self, data: dict[str, Any], cooperative_id: int) -> Lot:
        """Open an empty collection lot of one product."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        lot = valuechain.create_lot(current_user, cooperative, data["product_code"], data["note"])
        db.session.commit()
        return lot


@blp.route("/lots/<id:lot_id>")
class LotDetail(MethodView):
    @operation(blp, (PUBLIC,), answer=LotDetailSchema, refused=(404,))
    def get(self, lot_id: int) -> valuechain.LotHistory:
        """A lot with its collections (households included), transformations and shipments.

        Managers of the lot's cooperative and admins (bearer token); anyone else gets 404
        until the public trace without households is published.
        """
        if not current_user.is_authenticated:
            not_found()
        lot = valuechain.get_lot_for(current_user, lot_id)
        valuechain.record_history_read(current_user, lot)
        db.session.commit()  # before reading: a commit would expire what is to be answered
        return valuechain.lot_history(current_user, lot)


@blp.route("/lots/<id:lot_id>/collections")
class LotCollections(MethodView):
    @operation(
        blp,
        MANAGERS,
        body=CollectionCreateSchema,
        answer=CollectionSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], lot_id: int) -> Collection:
        """Record a member household's delivery into the lot (and its farmgate payment)."""
        lot = valuechain.get_lot_for(current_user, lot_id)
        collection = valuechain.record_collection(current_user, lot, **data)
        db.session.commit()
        return collection


@blp.route("/cooperatives/<id:cooperative_id>/transformations")
class CooperativeTransformations(MethodView):
    @operation(
        blp,
        MANAGERS,
        body=TransformationCreateSchema,
        answer=TransformationSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], cooperative_id: int) -> Transformation:
        """Record a processing step: quantities taken from input lots, one new output lot.

        409 when a lot holds less than asked; then nothing is written.
        """
        cooperative = get_cooperative_for(current_user, cooperative_id)
        transformation = valuechain.record_transformation(
            current_user,
            cooperative,
            data["process"],
            data["occurred_at"],
            [(i["lot_id"], i["quantity"]) for i in data["inputs"]],
            data["output"]["product_code"],
            data["output"]["quantity"],
            data["note"],
            add_repeats=True,
        )
        db.session.commit()
        return transformation


@blp.route("/cooperatives/<id:cooperative_id>/payments")
class CooperativePayments(MethodView):
    @api_allow(*MANAGERS)
    @refuses(404)
    @blp.arguments(PaymentArgs, location="query", unknown=RAISE)
    @blp.response(200, PaymentListSchema)
    def get(self, args: dict[str, Any], cooperative_id: int) -> dict[str, Any]:
        """Payments in a period of months (default: this month), with totals by kind and month."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        period = payments.parse_period(
            args.get("period_start"), args.get("period_end"), in_order=True
        )
        statement = payments.payments_query(
            current_user, cooperative, period, args.get("kind"), args.get("household_id")
        )
        page = envelope(paginate(statement, args["page"], args["per_page"]))
        return {**page, "totals": totals_of(payments.payment_totals(cooperative, period))}

    @operation(
        blp,
        MANAGERS,
        body=PaymentCreateSchema,
        answer=PaymentSchema,
        status=201,
        refused=(404, 409),
    )
    def post(self, data: dict[str, Any], cooperative_id: int) -> Payment:
        """Record a surplus share or other payment to a member household."""
        cooperative = get_cooperative_for(current_user, cooperative_id)
        payment = payments.record_payment(current_user, cooperative, **data)
        db.session.commit()
        return payment


@blp.route("/collections/<id:collection_id>")
class CollectionRecord(MethodView):
    @operation(blp, MANAGERS, answer=CollectionRecordSchema, refused=(404,))
    def get(self, collection_id: int) -> WithHistory:
        """A delivery with its status (recorded, corrected, void) and the history of its
        corrections and voids (when, by whom, why, old and new values).

        Managers of the lot's cooperative; anyone else gets 404.
        """
        collection = corrections.get_collection_for(current_user, collection_id)
        return with_history("collection", collection)


@blp.route("/collections/<id:collection_id>/correction")
class CollectionCorrection(MethodView):
    @operation(
        blp, MANAGERS, body=CorrectionSchema, answer=CollectionRecordSchema, refused=(404, 409)
    )
    def post(self, data: dict[str, Any], collection_id: int) -> WithHistory:
        """Correct a delivery's quantity, unit price, household or date, with a reason.

        The lot's quantities, the farmgate payment and the income attributions of every paid
        order whose chain reaches the lot follow in the same transaction; the old values are
        kept in the history. 409 when the lot no longer holds enough (processed or shipped
        since), the delivery is void, or the record already holds these values (nothing to
        correct); then nothing is written.
        """
        collection = corrections.get_collection_for(current_user, collection_id)
        corrections.correct_collection(current_user, collection, **data)
        return saved_with_history("collection", collection)


@blp.route("/collections/<id:collection_id>/void")
class CollectionVoid(MethodView):
    @operation(blp, MANAGERS, body=VoidSchema, answer=CollectionRecordSchema, refused=(404, 409))
    def post(self, data: dict[str, Any], collection_id: int) -> WithHistory:
        """Void a delivery, with a reason: it is kept but counts nowhere.

        Its quantity leaves the lot (409 when the lot no longer holds it), its farmgate
        payment is voided and the attributions downstream are recomputed without it.
        """
        collection = corrections.get_collection_for(current_user, collection_id)
        corrections.void_collection(current_user, collection, data["reason"])
        return saved_with_history("collection", collection)


@blp.route("/payments/<id:payment_id>/void")
class PaymentVoid(MethodView):
    @operation(blp, MANAGERS, body=VoidSchema, answer=PaymentRecordSchema, refused=(404, 409))
    def post(self, data: dict[str, Any], payment_id: int) -> WithHistory:
        """Void a surplus share or other payment, with a reason: it is kept but counts nowhere.

        A farmgate payment follows its delivery: 409 here; void the collection instead.
        """
        payment = corrections.get_payment_for(current_user, payment_id)
        corrections.void_payment(current_user, payment, data["reason"])
        return saved_with_history("payment", payment)
