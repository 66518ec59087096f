"""The home page and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from blueprints.auth.routes import safe_next
from linkage.extensions import db
from linkage.security import PUBLIC, allow
from models import Cooperative, CooperativeStatus, Household, Product, ProductCategory

bp = Blueprint("public", __name__)


@bp.route("/")
@allow(PUBLIC)
def home() -> str:
    stats = {
        "cooperatives": db.session.scalar(
            select(func.count(Cooperative.id)).where(
                Cooperative.status == CooperativeStatus.APPROVED
            )
        ),
        "households": db.session.scalar(select(func.count(Household.id))),
    }
    featured = db.session.scalars(
        select(Product)
        .where(Product.category.in_([ProductCategory.MEDICINAL, ProductCategory.PROCESSED]))
        .order_by(Product.code)
        .limit(8)
    ).all()
    return render_template("public/home.html", stats=stats, featured=featured)


@bp.route("/language/<string(length=2):code>")
@allow(PUBLIC)
def language(code: str) -> Response:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("public.home"))
