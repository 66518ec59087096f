"""The platform administrator's pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import cooperatives  # noqa: E402, F401
