"""Manager pages: the workspace entry (choose a cooperative) and a cooperative's overview."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from blueprints.common import page_of
from blueprints.manage import bp
from linkage.extensions import db
from linkage.security import allow
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.dashboard import cooperative_overview
from linkage.services.valuechain.deliveries import open_collection_lots, recent_collections
from models import Cooperative, Lot, Role, manager_cooperatives

from .delivery_forms import DeliveryForm

PER_PAGE = 25


@bp.route("/")
@allow(Role.MANAGER, Role.ADMIN)
def index() -> str | Response:
    if current_user.role == Role.ADMIN:
        statement = select(Cooperative).options(joinedload(Cooperative.commune))
        page = page_of(statement.order_by(Cooperative.name, Cooperative.id), PER_PAGE)
        return render_template("manage/index.html", cooperatives=page.items, page=page)
    mine = db.session.scalars(
        select(Cooperative)
        .join(manager_cooperatives, manager_cooperatives.c.cooperative_id == Cooperative.id)
        .where(manager_cooperatives.c.user_id == current_user.id)
        .options(joinedload(Cooperative.commune))
        .order_by(Cooperative.name, Cooperative.id)
    ).all()
    if len(mine) == 1:
        return redirect(url_for(".dashboard", cooperative_id=mine[0].id))
    return render_template("manage/index.html", cooperatives=mine, page=None)


def render_dashboard(
    cooperative: Cooperative,
    lots: list[Lot] | None = None,
    form: DeliveryForm | None = None,
    confirmation: Any = None,
) -> str:
    """The overview, led by the "Record a delivery" panel (a refused or unconfirmed entry is
    shown in it). `?new=<id>` marks the delivery just recorded, whose lot stays chosen."""
    lots = open_collection_lots(cooperative) if lots is None else lots
    recent = recent_collections(cooperative)
    new_id = request.args.get("new", type=int)
    if form is None:
        form = DeliveryForm(formdata=None)
        form.set_lots(lots)
        form.lot_id.data = next((str(c.lot_id) for c in recent if c.id == new_id), None)
    return render_template(
        "manage/dashboard.html",
        cooperative=cooperative,
        overview=cooperative_overview(current_user, cooperative),
        delivery_form=form,
        open_lots=lots,
        recent_deliveries=recent,
        new_id=new_id,
        confirmation=confirmation,
    )


@bp.route("/<id:cooperative_id>/")
@allow(Role.MANAGER, Role.ADMIN)
def dashboard(cooperative_id: int) -> str:
    return render_dashboard(get_cooperative_for(current_user, cooperative_id))
