"""Market sales in the impact figures: the paid orders of the cooperatives in scope, within
the place, cooperative and product category filters, read from the write-time aggregates
(`cooperative_month_sales`: a cooperative's paid order lines by month of payment and product
sold)."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, cast, func, select, true

from linkage.extensions import db
from linkage.services.aggregates.keys import in_period
from linkage.services.periods import Period
from linkage.services.scope import Scope
from models import Commune, Cooperative, CooperativeMonthSales, Product

from .filters import ImpactFilters


def as_int(expression: Any) -> Any:
    """A sum as a whole number of đồng, 0 when there is nothing to sum."""
    return cast(func.coalesce(expression, 0), BigInteger)


def plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _sold_in_scope(scope: Scope, filters: ImpactFilters) -> ColumnElement[bool]:
    """A condition on order lines (joined with Cooperative, its Commune and the Product):
    sold by a cooperative located in the jurisdiction, within the filters."""
    condition: ColumnElement[bool] = true()
    if scope.communes is not None:
        condition = Cooperative.commune_code.in_(sorted(scope.communes))
    if filters.commune:
        condition = condition & (Cooperative.commune_code == filters.commune)
    if filters.former_province:
        condition = condition & (Commune.former_province == filters.former_province)
    if filters.region:
        condition = condition & (Commune.region == filters.region)
    if filters.cooperative:
        condition = condition & (Cooperative.id == filters.cooperative)
    if filters.product_category:
        condition = condition & (Product.category == filters.product_category)
    return condition


def sales_lines(scope: Scope, period: Period, filters: ImpactFilters, *columns: Any) -> Select:
    """The sums of paid order lines in the period and scope by cooperative, month and product
    (CooperativeMonthSales), joined with the cooperative, its commune and the product."""
    return (
        select(*columns)
        .select_from(CooperativeMonthSales)
        .join(Cooperative, Cooperative.id == CooperativeMonthSales.cooperative_id)
        .join(Commune, Commune.code == Cooperative.commune_code)
        .join(Product, Product.id == CooperativeMonthSales.product_id)
        .where(in_period(CooperativeMonthSales.month, period), _sold_in_scope(scope, filters))
    )


def sales_by(key: Any, scope: Scope, period: Period, filters: ImpactFilters) -> dict[Any, int]:
    """Paid-order value in the period by a key (of the cooperative, commune or product)."""
    statement = sales_lines(
        scope, period, filters, key.label("key"), as_int(func.sum(CooperativeMonthSales.sales_vnd))
    ).group_by(key)
    return {plain(key): total for key, total in db.session.execute(statement).all()}
