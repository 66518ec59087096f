"""Limits on placing orders, shared by the order form and `POST /api/v1/orders`.

- A rate limit per buyer (ORDER_RATE_LIMIT), counted by account rather than by address (one
  address may be a whole office behind a proxy) and shared by the pages and the API, so a
  buyer cannot place twice as many by using both.
- The cap on the value of a buyer's open orders, read from the configuration for the orders
  service, which checks it (`orders.OrderLimits`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from linkage.extensions import limiter
from linkage.security import is_api_request
from linkage.services.orders import OrderLimits

F = TypeVar("F", bound=Callable[..., Any])

# How a limit of one period reads: "10 orders per minute".
PER_PERIOD = {
    "second": _l("%(count)s orders per second"),
    "minute": _l("%(count)s orders per minute"),
    "hour": _l("%(count)s orders per hour"),
    "day": _l("%(count)s orders per day"),
}


def order_limits() -> OrderLimits:
    """The cap on open orders that the pages and the API hand to `orders.place_order`."""
    return OrderLimits.from_config(current_app.config)


def _order_rate() -> str:
    return current_app.config["ORDER_RATE_LIMIT"]


def _buyer_key() -> str:
    """Count by account; an anonymous caller (refused anyway) by address."""
    if current_user.is_authenticated:
        return f"buyer:{current_user.get_id()}"
    return get_remote_address() or "unknown"


def _limit_words(item: Any) -> str:
    template = PER_PERIOD.get(item.GRANULARITY.name) if item.multiples == 1 else None
    if template is not None:
        return str(template) % {"count": item.amount}
    return _(
        "%(count)s orders in %(seconds)s seconds", count=item.amount, seconds=item.get_expiry()
    )


def rate_message() -> str:
    """Why the order was refused, with the limit and how long to wait."""
    breached = limiter.current_limit
    if breached is None:  # pragma: no cover - Flask-Limiter sets it before raising
        return _("You are placing orders too fast. Please wait a little and try again.")
    minutes = max(1, math.ceil((breached.window.reset_time - time.time()) / 60))
    wait = ngettext(
        "Please try again in %(num)s minute.", "Please try again in %(num)s minutes.", minutes
    )
    return (
        _("You are placing orders too fast: at most %(limit)s.", limit=_limit_words(breached.limit))
        + " "
        + wait
    )


_limit = limiter.shared_limit(
    _order_rate, scope="orders", key_func=_buyer_key, error_message=rate_message, methods=["POST"]
)


def limit_orders(view: F) -> F:
    """Limit placing orders per buyer; a page over the limit says why (the API answers
    problem+json through the app's error handler, with the same message)."""
    limited = _limit(view)

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return limited(*args, **kwargs)
        except RateLimitExceeded as error:
            if is_api_request():
                raise
            return render_template("errors/error.html", status=429, name=error.description), 429

    return guarded  # type: ignore[return-value]
