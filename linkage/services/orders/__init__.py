"""Orders from buyers to cooperatives (DESIGN 3, 4.1, 4.2).

- `placing`: an order placed from listings of one cooperative, their stock reserved atomically;
- `lifecycle`: accept, reject, cancel, deliver, pay, each a conditional UPDATE on the state;
- `shipping`: an accepted order shipped from lots, each line covered exactly;
- `queries`: the orders each actor may see;
- `labels`: order states and actions in words;
- `notices`: the in-app notices the lifecycle writes, read and put into sentences;
- `limits`: the cap on the value of a buyer's open orders, checked when placing;
- `expiry`: placed orders not accepted in time, cancelled and their stock given back;
- `idempotency`: a placed order answered once per Idempotency-Key (the one service that
  commits, see its docstring).

Callers write `orders.place_order(...)`, `orders.ship_order(...)`: the names below are
re-exported; notices and idempotency are imported by name (`orders.notices`).
"""

from .expiry import expire_placed_orders
from .labels import action_label, status_label
from .lifecycle import (
    TRANSITIONS,
    accept_order,
    cancel_order,
    deliver_order,
    pay_order,
    reject_order,
)
from .limits import OrderLimits, open_reserved_value
from .placing import LineRequest, below_minimum_message, get_orderable_listing, place_order
from .queries import get_order_for, orders_query, recent_order_of_listing
from .shipping import AllocationRequest, ship_order, shipping_lots

__all__ = [
    "TRANSITIONS",
    "AllocationRequest",
    "LineRequest",
    "OrderLimits",
    "accept_order",
    "action_label",
    "below_minimum_message",
    "cancel_order",
    "deliver_order",
    "expire_placed_orders",
    "get_order_for",
    "get_orderable_listing",
    "open_reserved_value",
    "orders_query",
    "pay_order",
    "place_order",
    "recent_order_of_listing",
    "reject_order",
    "ship_order",
    "shipping_lots",
    "status_label",
]
