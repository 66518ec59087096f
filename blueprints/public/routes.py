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

from blueprints.auth.routes import safe_next
from linkage.charts import Series, bar_chart
from linkage.errors import DomainError
from linkage.extensions import db, limiter
from linkage.security import PUBLIC, allow
from linkage.services.periods import MONTH_RE, Month, Period, current_month
from linkage.services.public_impact import PublicImpact, public_impact
from linkage.templating import chart_number
from models import Cooperative, CooperativeStatus, Household, Product, ProductCategory

bp = Blueprint("public", __name__)

MAX_MONTHS = 120  # as the impact API
PUBLIC_IMPACT_MAX_AGE = 300  # seconds
FIRST_YEAR, LAST_YEAR = 2000, 2099  # as the manager's payment pages


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
    """`?period_start=&period_end=` read as the impact API reads them (default: the 12 months
    ending with the current month); a bad value gives the default period and the reason."""
    texts = [request.args.get(name, "") for name in ("period_start", "period_end")]
    default = _default_period()
    if not all(MONTH_RE.match(text) for text in texts if text):
        return default, _("Enter a month as YYYY-MM.")
    start, end = (Month.parse(text) if text else None for text in texts)
    if any(month and not FIRST_YEAR <= month.year <= LAST_YEAR for month in (start, end)):
        return default, _("Choose a month between 2000 and 2099.")
    if start and end and end < start:
        return default, _("The period ends before it starts.")
    if start and end and Period(start, end).months > MAX_MONTHS:
        return default, _("Choose a period of at most %(n)d months.", n=MAX_MONTHS)
    end = end or current_month()
    start = start or end.minus(11)
    return Period(start, max(start, end)), None


def _income_chart(impact: PublicImpact) -> str | None:
    """Paid to households by region: only the figures that are shown in the table."""
    shown = [r for r in impact.regions.rows if r["platform_income_vnd"] is not None]
    if not shown:
        return None
    return bar_chart(
        [r["label"] for r in shown],
        [Series(_("Paid to households (VND)"), [r["platform_income_vnd"] for r in shown])],
        title=_("Paid to households by region"),
        short=chart_number,
    )


def _impact_limit() -> str:
    return current_app.config["PUBLIC_IMPACT_RATE_LIMIT"]


@bp.route("/impact")
@allow(PUBLIC)
@limiter.limit(_impact_limit)
def impact() -> Response | tuple[str, int]:
    period, problem = _impact_period()
    try:
        figures = public_impact(period)
    except DomainError as error:  # no poverty standard in force at the end of the period
        if error.status != 422:
            raise
        problem = error.message
        figures = public_impact(_default_period())
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
