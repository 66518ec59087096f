"""JSON bodies nested deeper than MAX_DEPTH are refused with 400 before anything parses them.

Python's JSON parser recurses once per level: a body of 100,000 `[` raises RecursionError (a
500) in whichever code reads it first (Flask's `get_json`, webargs). No request of the API
nests more than a few levels, so the depth is measured first, without recursion.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from flask_babel import gettext as _

MAX_DEPTH = 32

# a JSON string (escapes included), then the brackets left once strings are taken out
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_OPENING = frozenset(b"[{")


def nesting_depth(body: bytes, *, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets in strings do not
    count); stops counting once `stop_above` is passed."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group()[0] in _OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def refuse_deep_json() -> None:
    """before_request: a JSON body nested deeper than MAX_DEPTH is a 400."""
    if request.mimetype is None or "json" not in request.mimetype:
        return
    body = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH
    if nesting_depth(body, stop_above=MAX_DEPTH) > MAX_DEPTH:
        abort(400, _("The JSON body is nested more than %(depth)d levels deep.", depth=MAX_DEPTH))


def register_json_depth_limit(app: Flask) -> None:
    app.before_request(refuse_deep_json)
