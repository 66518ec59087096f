"""Impact figures by group (commune, region, former province, cooperative, ethnicity,
product, official status), as GROUP BY queries over the household projection.

`sales_vnd` is the value of paid orders in the period: for places, cooperatives and products
it is what the cooperatives located there (or the product) sold; for groups of households
(ethnicity, official status) it is the sales value that carried their produce (attributed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Select, case, cast, func, literal, select, true

from linkage.extensions import db
from models import (
    Collection,
    Commune,
    Cooperative,
    EthnicGroup,
    IncomeAttribution,
    Listing,
    Lot,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PovertyStandard,
    Product,
    Role,
    User,
    official_communes,
)
from models.reference import FORMER_PROVINCE_NAMES

from .impact import POOR, ImpactFilters, check_filters_in_scope, projection_query, standard_for
from .periods import Period
from .poverty import Transition

NEAR_POOR = "near_poor"


class GroupBy(enum.StrEnum):
    COMMUNE = "commune"
    REGION = "region"
    FORMER_PROVINCE = "former_province"
    COOPERATIVE = "cooperative"
    ETHNICITY = "ethnicity"
    PRODUCT = "product"
    OFFICIAL_STATUS = "official_status"


REGION_LABELS = {"urban": _l("Urban"), "midland": _l("Midland"), "mountain": _l("Mountain")}
STATUS_LABELS = {"poor": _l("Poor"), "near_poor": _l("Near poor"), "not_poor": _l("Not poor")}
FIGURES = (
    "households",
    "poor",
    "near_poor",
    "sales_vnd",
    "platform_income_vnd",
    "attributed_sales_vnd",
    "income_to_poor_vnd",
    "income_to_near_poor_vnd",
    "projected_exits",
    "projected_worsened",
)


@dataclass
class Summary:
    period: Period
    standard: PovertyStandard
    group_by: GroupBy
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def _int(expression: Any) -> Any:
    return cast(func.coalesce(expression, 0), BigInteger)


def _household_figures(p: Any, platform: Any = None, attributed: Any = None) -> list[Any]:
    """The aggregate columns over projection rows `p` (incomes overridable per group)."""
    platform = p.c.platform_income_vnd if platform is None else platform
    attributed = p.c.attributed_sales_vnd if attributed is None else attributed
    official = p.c.official_status
    return [
        func.count(func.distinct(p.c.household_id)).label("households"),
        _int(func.sum(case((official == POOR, 1), else_=0))).label("poor"),
        _int(func.sum(case((official == NEAR_POOR, 1), else_=0))).label("near_poor"),
        _int(func.sum(platform)).label("platform_income_vnd"),
        _int(func.sum(attributed)).label("attributed_sales_vnd"),
        _int(func.sum(case((official == POOR, platform), else_=0))).label("income_to_poor_vnd"),
        _int(func.sum(case((official == NEAR_POOR, platform), else_=0))).label(
            "income_to_near_poor_vnd"
        ),
        _int(func.sum(case((p.c.transition == Transition.EXIT.value, 1), else_=0))).label(
            "projected_exits"
        ),
        _int(func.sum(case((p.c.transition == Transition.WORSENED.value, 1), else_=0))).label(
            "projected_worsened"
        ),
    ]


def _cooperatives_in_scope(actor: User, filters: ImpactFilters) -> Any:
    """A condition on Cooperative: located in the actor's jurisdiction and the filters."""
    condition = true()
    if actor.role == Role.OFFICIAL and not actor.province_wide:
        condition = Cooperative.commune_code.in_(
            select(official_communes.c.commune_code).where(official_communes.c.user_id == actor.id)
        )
    if filters.commune:
        condition = condition & (Cooperative.commune_code == filters.commune)
    if filters.cooperative:
        condition = condition & (Cooperative.id == filters.cooperative)
    return condition


def _paid_in(period: Period) -> Any:
    return (
        (Order.status == OrderStatus.PAID)
        & (Order.paid_at >= period.starts_at)
        & (Order.paid_at < period.ends_before)
    )


