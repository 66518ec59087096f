"""How much stock one buyer may hold reserved: a cap on the value of their open orders.

Open means the order still holds listing stock (placed or accepted, not yet shipped). A new
account gets a lower cap, so a freshly registered buyer cannot take a province's stock.

The check runs in the transaction that reserves the stock, after locking the buyer's row
(FOR UPDATE on PostgreSQL; on SQLite writing requests begin IMMEDIATE, so the whole request
holds the write lock): two orders of one buyer placed at once take turns, and the second one
counts the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.numbers import format_vnd
from models import Order, User

from ..errors import Conflict
from .lifecycle import RESERVING_STATES


@dataclass(frozen=True)
class OrderLimits:
    """The caps on a buyer's open reserved value (VND), lower while the account is new."""

    cap_vnd: int
    new_buyer_cap_vnd: int
    new_buyer_age: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OrderLimits:
        """The caps set in the app's configuration (see config.py)."""
        return cls(
            cap_vnd=config["ORDER_OPEN_VALUE_CAP_VND"],
            new_buyer_cap_vnd=config["ORDER_OPEN_VALUE_CAP_NEW_BUYER_VND"],
            new_buyer_age=config["ORDER_NEW_BUYER_AGE"],
        )

    def is_new(self, buyer: User, at: datetime) -> bool:
        """Whether the account is younger than the new-buyer age at `at`."""
        return at - buyer.created_at < self.new_buyer_age

    def cap_for(self, buyer: User, at: datetime) -> int:
        """The buyer's cap at `at`."""
        return self.new_buyer_cap_vnd if self.is_new(buyer, at) else self.cap_vnd


def lock_buyer(buyer: User) -> None:
    """Make concurrent orders of one buyer take turns (a row lock until the transaction ends)."""
    db.session.execute(select(User.id).where(User.id == buyer.id).with_for_update())


def open_reserved_value(buyer: User) -> int:
    """The value of the buyer's orders that hold stock (placed or accepted), in VND."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Order.total_vnd), 0)).where(
            Order.buyer_id == buyer.id, Order.status.in_(RESERVING_STATES)
        )
    )
    return int(total or 0)


def check_open_value(buyer: User, adding_vnd: int, limits: OrderLimits, at: datetime) -> None:
    """Lock the buyer, then refuse (409) an order that would take them above their cap."""
    lock_buyer(buyer)
    cap = limits.cap_for(buyer, at)
    already = open_reserved_value(buyer)
    if already + adding_vnd <= cap:
        return
    words = {"total": format_vnd(adding_vnd), "cap": format_vnd(cap), "open": format_vnd(already)}
    message = _(
        "This order of %(total)s would take your open orders above your limit of %(cap)s: "
        "your orders placed or accepted and not yet shipped already come to %(open)s.",
        **words,
    )
    if limits.is_new(buyer, at):
        days = limits.new_buyer_age.days
        message += " " + _("Accounts younger than %(days)s days have a lower limit.", days=days)
    raise Conflict(message, field="lines")
