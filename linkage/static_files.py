"""Static files with fingerprinted URLs kept a year by browsers, and the favicon.

Every `url_for('static', filename=...)` carries `v=`, the first 12 hex digits of the SHA-256
of the file's content. A request whose `v` is the file's current fingerprint is answered with
`Cache-Control: public, max-age=31536000, immutable`: a phone on 3G keeps the stylesheet for a
year and never asks for it again, and a changed file has a new URL, so it is fetched at once.
A request without `v`, or with another one (a page cached before a deploy), gets the file with
Werkzeug's `no-cache`: it is revalidated with its ETag each time.

The fingerprints are computed at start-up, and again for a file when its modification time or
size changes (one `stat` per link written): an edited stylesheet gets a new URL without a
restart, so no browser keeps an old file under a URL that promised it would never change.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

from linkage.security import PUBLIC, allow

FINGERPRINT_LENGTH = 12  # hex digits: 48 bits, no collision between versions of one file
ONE_YEAR = 365 * 24 * 60 * 60  # seconds: the longest max-age that caches are asked to honour
FAVICON = "img/favicon.svg"
FAVICON_MAX_AGE = 24 * 60 * 60  # /favicon.ico has no fingerprint: a day, then revalidated


class Fingerprints:
    """Content fingerprints of files, recomputed only when a file's mtime or size changes."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, folder: str, filename: str) -> str | None:
        """The fingerprint of `filename` in `folder`; None when no such regular file exists."""
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            status = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        known = self._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:FINGERPRINT_LENGTH]
        self._known[path] = (stamp, digest)
        return digest

    def compute_all(self, folder: str) -> int:
        """Fingerprint every file under `folder` now (at start-up); how many there are."""
        root = Path(folder)
        files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
        for file in files:
            self.of(folder, file.relative_to(root).as_posix())
        return len(files)


def current_fingerprint(filename: str) -> str | None:
    """The fingerprint of a file of this app's static folder (None: no such file)."""
    folder = current_app.static_folder
    if folder is None:
        return None
    fingerprints: Fingerprints = current_app.extensions["static_fingerprints"]
    return fingerprints.of(folder, filename)


def add_fingerprint(endpoint: str | None, values: dict[str, Any]) -> None:
    """`url_for('static', filename=...)` gets `v=<fingerprint>` (url_defaults hook)."""
    if endpoint != "static" or "v" in values or not values.get("filename"):
        return
    if fingerprint := current_fingerprint(values["filename"]):
        values["v"] = fingerprint


def cache_fingerprinted(view: Callable[..., Response]) -> Callable[..., Response]:
    """The static view, whose answers to a current fingerprint may be kept for a year."""

    @wraps(view)
    def static(filename: str, **kwargs: Any) -> Response:
        response = view(filename=filename, **kwargs)
        asked = request.args.get("v")
        served = response.status_code in (200, 206, 304)
        if asked and served and asked == current_fingerprint(filename):
            cache = response.cache_control
            cache.no_cache = None
            cache.public = True
            cache.max_age = ONE_YEAR
            cache.immutable = True
            response.headers.pop("Expires", None)
        return response

    return static


@allow(PUBLIC)
def favicon() -> Response:
    """`/favicon.ico`, asked for by browsers and feed readers whatever the page links: the SVG
    icon itself (every browser that asks for it by this name reads SVG from its content type)."""
    response = current_app.send_static_file(FAVICON)
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return response


def register_static_files(app: Flask) -> None:
    """Fingerprints computed now, the `v=` of static URLs, their caching, /favicon.ico."""
    fingerprints = app.extensions["static_fingerprints"] = Fingerprints()
    if app.static_folder is not None:
        fingerprints.compute_all(app.static_folder)
    app.url_defaults(add_fingerprint)
    if "static" in app.view_functions:
        app.view_functions["static"] = cache_fingerprinted(app.view_functions["static"])
    app.add_url_rule("/favicon.ico", endpoint="favicon", view_func=favicon)
