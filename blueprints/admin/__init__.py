"""The platform administrator's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import audit, cooperatives, users  # noqa: E402, F401
