"""Manager pages: payments to households (list with totals, record one) and the printable
household statement."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status, page_of, see_other
from blueprints.manage import bp
from linkage.extensions import db
from linkage.numbers import format_vnd
from linkage.security import allow
from linkage.services import valuechain
from linkage.services.cooperatives import get_cooperative_for
from linkage.services.errors import DomainError
from linkage.services.periods import Month, Period, current_day, current_month
from linkage.services.statements import household_statement as build_statement
from linkage.services.valuechain import payments as service
from models import PaymentKind, Role

from .valuechain_forms import PaymentForm, household_choices

COOPERATIVE = "/<id:cooperative_id>"
PER_PAGE = 50


def _period(default: Period) -> tuple[Period, str | None]:
    """The period of `?period_start=&period_end=`; a bad one shows the default and why."""
    try:
        return service.parse_period(
            request.args.get("period_start"), request.args.get("period_end"), default=default
        ), None
    except DomainError as error:
        return default, error.message


@bp.route(COOPERATIVE + "/payments")
@allow(Role.MANAGER, Role.ADMIN)
def payments(cooperative_id: int) -> str | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    this_month = current_month()
    period, problem = _period(Period(this_month, this_month))
    kind = request.args.get("kind") or None
    kind = PaymentKind(kind) if kind in {k.value for k in PaymentKind} else None
    statement = service.payments_query(current_user, cooperative, period, kind)
    page = render_template(
        "manage/payments/list.html",
        cooperative=cooperative,
        period=period,
        problem=problem,
        kind=kind,
        page=page_of(statement, PER_PAGE),
        totals=service.payment_totals(cooperative, period),
    )
    return (page, 422) if problem else page


@bp.route(COOPERATIVE + "/payments/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def payment_new(cooperative_id: int) -> str | Response | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    q = (request.values.get("q") or "").strip()[:80]  # narrows the households, kept on POST
    form = PaymentForm()
    form.household_id.choices = household_choices(valuechain.member_households(cooperative, q))
    if request.method == "GET" and request.args.get("household_id", "").isdigit():
        form.household_id.data = request.args["household_id"]
    if form.validate_on_submit():
        payment = commit_or_refuse(
            form,
            lambda: service.record_payment(current_user, cooperative, **form.payment_data()),
            lambda payment: _(
                "Payment of %(amount)s to %(code)s recorded.",
                amount=format_vnd(payment.amount_vnd),
                code=payment.household.code,
            ),
        )
        if payment is not None:
            month = Month.of(payment.paid_at)
            return see_other(
                ".payments",
                cooperative_id=cooperative.id,
                period_start=str(month),
                period_end=str(month),
            )
    return render_template(
        "manage/payments/new.html", cooperative=cooperative, form=form, q=q
    ), form_status(form)


@bp.route(COOPERATIVE + "/households/<id:household_id>/statement")
@allow(Role.MANAGER, Role.ADMIN)
def household_statement(cooperative_id: int, household_id: int) -> str | tuple[str, int]:
    cooperative = get_cooperative_for(current_user, cooperative_id)
    this_month = current_month()
    # by default the year so far: what a household asks about at a members' meeting
    period, problem = _period(Period(Month(this_month.year, 1), this_month))
    statement = build_statement(current_user, cooperative, household_id, period)
    page = render_template(
        "manage/statement.html",
        cooperative=cooperative,
        statement=statement,
        period=period,
        problem=problem,
        today=current_day(),
    )
    db.session.commit()  # the audit entry of this read (after rendering: commit expires rows)
    return (page, 422) if problem else page
