"""The officials' impact workspace: dashboard, print view, exports, household impact list
and re-classification (server-rendered, works without JavaScript).

One blueprint; its routes live in one module per feature, imported below.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user

from linkage.services.jurisdiction import jurisdiction_label

bp = Blueprint("official", __name__, url_prefix="/official")


@bp.context_processor
def jurisdiction() -> dict[str, Any]:
    """The name of the official's jurisdiction, shown on every page of the workspace."""
    return {"jurisdiction_label": jurisdiction_label(current_user)}


from . import dashboard, households, review, supports  # noqa: E402, F401
