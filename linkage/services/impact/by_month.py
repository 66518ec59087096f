"""Each household's platform income and attributed sales month by month, from the write-time
aggregates: the rows the worker keeps beside the projections for the monthly series
(`kept`, `cells`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Select, String, cast, func, literal, select, union_all

from linkage.services.aggregates.keys import in_period
from linkage.services.periods import Period
from linkage.services.scope import Scope
from models import HouseholdMonthIncome, HouseholdMonthProduct

from .projection import Households, only
from .sales import as_int


def per_month(scope: Scope, period: Period, households: Households = None) -> Select:
    """hid, pkey (the month, YYYYMM), paid (platform income), attributed (sales) for each
    household and month of the period with a payment or attributed sales (`households`:
    those households only, else every household in scope)."""
    income, product = HouseholdMonthIncome, HouseholdMonthProduct
    zero = cast(literal(0), BigInteger)
    parts = union_all(
        select(
            income.household_id.label("hid"),
            income.month.label("month"),
            cast(income.amount_vnd, BigInteger).label("paid"),
            zero.label("attributed"),
        ).where(in_period(income.month, period), *only(income.household_id, households, scope)),
        # a product row without attributed sales holds nothing more than the income rows
        select(product.household_id, product.month, zero, cast(product.attributed_vnd, BigInteger))
        .where(in_period(product.month, period), product.attributed_vnd != 0)
        .where(*only(product.household_id, households, scope)),
    ).subquery("months")
    return select(
        parts.c.hid,
        cast(parts.c.month, String).label("pkey"),
        as_int(func.sum(parts.c.paid)).label("paid"),
        as_int(func.sum(parts.c.attributed)).label("attributed"),
    ).group_by(parts.c.hid, parts.c.month)