def _sales_by(key: Any, actor: User, period: Period, filters: ImpactFilters) -> dict[Any, int]:
    """Paid-order value in the period by a key of the cooperative (or None for all)."""
    statement = (
        select(key, _int(func.sum(Order.total_vnd)))
        .select_from(Order)
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .join(Commune, Commune.code == Cooperative.commune_code)
        .where(_paid_in(period), _cooperatives_in_scope(actor, filters))
        .group_by(key)
    )
    return dict(db.session.execute(statement).all())


def _place_rows(
    p: Any, group: GroupBy, actor: User, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int]]:
    column = {
        GroupBy.COMMUNE: Commune.code,
        GroupBy.REGION: Commune.region,
        GroupBy.FORMER_PROVINCE: Commune.former_province,
    }[group]
    label = Commune.name if group == GroupBy.COMMUNE else literal("")
    statement = (
        select(column.label("key"), func.min(label).label("label"), *_household_figures(p))
        .select_from(p)
        .join(Commune, Commune.code == p.c.commune_code)
        .group_by(column)
    )
    return statement, _sales_by(column, actor, period, filters)


def _household_group_rows(p: Any, group: GroupBy) -> Select:
    if group == GroupBy.ETHNICITY:
        return (
            select(
                p.c.ethnic_group_code.label("key"),
                func.min(EthnicGroup.name_vi).label("label"),
                *_household_figures(p),
            )
            .join(EthnicGroup, EthnicGroup.code == p.c.ethnic_group_code)
            .group_by(p.c.ethnic_group_code)
        )
    return select(
        p.c.official_status.label("key"), literal("").label("label"), *_household_figures(p)
    ).group_by(p.c.official_status)


def _income_by(
    period: Period,
    key_columns: list[Any],
    source: Any,
    amount: Any,
    paid_at: Any,
    joins: list[tuple[Any, Any]],
) -> Any:
    statement = select(*key_columns, func.sum(amount).label("total")).select_from(source)
    for target, condition in joins:
        statement = statement.join(target, condition)
    return (
        statement.where(paid_at >= period.starts_at, paid_at < period.ends_before)
        .group_by(*key_columns)
        .subquery()
    )


def _cooperative_rows(
    p: Any, actor: User, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int]]:
    paid = _income_by(
        period,
        [Payment.household_id.label("hid"), Payment.cooperative_id.label("cid")],
        Payment,
        Payment.amount_vnd,
        Payment.paid_at,
        [],
    )
    attributed = _income_by(
        period,
        [
            IncomeAttribution.household_id.label("hid"),
            IncomeAttribution.cooperative_id.label("cid"),
        ],
        IncomeAttribution,
        IncomeAttribution.amount_vnd,
        IncomeAttribution.paid_at,
        [],
    )
    statement = (
        select(
            Membership.cooperative_id.label("key"),
            func.min(Cooperative.name).label("label"),
            *_household_figures(
                p, platform=_int(paid.c.total), attributed=_int(attributed.c.total)
            ),
        )
        .select_from(p)
        .join(Membership, Membership.household_id == p.c.household_id)
        .join(Cooperative, Cooperative.id == Membership.cooperative_id)
        .outerjoin(
            paid, (paid.c.hid == p.c.household_id) & (paid.c.cid == Membership.cooperative_id)
        )
        .outerjoin(
            attributed,
            (attributed.c.hid == p.c.household_id)
            & (attributed.c.cid == Membership.cooperative_id),
        )
        .group_by(Membership.cooperative_id)
    )
    if filters.cooperative:
        statement = statement.where(Membership.cooperative_id == filters.cooperative)
    return statement, _sales_by(Cooperative.id, actor, period, filters)


