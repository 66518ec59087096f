"""Reading supports: a household's list, the counted supports and the income from their
purpose product (for reports), and the household page's support beside its income by month.

A void support is kept with its history but counts nowhere: `counted_supports` and
`purpose_income` leave it out; the household's list shows it, marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Select, case, false, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.functions import FunctionElement

from linkage.extensions import db
from linkage.services.counted import counted
from linkage.services.periods import Month, Period
from linkage.services.valuechain.history import changes_of
from models import (
    Collection,
    Household,
    Lot,
    Payment,
    PaymentKind,
    Product,
    RecordChange,
    Support,
    SupportProgramme,
)

LOAD_OPTIONS = (joinedload(Support.purpose_product), joinedload(Support.recorded_by))


class vietnam_day_start(FunctionElement):
    """The UTC instant a date column's day starts in Vietnam (UTC+7), to compare with the
    UTC timestamps of payments."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(vietnam_day_start)
def _day_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as naive text: the day's start shifted back by 7 hours
    return f"datetime({compiler.process(element.clauses, **kw)}, '-7 hours')"


@compiles(vietnam_day_start, "postgresql")
def _day_start_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    day = compiler.process(element.clauses, **kw)
    return f"((CAST({day} AS timestamp) - INTERVAL '7 hours') AT TIME ZONE 'UTC')"


def supports_query(household: Household, programme: SupportProgramme | None = None) -> Select:
    """The household's supports, void ones included, last received first."""
    statement = (
        select(Support)
        .options(*LOAD_OPTIONS)
        .where(Support.household_id == household.id)
        .order_by(Support.received_on.desc(), Support.id.desc())
    )
    if programme is not None:
        statement = statement.where(Support.programme == programme)
    return statement


def counted_supports(programme: SupportProgramme | None = None) -> Select:
    """One row per support that counts (not void), for reports: support_id, household_id,
    programme, amount_vnd, received_on, purpose_product_id, term_months. Join it to the
    households of a scope (`household_scope`) and a period as the report needs."""
    statement = select(
        Support.id.label("support_id"),
        Support.household_id,
        Support.programme,
        Support.amount_vnd,
        Support.received_on,
        Support.purpose_product_id,
        Support.term_months,
    ).where(*counted(Support))
    if programme is not None:
        statement = statement.where(Support.programme == programme)
    return statement


def purpose_income(
    until: datetime | None = None, programme: SupportProgramme | None = None
) -> Select:
    """For each counted support with a purpose product: the household's income from that
    product since the support was received, up to `until` (exclusive; UTC) if given.

    The income from a product is what the household was paid for its deliveries of it:
    farmgate payments that count, dated from the Vietnam-time start of the day the support
    was received. Rows: support_id, household_id, programme, amount_vnd, purpose_income_vnd.
    """
    paid = (
        select(
            Payment.household_id,
            Payment.paid_at,
            Payment.amount_vnd,
            Lot.product_id,
        )
        .join(Collection, Collection.id == Payment.collection_id)
        .join(Lot, Lot.id == Collection.lot_id)
        .where(Payment.kind == PaymentKind.FARMGATE, *counted(Payment), *counted(Collection))
    )
    if until is not None:
        paid = paid.where(Payment.paid_at < until)
    income = paid.subquery()
    statement = (
        select(
            Support.id.label("support_id"),
            Support.household_id,
            Support.programme,
            Support.amount_vnd,
            func.coalesce(func.sum(income.c.amount_vnd), 0).label("purpose_income_vnd"),
        )
        .outerjoin(
            income,
            (income.c.household_id == Support.household_id)
            & (income.c.product_id == Support.purpose_product_id)
            & (income.c.paid_at >= vietnam_day_start(Support.received_on)),
        )
        .where(*counted(Support), Support.purpose_product_id.is_not(None))
        .group_by(Support.id, Support.household_id, Support.programme, Support.amount_vnd)
    )
    if programme is not None:
        statement = statement.where(Support.programme == programme)
    return statement


@dataclass(frozen=True)
class MonthIncome:
    """One month of the household page: its platform income, the part paid for the purpose
    products of its supports, and the supports received that month."""

    month: Month
    platform_income_vnd: int
    purpose_income_vnd: int
    supports: list[Support]


@dataclass(frozen=True)
class SupportSection:
    """What the household page shows of its support: every support (void ones marked) with
    its history, and the household's income by month beside it."""

    household: Household
    period: Period
    supports: list[Support]
    purpose_products: list[Product]
    months: list[MonthIncome]
    changes: dict[tuple[str, int], list[RecordChange]]

    def history(self, support: Support) -> list[RecordChange]:
        """The corrections and voids of a support, oldest first."""
        return self.changes.get(("support", support.id), [])

    @property
    def counted_total_vnd(self) -> int:
        return sum(s.amount_vnd for s in self.supports if not s.is_void)

    @property
    def platform_income_vnd(self) -> int:
        return sum(m.platform_income_vnd for m in self.months)

    @property
    def purpose_income_vnd(self) -> int:
        return sum(m.purpose_income_vnd for m in self.months)


def income_by_month(
    household: Household, period: Period, purpose_product_ids: list[int]
) -> list[tuple[int, int]]:
    """(platform income, of which for the purpose products) of each month of the period,
    in one grouped query: counted payments, by Vietnam-time month."""
    months = period.each_month()
    bucket = case(
        *((Payment.paid_at < month.next().starts_at, index) for index, month in enumerate(months))
    )
    purpose = Lot.product_id.in_(purpose_product_ids) if purpose_product_ids else false()
    dated = (
        select(
            bucket.label("bucket"),
            Payment.amount_vnd.label("amount"),
            case((purpose, Payment.amount_vnd), else_=0).label("purpose"),
        )
        .select_from(Payment)
        .outerjoin(Collection, Collection.id == Payment.collection_id)
        .outerjoin(Lot, Lot.id == Collection.lot_id)
        .where(
            Payment.household_id == household.id,
            *counted(Payment),
            Payment.paid_at >= period.starts_at,
            Payment.paid_at < period.ends_before,
        )
        .subquery()
    )
    # grouped on the subquery's column: PostgreSQL would not match the CASE's bind parameters
    found = {
        int(index): (int(amount or 0), int(purpose or 0))
        for index, amount, purpose in db.session.execute(
            select(dated.c.bucket, func.sum(dated.c.amount), func.sum(dated.c.purpose)).group_by(
                dated.c.bucket
            )
        )
    }
    return [found.get(index, (0, 0)) for index in range(len(months))]


def support_section(household: Household, period: Period) -> SupportSection:
    """The household page's support section (4 queries). `household` is one the caller may
    see (`get_household_for`); the caller audits the read as its page does."""
    supports = list(db.session.scalars(supports_query(household)).unique())
    products = {
        s.purpose_product.id: s.purpose_product
        for s in supports
        if s.purpose_product is not None and not s.is_void
    }
    figures = income_by_month(household, period, sorted(products))
    received: dict[Month, list[Support]] = {}
    for support in supports:
        received.setdefault(Month.of(support.received_on), []).append(support)
    months = [
        MonthIncome(month, platform, purpose, received.get(month, []))
        for month, (platform, purpose) in zip(period.each_month(), figures, strict=True)
    ]
    return SupportSection(
        household=household,
        period=period,
        supports=supports,
        purpose_products=sorted(products.values(), key=lambda p: p.name_vi),
        months=months,
        changes=changes_of(("support", s.id) for s in supports),
    )
