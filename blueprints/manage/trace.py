"""Manager pages: a lot's trace with households named, its EPCIS export with households as
per-lot pseudonyms, and the cooperative's mass balance."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user

from blueprints.common import page_number
from blueprints.epcis_answers import managers_epcis
from blueprints.manage import bp
from linkage.extensions import db
from linkage.security import allow
from linkage.services import trace as traces
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.paging import Page
from linkage.services.trace import massbalance
from models import Role

COOPERATIVE = "/<id:cooperative_id>"
LOT = COOPERATIVE + "/lots/<id:lot_id>"
COLLECTIONS_PER_PAGE = 100
LOTS_PER_PAGE = 50


@bp.route(f"{LOT}/trace")
@allow(Role.MANAGER, Role.ADMIN)
def lot_trace(cooperative_id: int, lot_id: int) -> str:
    """The lot's whole chain with the households named (code, head name); the read is audited."""
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lot = traces.get_managed_lot(current_user, cooperative.id, lot_id)
    trace = traces.trace_lot(lot, with_households=True)
    traces.record_trace_read(current_user, lot)
    db.session.commit()
    number = page_number()
    total = len(trace.collections)
    pages = max(1, -(-total // COLLECTIONS_PER_PAGE))
    number = min(number, pages)
    start = (number - 1) * COLLECTIONS_PER_PAGE
    collections = Page(
        list(trace.collections[start : start + COLLECTIONS_PER_PAGE]),
        number,
        COLLECTIONS_PER_PAGE,
        total,
    )
    return render_template(
        "manage/trace/lot.html",
        cooperative=cooperative,
        trace=trace,
        collections=collections,
        manage_links=True,
    )


@bp.route(f"{LOT}/epcis")
@allow(Role.MANAGER, Role.ADMIN)
def lot_epcis(cooperative_id: int, lot_id: int) -> Response:
    """The managers' GS1 EPCIS export of the lot, as a file (the API answers the public one
    to a browser session); audited and kept out of caches."""
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lot = traces.get_managed_export(current_user, cooperative.id, lot_id)
    response = managers_epcis(lot)
    response.headers.set("Content-Disposition", "attachment", filename=f"epcis-{lot.code}.jsonld")
    return response


@bp.route(f"{COOPERATIVE}/mass-balance")
@allow(Role.MANAGER, Role.ADMIN)
def mass_balance(cooperative_id: int) -> str:
    """In, produced, consumed, shipped and remaining per lot, yields, flagged outliers."""
    cooperative = get_cooperative_for(current_user, cooperative_id)
    flagged = request.args.get("flagged") == "1"
    balance = massbalance.mass_balance(
        cooperative, page=page_number(), per_page=LOTS_PER_PAGE, flagged_only=flagged
    )
    if balance.lots.page > balance.lots.pages:
        balance = massbalance.mass_balance(
            cooperative, page=balance.lots.pages, per_page=LOTS_PER_PAGE, flagged_only=flagged
        )
    return render_template(
        "manage/trace/mass_balance.html",
        cooperative=cooperative,
        balance=balance,
        flagged=flagged,
    )
