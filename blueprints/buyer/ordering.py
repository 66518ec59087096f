"""Buyer pages: the order form of a listing, my orders, one order (cancel, confirm delivery)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, page_of, status_argument
from blueprints.order_limits import limit_orders, order_limits
from linkage.security import allow
from linkage.services import orders
from linkage.services.errors import Conflict
from linkage.services.orders import idempotency
from models import Order, OrderStatus, Role

from . import bp
from .forms import CancelForm, ConfirmForm, OrderForm
from .helpers import PER_PAGE, order_helpers

ID = "<id:{}>"
ORDER = "/orders/" + ID.format("order_id")
CANCELLABLE = (OrderStatus.PLACED, OrderStatus.ACCEPTED)
# The form orders one line, with one key per rendering: their refusals go on its quantity.
ON_QUANTITY = {"lines": "quantity", "Idempotency-Key": "quantity"}
REPEAT_WINDOW = timedelta(minutes=30)  # an order of the same listing this recent is asked about


def _not_a_repeat(listing_id: int, form: OrderForm) -> None:
    """Refuse (on the `again` box) a new form sent while an order of the same listing placed
    minutes ago stands, unless the buyer ticks the box: back and submit again is a mistake
    more often than a second order."""
    if form.again.data:
        return
    earlier = orders.recent_order_of_listing(current_user, listing_id, REPEAT_WINDOW)
    if earlier is not None:
        raise Conflict(
            _(
                "You placed order no. %(number)s for this listing a few minutes ago. To place "
                "another order, tick the box and send the form again.",
                number=earlier.id,
            ),
            field="again",
        )


bp.app_context_processor(order_helpers)


@bp.route("/listings/" + ID.format("listing_id") + "/order", methods=["GET", "POST"])
@allow(Role.BUYER)
@limit_orders
def order_new(listing_id: int) -> str | Response | tuple[str, int]:
    listing = orders.get_orderable_listing(listing_id)
    form = OrderForm()
    if request.method == "GET":
        form.request_key.data = uuid.uuid4().hex
    status = 200
    if form.validate_on_submit():
        line = orders.LineRequest(listing.id, form.quantity.data)
        limits = order_limits()

        def place() -> tuple[int, dict[str, int]]:
            _not_a_repeat(listing.id, form)
            order = orders.place_order(current_user, [line], form.note.data or "", limits=limits)
            return 201, {"id": order.id}

        key = f"order-form:{form.request_key.data}" if form.request_key.data else None
        answer = commit_or_refuse(
            form,
            lambda: idempotency.run_once(current_user, key, key or "", place),
            fields=ON_QUANTITY,
        )
        if answer is not None:
            if answer.replayed:
                flash(_("This order was already placed."), "info")
            else:
                flash(_("Your order is placed. The cooperative will accept it soon."), "success")
            return redirect(url_for(".order", order_id=answer.body["id"]))
        status = form.refusal.status
        listing = orders.get_orderable_listing(listing_id)  # fresh stock after the rollback
    elif form.is_submitted():
        status = 422
    earlier = orders.recent_order_of_listing(current_user, listing.id, REPEAT_WINDOW)
    return render_template(
        "buyer/order_new.html", listing=listing, form=form, earlier=earlier
    ), status


@bp.route("/orders", endpoint="orders")
@allow(Role.BUYER)
def orders_list() -> str:
    status = status_argument()
    page = page_of(orders.orders_query(current_user, status=status), PER_PAGE)
    return render_template("buyer/orders.html", page=page, status=status)


@bp.route(ORDER)
@allow(Role.BUYER)
def order(order_id: int) -> str:
    found = orders.get_order_for(current_user, order_id)
    return render_template(
        "buyer/order.html",
        order=found,
        cancel_form=CancelForm() if found.status in CANCELLABLE else None,
        deliver_form=ConfirmForm() if found.status == OrderStatus.SHIPPED else None,
    )


def _act(order_id: int, action: str, done: str, **kwargs: object) -> Response:
    found: Order = orders.get_order_for(current_user, order_id)
    commit_or_refuse(
        None, lambda: getattr(orders, f"{action}_order")(current_user, found, **kwargs), done
    )
    return redirect(url_for(".order", order_id=order_id))


@bp.route(ORDER + "/cancel", methods=["POST"])
@allow(Role.BUYER)
def order_cancel(order_id: int) -> Response:
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("The reason is too long: at most 1000 characters."), "error")
        return redirect(url_for(".order", order_id=order_id))
    return _act(order_id, "cancel", _("The order is cancelled."), reason=(form.reason.data or None))


@bp.route(ORDER + "/deliver", methods=["POST"])
@allow(Role.BUYER)
def order_deliver(order_id: int) -> Response:
    ConfirmForm().validate_on_submit()  # CSRF is checked by CSRFProtect before the view
    return _act(order_id, "deliver", _("Thank you: the delivery is confirmed."))
