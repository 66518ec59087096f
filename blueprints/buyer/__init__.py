"""Buyers: self-registration, the account page, ordering from a listing, their orders."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("buyer", __name__)

from . import account, ordering  # noqa: E402, F401
