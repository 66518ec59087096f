"""Absolute URLs that leave the site: ids in EPCIS documents, the trace URL on QR labels.

They are built from PUBLIC_BASE_URL when it is set, so that the Host header of a request
(`Host: evil.example`) cannot change what a printed label or an exported document points to;
without it (development) they follow the request, as `url_for(_external=True)` does.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for


def public_root() -> str:
    """The site's root URL, ending with "/": https://linkage.example/ (a PUBLIC_BASE_URL
    includes the path the app is mounted under, if any)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url_root
    return base.rstrip("/") + "/"


def public_url_for(endpoint: str, **values: Any) -> str:
    """url_for() as an absolute URL under public_root()."""
    path = url_for(endpoint, **values).removeprefix(request.script_root)  # in the root already
    return public_root() + path.lstrip("/")
