"""Manager pages: lots (list, open, detail with history and the collection form, label with a
QR code) and processing steps."""

from __future__ import annotations

import segno
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status, page_of, see_other
from blueprints.manage import bp
from linkage.extensions import db
from linkage.public_urls import public_url_for
from linkage.security import allow
from linkage.services import valuechain
from linkage.services.cooperatives import get_cooperative_for
from models import Collection, Cooperative, Lot, Product, Role

from .deliveries import Confirmation, record_checked
from .valuechain_forms import (
    CollectionForm,
    LotForm,
    TransformationForm,
    household_choices,
    noon,
    product_choices,
)

COOPERATIVE = "/<id:cooperative_id>"
LOTS = COOPERATIVE + "/lots"
LOT = LOTS + "/<id:lot_id>"
PER_PAGE = 25
STOCK_FILTERS = {"with": True, "empty": False}


def _products() -> list[Product]:
    return list(db.session.scalars(select(Product).order_by(Product.name_vi, Product.id)))


@bp.route(LOTS)
@allow(Role.MANAGER, Role.ADMIN)
def lots(cooperative_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    product = (request.args.get("product") or "").strip()[:40] or None
    stock = request.args.get("stock", "")
    statement = valuechain.lots_query(current_user, cooperative, product, STOCK_FILTERS.get(stock))
    held = db.session.scalars(
        select(Product)
        .where(Product.id.in_(select(Lot.product_id).where(Lot.cooperative_id == cooperative.id)))
        .order_by(Product.name_vi)
    ).all()
    return render_template(
        "manage/lots/list.html",
        cooperative=cooperative,
        page=page_of(statement, PER_PAGE),
        products=held,
        product=product,
        stock=stock if stock in STOCK_FILTERS else "",
        filtered=bool(product or stock in STOCK_FILTERS),
    )


@bp.route(LOTS + "/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def lot_new(cooperative_id: int) -> str | Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    form = LotForm()
    form.product_code.choices = product_choices(_products())
    if request.method == "GET" and request.args.get("product"):
        form.product_code.data = request.args["product"]
    if form.validate_on_submit():
        lot = commit_or_refuse(
            form,
            lambda: valuechain.create_lot(
                current_user, cooperative, form.product_code.data, form.note.data or ""
            ),
            lambda lot: _("Lot %(code)s is open: record the deliveries into it.", code=lot.code),
        )
        if lot is not None:
            return see_other(".lot_detail", cooperative_id=cooperative.id, lot_id=lot.id)
    return render_template("manage/lots/new.html", cooperative=cooperative, form=form), form_status(
        form
    )


def _collection_form(cooperative: Cooperative) -> tuple[CollectionForm, str]:
    """The form with the member households (narrowed by `q`, kept across the POST)."""
    q = (request.values.get("q") or "").strip()[:80]
    form = CollectionForm()
    form.household_id.choices = household_choices(valuechain.member_households(cooperative, q))
    return form, q


def _detail(
    cooperative: Cooperative,
    lot: Lot,
    form: CollectionForm | None = None,
    q: str = "",
    confirmation: Confirmation | None = None,
) -> str:
    if form is None and lot.origin == "collection":
        form, q = _collection_form(cooperative)
    if request.method == "GET":  # a refused form is rolled back: only plain views are logged
        valuechain.record_history_read(current_user, lot)
        db.session.commit()
    history = valuechain.lot_history(current_user, lot)
    return render_template(
        "manage/lots/detail.html",
        cooperative=cooperative,
        lot=lot,
        history=history,
        form=form,
        q=q,
        confirmation=confirmation,
        new_id=request.args.get("new", type=int),
    )


@bp.route(LOT)
@allow(Role.MANAGER, Role.ADMIN)
def lot_detail(cooperative_id: int, lot_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lot = valuechain.get_lot_for(current_user, lot_id, cooperative.id)
    return _detail(cooperative, lot)


@bp.route(LOT + "/collections", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def collection_new(cooperative_id: int, lot_id: int) -> Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lot = valuechain.get_lot_for(current_user, lot_id, cooperative.id)
    form, q = _collection_form(cooperative)
    outcome = None
    if form.validate_on_submit():
        data = form.collection_data()
        household = valuechain.member_household(cooperative.id, data["household_id"])
        values = [("q", q)] if q else []
        values += form.posted_values()
        outcome = record_checked(form, lot, household, data, values)
    if isinstance(outcome, Collection):
        return see_other(
            ".lot_detail", cooperative_id=cooperative.id, lot_id=lot.id, new=outcome.id
        )
    db.session.refresh(lot)
    if isinstance(outcome, Confirmation):
        return _detail(cooperative, lot, form, q, outcome), 200
    return _detail(cooperative, lot, form, q), 422


@bp.route(COOPERATIVE + "/transformations/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def transformation_new(cooperative_id: int) -> str | Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    form = TransformationForm()
    form.set_choices(valuechain.lots_with_stock(cooperative), _products())
    if request.method == "GET" and request.args.get("lot", "").isdigit():
        form.lot_1.data = request.args["lot"]
    if form.validate_on_submit():
        transformation = commit_or_refuse(
            form,
            lambda: valuechain.record_transformation(
                current_user,
                cooperative,
                form.step.data,
                noon(form.occurred_at.data),
                form.inputs(),
                form.output_product.data,
                form.output_quantity.data,
                form.note.data or "",
            ),
            lambda done: _("Processing recorded: new lot %(code)s.", code=done.output_lot.code),
            fields={"output": "output_quantity", "inputs": "lot_1", "process": "step"},
        )
        if transformation is not None:
            output = transformation.output_lot
            return see_other(".lot_detail", cooperative_id=cooperative.id, lot_id=output.id)
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template(
        "manage/lots/transformation.html", cooperative=cooperative, form=form
    ), status


def trace_url(code: str) -> str:
    """The public trace page of a lot, absolute (printed on labels, read by phones)."""
    return public_url_for("trace.lot", code=code)


@bp.route(LOT + "/label")
@allow(Role.MANAGER, Role.ADMIN)
def lot_label(cooperative_id: int, lot_id: int) -> str:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    lot = valuechain.get_lot_for(current_user, lot_id, cooperative.id)
    history = valuechain.lot_history(current_user, lot)
    url = trace_url(lot.code)
    # segno writes the SVG from the URL alone (no user markup): safe to inline
    qr = Markup(segno.make(url, error="m").svg_inline(scale=4, title=lot.code, svgclass="qr"))  # noqa: S704
    return render_template(
        "manage/lots/label.html",
        cooperative=cooperative,
        lot=lot,
        history=history,
        trace_url=url,
        qr=qr,
    )
