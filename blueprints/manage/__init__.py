"""The cooperative manager's workspace (server-rendered, works without JavaScript).

One blueprint; its routes live in one module per feature, imported below.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")

from . import (  # noqa: E402, F401
    corrections,
    dashboard,
    deliveries,
    households,
    listings,
    lots,
    orders,
    payments,
    profile,
    supports,
    trace,
)
