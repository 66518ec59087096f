"""`/trace/<lot code>`: product, cooperative, place, dates, processing, certifications."""

from __future__ import annotations

from flask import Blueprint, render_template

from linkage.security import PUBLIC, allow
from linkage.services import trace as traces

bp = Blueprint("trace", __name__, url_prefix="/trace")


@bp.route("/<string(maxlength=40):code>")
@allow(PUBLIC)
def lot(code: str) -> str:
    """The public trace of a lot of an approved cooperative; households are only counted."""
    trace = traces.trace_lot(traces.get_public_lot(code), with_households=False)
    return render_template("trace/lot.html", trace=trace)
