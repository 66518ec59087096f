"""The home page, the public impact page and the language switch."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from blueprints.common import safe_next
from blueprints.forms import PeriodForm
from linkage.charts import Series, chart_markup
from linkage.extensions import db, limiter
from linkage.security import PUBLIC, allow
from linkage.services.errors import Conflict
from linkage.services.impact import PublicImpact, public_impact, relabelled
from linkage.services.periods import Period, current_month
from linkage.shared_cache import kept
from linkage.templating import chart_number
from models import Cooperative, CooperativeStatus, Household, Product, ProductCategory

bp = Blueprint("public", __name__)

PUBLIC_IMPACT_MAX_AGE = 300  # seconds


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


def _default_period() -> Period:
    return Period(current_month().minus(11), current_month())


def _impact_period() -> tuple[Period, str | None]:
    """The period of the query string (default: the 12 months ending with the current
    month); a bad value gives the default period and the reason."""
    form = PeriodForm(request.args)
    if not form.validate():
        return _default_period(), next(iter(form.errors.values()))[0]
    return form.period(), None


def _income_chart(impact: PublicImpact) -> str | None:
    """Paid to households by region: only the figures that are shown in the table."""
    shown = [r for r in impact.regions.rows if r["platform_income_vnd"] is not None]
    if not shown:
        return None
    return chart_markup(
        [r["label"] for r in shown],
        [
            Series(
                _("Paid to households (VND)"),
                [r["platform_income_vnd"] for r in shown],
                _("payments of the cooperatives to their member households (₫)"),
            )
        ],
        title=_("Paid to households by region"),
        short=chart_number,
    )


def _province_figures(period: Period) -> PublicImpact:
    """The public figures of a period, the same for every visitor: computed at most once per
    PUBLIC_IMPACT_CACHE_SECONDS (a refusal, such as no standard in force, is not kept), then
    named in the visitor's language."""
    seconds = current_app.config["PUBLIC_IMPACT_CACHE_SECONDS"]
    figures = kept(f"public-impact:{period}", lambda: public_impact(period), seconds)
    return relabelled(figures)


def _impact_limit() -> str:
    return current_app.config["PUBLIC_IMPACT_RATE_LIMIT"]


@bp.route("/impact")
@allow(PUBLIC)
@limiter.limit(_impact_limit)
def impact() -> Response | tuple[str, int]:
    period, problem = _impact_period()
    try:
        figures = _province_figures(period)
    except Conflict as error:  # no poverty standard in force at the end of the period
        # the page's answer: the period chosen cannot be shown (the form's problem, 422)
        problem = error.message
        figures = _province_figures(_default_period())
    page = render_template(
        "public/impact.html", impact=figures, chart=_income_chart(figures), problem=problem
    )
    if problem:
        return page, 422
    response = make_response(page)
    # costly to add up and slow to change: the browser may keep the page a few minutes (not a
    # shared cache: the page header names the logged-in user)
    response.cache_control.private = True
    response.cache_control.max_age = PUBLIC_IMPACT_MAX_AGE
    return response
