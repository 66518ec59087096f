"""Translated names of order states and actions, for messages and pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models import OrderStatus

STATUS_LABELS = {
    OrderStatus.PLACED: _l("placed"),
    OrderStatus.ACCEPTED: _l("accepted"),
    OrderStatus.REJECTED: _l("rejected"),
    OrderStatus.CANCELLED: _l("cancelled"),
    OrderStatus.SHIPPED: _l("shipped"),
    OrderStatus.DELIVERED: _l("delivered"),
    OrderStatus.PAID: _l("paid"),
}

ACTION_LABELS = {
    "accept": _l("accepted"),
    "reject": _l("rejected"),
    "cancel": _l("cancelled"),
    "ship": _l("shipped"),
    "deliver": _l("marked delivered"),
    "pay": _l("marked paid"),
}


def status_label(status: OrderStatus) -> str:
    """An order state in words, in the current language."""
    return str(STATUS_LABELS[status])


def action_label(action: str) -> str:
    """What an action makes of an order, in words ("accepted", "marked paid")."""
    return str(ACTION_LABELS[action])