def _product_rows(
    p: Any, actor: User, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int]]:
    paid = _income_by(
        period,
        [Payment.household_id.label("hid"), Lot.product_id.label("pid")],
        Payment,
        Payment.amount_vnd,
        Payment.paid_at,
        [(Collection, Collection.id == Payment.collection_id), (Lot, Lot.id == Collection.lot_id)],
    )
    attributed = _income_by(
        period,
        [IncomeAttribution.household_id.label("hid"), Lot.product_id.label("pid")],
        IncomeAttribution,
        IncomeAttribution.amount_vnd,
        IncomeAttribution.paid_at,
        [
            (Collection, Collection.id == IncomeAttribution.collection_id),
            (Lot, Lot.id == Collection.lot_id),
        ],
    )
    pairs = select(paid.c.hid, paid.c.pid).union(select(attributed.c.hid, attributed.c.pid))
    pairs = pairs.subquery("pairs")
    statement = (
        select(
            Product.code.label("key"),
            func.min(Product.name_vi).label("label"),
            *_household_figures(
                p, platform=_int(paid.c.total), attributed=_int(attributed.c.total)
            ),
        )
        .select_from(p)
        .join(pairs, pairs.c.hid == p.c.household_id)
        .join(Product, Product.id == pairs.c.pid)
        .outerjoin(paid, (paid.c.hid == pairs.c.hid) & (paid.c.pid == pairs.c.pid))
        .outerjoin(
            attributed, (attributed.c.hid == pairs.c.hid) & (attributed.c.pid == pairs.c.pid)
        )
        .group_by(Product.code)
    )
    sales = dict(
        db.session.execute(
            select(Product.code, _int(func.sum(OrderLine.amount_vnd)))
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Cooperative, Cooperative.id == Order.cooperative_id)
            .join(Listing, Listing.id == OrderLine.listing_id)
            .join(Product, Product.id == Listing.product_id)
            .where(_paid_in(period), _cooperatives_in_scope(actor, filters))
            .group_by(Product.code)
        ).all()
    )
    return statement, sales


def _label(group: GroupBy, key: Any, label: str) -> str:
    if group == GroupBy.REGION:
        return str(REGION_LABELS.get(str(key), key))
    if group == GroupBy.FORMER_PROVINCE:
        return FORMER_PROVINCE_NAMES.get(key, str(key))
    if group == GroupBy.OFFICIAL_STATUS:
        return str(STATUS_LABELS.get(str(key), key))
    return label or str(key)


def summarise(actor: User, period: Period, group: GroupBy, filters: ImpactFilters) -> Summary:
    """Figures per group and totals for the actor's jurisdiction (a handful of queries)."""
    check_filters_in_scope(actor, filters)
    standard = standard_for(period)
    p = projection_query(actor, period, standard, filters).subquery("p")
    sales: dict[Any, int] | None = None
    if group in (GroupBy.COMMUNE, GroupBy.REGION, GroupBy.FORMER_PROVINCE):
        statement, sales = _place_rows(p, group, actor, period, filters)
    elif group == GroupBy.COOPERATIVE:
        statement, sales = _cooperative_rows(p, actor, period, filters)
    elif group == GroupBy.PRODUCT:
        statement, sales = _product_rows(p, actor, period, filters)
    else:
        statement = _household_group_rows(p, group)
    summary = Summary(period=period, standard=standard, group_by=group)
    for row in db.session.execute(statement.order_by("key")).mappings():
        figures = dict(row)
        key = figures.pop("key")
        key = key.value if isinstance(key, enum.Enum) else key
        figures["sales_vnd"] = (
            figures["attributed_sales_vnd"] if sales is None else sales.pop(key, 0)
        )
        summary.rows.append(
            {
                "key": str(key),
                "label": _label(group, key, figures.pop("label")),
                **{name: figures[name] for name in FIGURES},
            }
        )
    totals = dict(db.session.execute(select(*_household_figures(p))).mappings().one())
    totals["sales_vnd"] = sum(_sales_by(literal(1), actor, period, filters).values())
    summary.totals = {name: totals[name] for name in FIGURES}
    return summary
