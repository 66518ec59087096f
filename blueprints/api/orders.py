"""Orders: buyers place, cancel and confirm; managers accept, reject, ship, record payment."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import Select

from blueprints.order_limits import limit_orders, order_limits
from linkage.extensions import db
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
from models import Order, Role

from .common import api_allow, method_view, paged, refuses

blp = Blueprint("api_orders", __name__, url_prefix="/api/v1", description="Orders")

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
    @paged(blp, OrderArgs, OrderSchema, unknown=RAISE)
    def get(self, args: dict[str, Any]) -> Select:
        """The caller's orders: a buyer's own, a manager's cooperatives'."""
        return orders.orders_query(
            current_user, status=args.get("status"), cooperative_id=args.get("cooperative")
        )

    @api_allow(Role.BUYER)
    @refuses(404, 409)
    @limit_orders
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(OrderRequestSchema)
    @blp.response(201, OrderSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data: dict[str, Any]) -> Response:
        """Place an order (lines of one cooperative); its stock is reserved at once.

        Limited per buyer: a number of orders per minute and per hour (429 beyond), and the
        value of the buyer's orders placed or accepted and not yet shipped, lower for accounts
        younger than a week (409 beyond, saying the limit and how much is open).
        """
        lines = [orders.LineRequest(line["listing_id"], line["quantity"]) for line in data["lines"]]
        limits = order_limits()

        def place() -> tuple[int, dict[str, Any]]:
            order = orders.place_order(current_user, lines, data.get("note", ""), limits=limits)
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


@blp.route("/orders/<id:order_id>")
class OrderDetail(MethodView):
    @api_allow(Role.BUYER, Role.MANAGER, Role.ADMIN)
    @refuses(404)
    @blp.response(200, OrderDetailSchema)
    def get(self, order_id: int) -> Order:
        """One order with its history (who did what, when)."""
        return orders.get_order_for(current_user, order_id)


MANAGERS = (Role.MANAGER, Role.ADMIN)
# The steps of an order after it is placed: POST /orders/{id}/<step> calls the service's
# <step>_order with the body's fields; each answers the order with its history.
STEPS = (
    ("accept", MANAGERS, None, "Accept a placed order."),
    (
        "reject",
        MANAGERS,
        ReasonSchema,
        "Reject a placed order; the stock goes back to the listings.",
    ),
    (
        "cancel",
        (Role.BUYER,),
        ReasonSchema,
        "Cancel an order before it ships; the stock goes back to the listings.",
    ),
    ("ship", MANAGERS, ShipSchema, "Ship an accepted order from lots covering each line exactly."),
    ("deliver", (Role.BUYER,), None, "Confirm delivery."),
    ("pay", MANAGERS, PaySchema, "Record that the buyer paid."),
)


def _step_view(step: str, audience: tuple[Role, ...], body: Any, summary: str) -> type[MethodView]:
    """The resource of one step; a body is optional but for shipping (its allocations)."""

    def post(self: MethodView, *given: dict[str, Any], order_id: int) -> Order:
        order = orders.get_order_for(current_user, order_id)
        getattr(orders, f"{step}_order")(current_user, order, **(given[0] if given else {}))
        db.session.commit()
        return orders.get_order_for(current_user, order_id)

    post.__doc__ = summary
    view = blp.response(200, OrderDetailSchema)(post)
    if body is not None:
        view = blp.arguments(body, required=body is ShipSchema)(view)
    view = refuses(404, 409)(view)
    return method_view(f"Order{step.capitalize()}", post=api_allow(*audience)(view))


for _step, *_spec in STEPS:
    blp.route(f"/orders/<id:order_id>/{_step}")(_step_view(_step, *_spec))
