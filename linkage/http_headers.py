"""Security headers on every answer, `Cache-Control: no-store` on personal ones, and the
reverse proxies in front of the app.

The pages need no inline script or style (CONVENTIONS), so one strict policy serves pages,
API answers and exports alike. An answer may be kept by a browser or cache only when it is
public by declaration (`allow(PUBLIC)`), read with GET or HEAD, and asked for without a
login: everything else names or concerns a person (a household, an order, the user in the
page header, a token) and is `no-store`.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from linkage.security import PUBLIC

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


def declared_audience() -> frozenset[str] | None:
    """The `allow(...)` declaration of the route answering this request (None: no route)."""
    if request.url_rule is None or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # flask-smorest MethodView: the declaration is per method
        method = "get" if request.method == "HEAD" else request.method.lower()
        view = getattr(view_class, method, None)
    return getattr(view, "__access__", None)


def may_be_stored(response: Response) -> bool:
    """Public content read anonymously; a public view's own Cache-Control is kept."""
    if request.method not in SAFE_METHODS:
        return False
    audience = declared_audience()
    if audience is None or PUBLIC not in audience:
        return False
    if "Cache-Control" in response.headers:
        return True  # the view chose (static files, the public impact page, /healthz)
    return not current_user.is_authenticated  # the page header names a logged-in user


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if hsts := current_app.config.get("STRICT_TRANSPORT_SECURITY"):
        headers["Strict-Transport-Security"] = hsts
    if not may_be_stored(response) and not response.cache_control.no_store:
        headers["Cache-Control"] = "no-store"  # replaces any max-age a view chose
        headers.pop("Expires", None)
    return response


def register_http_headers(app: Flask) -> None:
    """The headers on every answer; ProxyFix when PROXY_COUNT proxies stand in front.

    Each proxy must set X-Forwarded-For and X-Forwarded-Proto and pass the Host header on;
    X-Forwarded-Host is not believed, so TRUSTED_HOSTS checks the host the client asked for.
    """
    app.after_request(add_security_headers)
    if proxies := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
