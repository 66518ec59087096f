"""HTML blueprints and the API, registered in one explicit list."""

from __future__ import annotations

from flask import Flask

from linkage.security import PUBLIC, allow

from . import admin, apidocs, auth, buyer, catalog, manage, notices, official, public, trace
from .api import register_api

HTML_BLUEPRINTS = (
    public.bp,
    auth.bp,
    apidocs.bp,
    catalog.bp,
    manage.bp,
    official.bp,
    admin.bp,
    trace.bp,
    buyer.bp,
    notices.bp,
)


def register_blueprints(app: Flask) -> None:
    for bp in HTML_BLUEPRINTS:
        app.register_blueprint(bp)
    register_api(app)
    _declare_framework_routes(app)


def _declare_framework_routes(app: Flask) -> None:
    """Routes made by Flask and flask-smorest are public too, and declared as such."""
    for endpoint in ("static", "api-docs.openapi_json"):
        view = app.view_functions.get(endpoint)
        if view is not None and not hasattr(view, "__access__"):
            app.view_functions[endpoint] = allow(PUBLIC)(view)
