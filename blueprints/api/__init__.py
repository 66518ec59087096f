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
    review,
    supports,
    tokens,
    trace,
    valuechain,
)

# The resource modules, each with its `blp`, in the order of the OpenAPI document.
RESOURCES = (
    tokens,
    reference,
    cooperatives,
    catalog,
    households,
    review,
    supports,
    listings,
    valuechain,
    orders,
    impact,
    trace,
)


def register_api(app: Flask) -> None:
    for resource in RESOURCES:
        csrf.exempt(resource.blp)  # bearer tokens, no cookies: nothing for CSRF to protect
        api.register_blueprint(resource.blp)
