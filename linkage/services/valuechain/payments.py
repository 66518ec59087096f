"""Payments to member households: surplus and other payments, lists and totals by month.

Farmgate payments are made with their delivery (`deliveries.record_collection`); here a
manager records the rest. Totals are one GROUP BY over month buckets computed in SQL from the
Vietnam-time month bounds of the period, so they agree on SQLite and PostgreSQL whatever the
server time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from linkage.extensions import db
from models import Cooperative, Payment, PaymentKind, User

from .. import aggregates, audit
from ..counted import counted
from ..errors import Invalid
from ..periods import Month, Period, current_month
from ..scope import require_manager
from . import checks

MANUAL_KINDS = (PaymentKind.SURPLUS, PaymentKind.OTHER)
MAX_PERIOD_MONTHS = 120
MAX_NOTE = 1000
PAYMENT_FIELDS = ("cooperative_id", "household_id", "kind", "amount_vnd", "paid_at", "note")


def parse_period(
    start: str | None,
    end: str | None,
    *,
    default: Period | None = None,
    in_order: bool = False,
) -> Period:
    """`YYYY-MM` bounds (one alone means that month); the default is the current month.
    A form refuses bounds in reverse order and periods over MAX_PERIOD_MONTHS; the API
    (`in_order`) reads its bounds in order, whichever comes first, and any length its
    document allows (2000 to 2099)."""
    if not start and not end:
        return default or Period(current_month(), current_month())
    try:
        first = Month.parse(start or end or "")
    except ValueError:
        raise Invalid(_("Enter a month as YYYY-MM."), field="period_start") from None
    try:
        last = Month.parse(end or start or "")
    except ValueError:
        raise Invalid(_("Enter a month as YYYY-MM."), field="period_end") from None
    if not 2000 <= first.year <= 2099 or not 2000 <= last.year <= 2099:
        raise Invalid(_("Choose a month from 2000 on."), field="period_start")
    if in_order:
        return Period.between(first, last)
    if last < first:
        raise Invalid(_("The period ends before it starts."), field="period_end")
    period = Period(first, last)
    if period.months > MAX_PERIOD_MONTHS:
        raise Invalid(
            _("Choose a period of at most %(n)d months.", n=MAX_PERIOD_MONTHS),
            field="period_end",
        )
    return period


def record_payment(
    actor: User,
    cooperative: Cooperative,
    household_id: int,
    amount_vnd: int,
    kind: PaymentKind | str,
    paid_at: datetime,
    note: str = "",
) -> Payment:
    """A surplus share or other payment to a member household; audited."""
    require_manager(actor, cooperative.id)
    try:
        kind = PaymentKind(kind)
    except ValueError:
        kind = None  # type: ignore[assignment]
    if kind not in MANUAL_KINDS:
        raise Invalid(
            _("Record a surplus share or another payment; farmgate payments come from deliveries."),
            field="kind",
        )
    if not isinstance(amount_vnd, int) or not 0 < amount_vnd <= checks.MAX_AMOUNT_VND:
        raise Invalid(_("Enter an amount greater than zero."), field="amount_vnd")
    paid_at = checks.check_moment(paid_at, "paid_at")
    note = checks.note(note, MAX_NOTE)
    household = checks.member_household(cooperative.id, household_id)
    return add_payment(actor, cooperative.id, household.id, kind, amount_vnd, paid_at, note=note)


def add_payment(
    actor: User,
    cooperative_id: int,
    household_id: int,
    kind: PaymentKind,
    amount_vnd: int,
    paid_at: datetime,
    *,
    note: str = "",
    collection_id: int | None = None,
    product_id: int | None = None,
) -> Payment:
    """Write a payment whose values the caller has checked (a farmgate payment names its
    delivery and the product of the delivery's lot), audit it and add it to the aggregates."""
    payment = Payment(
        cooperative_id=cooperative_id,
        household_id=household_id,
        kind=kind,
        amount_vnd=amount_vnd,
        paid_at=paid_at,
        collection_id=collection_id,
        note=note,
        recorded_by_id=actor.id,
    )
    db.session.add(payment)
    audit.record_created(actor, "payment", payment, PAYMENT_FIELDS)
    delta = aggregates.Delta()
    delta.payment(payment, product_id)
    aggregates.apply(delta)
    return payment


def payments_query(
    actor: User,
    cooperative: Cooperative,
    period: Period | None = None,
    kind: PaymentKind | None = None,
    household_id: int | None = None,
) -> Select[Any]:
    """The cooperative's payments, newest first, with their households."""
    require_manager(actor, cooperative.id)
    statement = (
        select(Payment)
        .where(Payment.cooperative_id == cooperative.id)
        .options(joinedload(Payment.household))
        .order_by(Payment.paid_at.desc(), Payment.id.desc())
    )
    if period is not None:
        statement = statement.where(
            Payment.paid_at >= period.starts_at, Payment.paid_at < period.ends_before
        )
    if kind is not None:
        statement = statement.where(Payment.kind == kind)
    if household_id is not None:
        statement = statement.where(Payment.household_id == household_id)
    return statement


@dataclass(frozen=True)
class MonthTotals:
    month: Month
    by_kind: dict[PaymentKind, int]

    @property
    def total_vnd(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class PaymentTotals:
    """What a cooperative paid in a period: by kind, and by kind within each month."""

    period: Period
    months: list[MonthTotals]
    by_kind: dict[PaymentKind, int] = field(default_factory=dict)

    @property
    def total_vnd(self) -> int:
        return sum(self.by_kind.values())


def payment_totals(cooperative: Cooperative, period: Period) -> PaymentTotals:
    """Sums by kind and Vietnam-time month in one GROUP BY query."""
    months = period.each_month()
    # bucket i holds [start of month i, start of month i+1) in Vietnam time, as UTC bounds
    bucket = case(
        *((Payment.paid_at < month.next().starts_at, index) for index, month in enumerate(months))
    ).label("bucket")
    dated = (
        select(Payment.kind.label("kind"), bucket, Payment.amount_vnd.label("amount_vnd"))
        .where(
            Payment.cooperative_id == cooperative.id,
            *counted(Payment),
            Payment.paid_at >= period.starts_at,
            Payment.paid_at < period.ends_before,
        )
        .subquery()
    )
    # grouping on the subquery's columns: PostgreSQL would not match the CASE's bind params
    rows = db.session.execute(
        select(dated.c.kind, dated.c.bucket, func.sum(dated.c.amount_vnd)).group_by(
            dated.c.kind, dated.c.bucket
        )
    ).all()
    per_month: list[dict[PaymentKind, int]] = [dict.fromkeys(PaymentKind, 0) for _ in months]
    by_kind = dict.fromkeys(PaymentKind, 0)
    for kind, index, amount in rows:
        kind = PaymentKind(kind)
        per_month[int(index)][kind] += int(amount or 0)
        by_kind[kind] += int(amount or 0)
    return PaymentTotals(
        period=period,
        months=[MonthTotals(m, totals) for m, totals in zip(months, per_month, strict=True)],
        by_kind=by_kind,
    )
