"""Manager pages: the cooperative's orders; accept, reject, ship from lots, record payment."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, page_of, status_argument
from blueprints.manage import bp
from linkage.extensions import db
from linkage.numbers import unit_label
from linkage.security import allow
from linkage.services import orders as order_service
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.errors import DomainError, NotFound
from models import Cooperative, Order, OrderStatus, Role

from .order_forms import AcceptForm, PayForm, RejectForm, paid_at_of, ship_form

ID = "<id:{}>"
ORDERS = "/" + ID.format("cooperative_id") + "/orders"
ORDER = ORDERS + "/" + ID.format("order_id")
MANAGERS = (Role.MANAGER, Role.ADMIN)


def _load(cooperative_id: int, order_id: int) -> tuple[Cooperative, Order]:
    """The cooperative and one of its orders, which the caller manages; 404 otherwise."""
    order = order_service.get_order_for(current_user, order_id)
    if order.cooperative_id != cooperative_id:
        raise NotFound(_("Order not found."))
    return order.cooperative, order


def _page(cooperative: Cooperative, order: Order, status: int = 200, **forms: Any) -> Any:
    """The order page with the forms its state offers (or those given, with their errors)."""
    if order.status == OrderStatus.PLACED:
        forms.setdefault("accept_form", AcceptForm())
        forms.setdefault("reject_form", RejectForm())
    elif order.status == OrderStatus.ACCEPTED:
        if forms.get("lots_by_product") is None:
            forms["lots_by_product"] = order_service.shipping_lots(order)
        if forms.get("ship_form") is None:
            forms["ship_form"] = ship_form(order, forms["lots_by_product"], unit_label)
    elif order.status == OrderStatus.DELIVERED:
        forms.setdefault("pay_form", PayForm())
    forms.setdefault("ship_errors", [])
    return render_template(
        "manage/orders/detail.html", cooperative=cooperative, order=order, **forms
    ), status


def _to_order(cooperative: Cooperative, order_id: int) -> Response:
    """Back to the order page, where a state conflict (someone acted first) is said."""
    return redirect(url_for(".order", cooperative_id=cooperative.id, order_id=order_id))


PER_PAGE = 20


@bp.route(ORDERS, endpoint="orders")
@allow(*MANAGERS)
def orders_list(cooperative_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    status = status_argument()
    statement = order_service.orders_query(
        current_user, status=status, cooperative_id=cooperative.id
    )
    page = page_of(statement, PER_PAGE)
    return render_template(
        "manage/orders/list.html", cooperative=cooperative, page=page, status=status
    )


@bp.route(ORDER)
@allow(*MANAGERS)
def order(cooperative_id: int, order_id: int) -> Any:
    return _page(*_load(cooperative_id, order_id))


@bp.route(ORDER + "/accept", methods=["POST"])
@allow(*MANAGERS)
def order_accept(cooperative_id: int, order_id: int) -> Response:
    cooperative, found = _load(cooperative_id, order_id)
    AcceptForm().validate_on_submit()  # CSRFProtect has checked the token already
    commit_or_refuse(
        None,
        lambda: order_service.accept_order(current_user, found),
        _("The order is accepted: ship it from your lots."),
    )
    return _to_order(cooperative, order_id)


@bp.route(ORDER + "/reject", methods=["POST"])
@allow(*MANAGERS)
def order_reject(cooperative_id: int, order_id: int) -> Any:
    cooperative, found = _load(cooperative_id, order_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _page(cooperative, found, 422, reject_form=form)
    commit_or_refuse(
        None,
        lambda: order_service.reject_order(current_user, found, form.reason.data.strip()),
        _("The order is rejected; its stock is back on sale."),
    )
    return _to_order(cooperative, order_id)


@bp.route(ORDER + "/ship", methods=["POST"])
@allow(*MANAGERS)
def order_ship(cooperative_id: int, order_id: int) -> Any:
    cooperative, found = _load(cooperative_id, order_id)
    if found.status != OrderStatus.ACCEPTED:
        flash(_state_error(found, "ship"), "error")
        return _to_order(cooperative, order_id)
    lots = order_service.shipping_lots(found)
    form = ship_form(found, lots, unit_label)
    if not form.validate_on_submit():
        return _page(cooperative, found, 422, ship_form=form, lots_by_product=lots)
    try:
        order_service.ship_order(current_user, found, form.allocations(found))
    except DomainError as error:
        if error.status == 404 and error.field is None:
            raise
        db.session.rollback()
        return _page(
            cooperative,
            _load(cooperative_id, order_id)[1],
            422 if error.status == 404 else error.status,
            ship_form=form,
            lots_by_product=order_service.shipping_lots(found),
            ship_errors=[error.message],
        )
    db.session.commit()
    flash(_("The order is shipped."), "success")
    return _to_order(cooperative, order_id)


@bp.route(ORDER + "/pay", methods=["POST"])
@allow(*MANAGERS)
def order_pay(cooperative_id: int, order_id: int) -> Any:
    cooperative, found = _load(cooperative_id, order_id)
    form = PayForm()
    if not form.validate_on_submit():
        return _page(cooperative, found, 422, pay_form=form)
    commit_or_refuse(
        form,
        lambda: order_service.pay_order(
            current_user,
            found,
            paid_at=paid_at_of(form.paid_on.data),
            reference=(form.reference.data or "").strip() or None,
        ),
        _("The payment is recorded."),
        fields={"paid_at": "paid_on"},
    )
    if form.errors:  # a date the order refuses: the form again (other refusals are flashed)
        return _page(cooperative, _load(cooperative_id, order_id)[1], 422, pay_form=form)
    return _to_order(cooperative, order_id)


def _state_error(order: Order, action: str) -> str:
    return _(
        "This order is %(status)s and cannot be %(action)s.",
        status=order_service.status_label(order.status),
        action=order_service.action_label(action),
    )
