"""The public catalog: search, listing pages and cooperative pages (no login needed)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from . import routes  # noqa: E402, F401

__all__ = ["bp"]
