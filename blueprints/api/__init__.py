"""The REST API v1 (flask-smorest), one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from linkage.extensions import api, csrf

from . import (
    catalog,
    cooperatives,
    households,
    impact,
    listings,
    orders,
    reference,
    supports,
    tokens,
    trace,
    valuechain,
)

RESOURCES = (
    tokens.blp,
    reference.blp,
    cooperatives.blp,
    catalog.blp,
    households.blp,
    supports.blp,
    listings.blp,
    valuechain.blp,
    orders.blp,
    impact.blp,
    trace.blp,
)


def register_api(app: Flask) -> None:
    for blp in RESOURCES:
        csrf.exempt(blp)  # bearer tokens, no cookies: nothing for CSRF to protect
        api.register_blueprint(blp)
