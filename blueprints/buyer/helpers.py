"""Helpers shared by the buyer's and the manager's order pages."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from linkage.templating import role_label
from models import Order, OrderEvent, Role

PER_PAGE = 20


def catalog_url() -> str:
    """The catalog."""
    return url_for("catalog.index")


def event_actor(event: OrderEvent, order: Order) -> str:
    """Who made a step of the history: a role and an organisation, never a person's email."""
    actor = event.actor
    if actor is None:
        return _("the platform")
    if actor.role == Role.BUYER:
        organisation = actor.buyer_organisation
        name = organisation.name if organisation is not None else ""
        return f"{role_label(actor.role)} · {name}" if name else role_label(actor.role)
    if actor.role == Role.MANAGER:
        return f"{role_label(actor.role)} · {order.cooperative.name}"
    return role_label(actor.role)


def order_helpers() -> dict[str, object]:
    """Template globals of the order pages."""
    return {
        "event_actor": event_actor,
        "catalog_url": catalog_url,
    }
