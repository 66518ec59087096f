"""Orders: buyers place, cancel and confirm; managers accept, reject, ship, record payment."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE

from linkage.extensions import db
from linkage.schemas.common import envelope, page_of
from linkage.schemas.orders import (
    OrderArgs,
    OrderDetailSchema,
    OrderRequestSchema,
    OrderSchema,
    PaySchema,
    ReasonSchema,
    ShipSchema,
)
from linkage.services import orders
from linkage.services.orders import idempotency
from linkage.services.paging import paginate
from models import Order, Role

from .common import api_allow

blp = Blueprint("api_orders", __name__, url_prefix="/api/v1", description="Orders")

ORDER_ID = "<id:order_id>"
IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Same key and body return the first answer again (same order, same status, "
    "with the header `Idempotent-Replayed: true`); the same key with another body is refused "
    "(422). Keys belong to each user.",
}


@blp.route("/orders")
class Orders(MethodView):
    @api_allow(Role.BUYER, Role.MANAGER, Role.ADMIN)
    @blp.arguments(OrderArgs, location="query", unknown=RAISE)
    @blp.response(200, page_of(OrderSchema))
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's orders: a buyer's own, a manager's cooperatives'."""
        statement = orders.orders_query(
            current_user, status=args.get("status"), cooperative_id=args.get("cooperative")
        )
        return envelope(paginate(statement, args["page"], args["per_page"]))

    @api_allow(Role.BUYER)
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(OrderRequestSchema)
    @blp.response(201, OrderSchema)
    def post(self, data: dict[str, Any]) -> Response:
        """Place an order (lines of one cooperative); its stock is reserved at once."""
        lines = [orders.LineRequest(line["listing_id"], line["quantity"]) for line in data["lines"]]

        def place() -> tuple[int, dict[str, Any]]:
            order = orders.place_order(current_user, lines, data.get("note", ""))
            return 201, OrderSchema().dump(order)

        answer = idempotency.run_once(
            current_user,
            request.headers.get("Idempotency-Key"),
            idempotency.fingerprint("POST", request.path, OrderRequestSchema().dump(data)),
            place,
        )
        # The body is already dumped (and stored for replays): answer it as it is.
        response = jsonify(answer.body)
        response.status_code = answer.status
        if answer.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response


@blp.route(f"/orders/{ORDER_ID}")
class OrderDetail(MethodView):
    @api_allow(Role.BUYER, Role.MANAGER, Role.ADMIN)
    @blp.response(200, OrderDetailSchema)
    def get(self, order_id: int) -> Order:
        """One order with its history (who did what, when)."""
        return orders.get_order_for(current_user, order_id)


def _act(order_id: int, action: str, **kwargs: Any) -> Order:
    order = orders.get_order_for(current_user, order_id)
    getattr(orders, f"{action}_order")(current_user, order, **kwargs)
    db.session.commit()
    return orders.get_order_for(current_user, order_id)


@blp.route(f"/orders/{ORDER_ID}/accept")
class OrderAccept(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @blp.response(200, OrderDetailSchema)
    def post(self, order_id: int) -> Order:
        """Accept a placed order."""
        return _act(order_id, "accept")


@blp.route(f"/orders/{ORDER_ID}/reject")
class OrderReject(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, OrderDetailSchema)
    def post(self, data: dict[str, Any], order_id: int) -> Order:
        """Reject a placed order; the stock goes back to the listings."""
        return _act(order_id, "reject", reason=data.get("reason"))


@blp.route(f"/orders/{ORDER_ID}/cancel")
class OrderCancel(MethodView):
    @api_allow(Role.BUYER)
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, OrderDetailSchema)
    def post(self, data: dict[str, Any], order_id: int) -> Order:
        """Cancel an order before it ships; the stock goes back to the listings."""
        return _act(order_id, "cancel", reason=data.get("reason"))


@blp.route(f"/orders/{ORDER_ID}/ship")
class OrderShip(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @blp.arguments(ShipSchema)
    @blp.response(200, OrderDetailSchema)
    def post(self, data: dict[str, Any], order_id: int) -> Order:
        """Ship an accepted order from lots covering each line exactly."""
        allocations = [
            orders.AllocationRequest(a["line_id"], a["lot_id"], a["quantity"])
            for a in data["allocations"]
        ]
        return _act(order_id, "ship", allocations=allocations)


@blp.route(f"/orders/{ORDER_ID}/deliver")
class OrderDeliver(MethodView):
    @api_allow(Role.BUYER)
    @blp.response(200, OrderDetailSchema)
    def post(self, order_id: int) -> Order:
        """Confirm delivery."""
        return _act(order_id, "deliver")


@blp.route(f"/orders/{ORDER_ID}/pay")
class OrderPay(MethodView):
    @api_allow(Role.MANAGER, Role.ADMIN)
    @blp.arguments(PaySchema, required=False)
    @blp.response(200, OrderDetailSchema)
    def post(self, data: dict[str, Any], order_id: int) -> Order:
        """Record that the buyer paid."""
        return _act(order_id, "pay", paid_at=data.get("paid_at"), reference=data.get("reference"))
