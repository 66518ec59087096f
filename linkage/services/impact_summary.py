"""Impact figures by group (commune, region, former province, cooperative, ethnicity,
ethnicity group, product, product category, official status) and by month, as GROUP BY
queries over the household projection.

`sales_vnd` is the value of paid orders in the period: for places, cooperatives, products and
the totals it is what the cooperatives in scope (narrowed by the place, cooperative and product
category filters) sold; for groups of households (ethnicity, official status) it is the sales
value that carried their produce (attributed).

Households whose official status is not yet known are left out of every figure (their
projection is unknown and they would skew the shares of poor households); the totals count
them in `not_yet_known`, so that a page can say how many were left out. A household whose
ethnicity is not yet known is in neither ethnicity group: those rows have a "not yet known"
row of their own, so that they still add up to the totals.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Select, case, cast, func, literal, select, true, union_all

from linkage.extensions import db
from linkage.labels import CATEGORY_LABELS, NOT_YET_KNOWN_LABEL, REGION_LABELS
from linkage.labels import OFFICIAL_STATUS_LABELS as STATUS_LABELS
from models import (
    Collection,
    Commune,
    Cooperative,
    EthnicGroup,
    Household,
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
    User,
)
from models.reference import FORMER_PROVINCE_NAMES

from .counted import counted
from .impact import (
    KINH,
    POOR,
    ImpactFilters,
    Projection,
    check_filters_in_scope,
    household_conditions,
    households_limit,
    in_scope,
    materialised,
)
from .periods import Month, Period
from .poverty import Transition
from .scope import jurisdiction_communes

NEAR_POOR = "near_poor"


class GroupBy(enum.StrEnum):
    COMMUNE = "commune"
    REGION = "region"
    FORMER_PROVINCE = "former_province"
    COOPERATIVE = "cooperative"
    ETHNICITY = "ethnicity"
    ETHNICITY_GROUP = "ethnicity_group"
    PRODUCT = "product"
    PRODUCT_CATEGORY = "product_category"
    OFFICIAL_STATUS = "official_status"


ETHNICITY_GROUP_LABELS = {"minority": _l("Ethnic minorities"), "kinh": _l("Kinh")}
NOT_YET_KNOWN = "not_yet_known"  # the key of the row of households whose ethnicity is unknown
TRANSITION_LABELS = {
    "exit": _l("Exit from poverty"),
    "improved": _l("Improved"),
    "unchanged": _l("Unchanged"),
    "worsened": _l("Worsened"),
}
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
    "projected_improved",
    "projected_unchanged",
    "projected_worsened",
)


def _count_transition(p: Any, transition: Transition, name: str) -> Any:
    return _int(func.sum(case((p.c.transition == transition.value, 1), else_=0))).label(name)


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
        _count_transition(p, Transition.EXIT, "projected_exits"),
        _count_transition(p, Transition.IMPROVED, "projected_improved"),
        _count_transition(p, Transition.UNCHANGED, "projected_unchanged"),
        _count_transition(p, Transition.WORSENED, "projected_worsened"),
    ]


def _cooperatives_in_scope(actor: User, filters: ImpactFilters) -> Any:
    """A condition on order lines (joined with Cooperative, its Commune and the Product):
    sold by a cooperative located in the actor's jurisdiction, within the filters."""
    condition = true()
    communes = jurisdiction_communes(actor)
    if communes is not None:
        condition = Cooperative.commune_code.in_(communes)
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


def _paid_in(period: Period) -> Any:
    return (
        (Order.status == OrderStatus.PAID)
        & (Order.paid_at >= period.starts_at)
        & (Order.paid_at < period.ends_before)
    )


def _sales_lines(actor: User, period: Period, filters: ImpactFilters, *columns: Any) -> Select:
    """Paid order lines in the period and scope, joined with cooperative, commune, product."""
    return (
        select(*columns)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .join(Commune, Commune.code == Cooperative.commune_code)
        .join(Listing, Listing.id == OrderLine.listing_id)
        .join(Product, Product.id == Listing.product_id)
        .where(_paid_in(period), _cooperatives_in_scope(actor, filters))
    )


def _sales_by(key: Any, actor: User, period: Period, filters: ImpactFilters) -> dict[Any, int]:
    """Paid-order value in the period by a key (of the cooperative, commune or product)."""
    statement = _sales_lines(
        actor, period, filters, key.label("key"), _int(func.sum(OrderLine.amount_vnd))
    ).group_by(key)
    return {_plain(key): total for key, total in db.session.execute(statement).all()}


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


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
        key = func.coalesce(p.c.ethnic_group_code, NOT_YET_KNOWN)
        return (
            select(
                key.label("key"),
                func.coalesce(func.min(EthnicGroup.name_vi), "").label("label"),
                *_household_figures(p),
            )
            .select_from(p)
            .outerjoin(EthnicGroup, EthnicGroup.code == p.c.ethnic_group_code)
            .group_by(key)
        )
    if group == GroupBy.ETHNICITY_GROUP:
        key = case(
            (p.c.ethnic_group_code.is_(None), NOT_YET_KNOWN),
            (p.c.ethnic_group_code == KINH, "kinh"),
            else_="minority",
        )
        return select(
            key.label("key"), literal("").label("label"), *_household_figures(p)
        ).group_by(key)
    return select(
        p.c.official_status.label("key"), literal("").label("label"), *_household_figures(p)
    ).group_by(p.c.official_status)


def _income_by(
    actor: User,
    period: Period,
    key_columns: list[Any],
    source: Any,
    amount: Any,
    paid_at: Any,
    household_id: Any,
) -> Any:
    return (
        select(*key_columns, func.sum(amount).label("total"))
        .select_from(source)
        .where(
            paid_at >= period.starts_at,
            paid_at < period.ends_before,
            *in_scope(household_id, actor),
            *counted(source),
        )
        .group_by(*key_columns)
        .subquery()
    )


def _cooperative_rows(
    p: Any, actor: User, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int]]:
    paid = _income_by(
        actor,
        period,
        [Payment.household_id.label("hid"), Payment.cooperative_id.label("cid")],
        Payment,
        Payment.amount_vnd,
        Payment.paid_at,
        Payment.household_id,
    )
    attributed = _income_by(
        actor,
        period,
        [
            IncomeAttribution.household_id.label("hid"),
            IncomeAttribution.cooperative_id.label("cid"),
        ],
        IncomeAttribution,
        IncomeAttribution.amount_vnd,
        IncomeAttribution.paid_at,
        IncomeAttribution.household_id,
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
    p: Any, group: GroupBy, actor: User, period: Period, filters: ImpactFilters
) -> tuple[Select, dict[Any, int]]:
    """Household figures by the product (or category) of the produce they delivered: the
    farmgate payments for their deliveries and the sales attributed to those deliveries,
    summed in one pass over both."""
    key = Product.code if group == GroupBy.PRODUCT else Product.category
    label = Product.name_vi if group == GroupBy.PRODUCT else literal("")

    def part(model: Any, paid: Any, attributed: Any, *conditions: Any) -> Select:
        return select(
            model.household_id.label("hid"),
            model.collection_id.label("cid"),
            paid.label("paid"),
            attributed.label("attributed"),
        ).where(
            model.paid_at >= period.starts_at,
            model.paid_at < period.ends_before,
            *in_scope(model.household_id, actor),
            *counted(model),
            *conditions,
        )

    zero = cast(literal(0), BigInteger)
    incomes = union_all(
        part(Payment, Payment.amount_vnd, zero, Payment.collection_id.is_not(None)),
        part(IncomeAttribution, zero, IncomeAttribution.amount_vnd),
    ).subquery("incomes")
    per_product = (
        select(
            incomes.c.hid,
            key.label("pkey"),
            func.min(label).label("label"),
            func.sum(incomes.c.paid).label("paid"),
            func.sum(incomes.c.attributed).label("attributed"),
        )
        .select_from(incomes)
        .join(Collection, Collection.id == incomes.c.cid)
        .join(Lot, Lot.id == Collection.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .group_by(incomes.c.hid, key)
    )
    if filters.product_category:
        per_product = per_product.where(Product.category == filters.product_category)
    per_product = per_product.subquery("per_product")
    statement = (
        select(
            per_product.c.pkey.label("key"),
            func.min(per_product.c.label).label("label"),
            *_household_figures(
                p, platform=_int(per_product.c.paid), attributed=_int(per_product.c.attributed)
            ),
        )
        .select_from(p)
        .join(per_product, per_product.c.hid == p.c.household_id)
        .group_by(per_product.c.pkey)
    )
    return statement, _sales_by(key, actor, period, filters)


def _label(group: GroupBy, key: Any, label: str) -> str:
    if key == NOT_YET_KNOWN and group in (GroupBy.ETHNICITY, GroupBy.ETHNICITY_GROUP):
        return str(NOT_YET_KNOWN_LABEL)
    if group == GroupBy.REGION:
        return str(REGION_LABELS.get(str(key), key))
    if group == GroupBy.FORMER_PROVINCE:
        return FORMER_PROVINCE_NAMES.get(key, str(key))
    if group == GroupBy.OFFICIAL_STATUS:
        return str(STATUS_LABELS.get(str(key), key))
    if group == GroupBy.ETHNICITY_GROUP:
        return str(ETHNICITY_GROUP_LABELS.get(str(key), key))
    if group == GroupBy.PRODUCT_CATEGORY:
        return str(CATEGORY_LABELS.get(str(key), key))
    return label or str(key)


def summarise(
    actor: User,
    period: Period,
    group: GroupBy,
    filters: ImpactFilters,
    *,
    totals: bool = True,
    projection: Projection | None = None,
) -> Summary:
    """Figures per group and totals for the actor's jurisdiction (a handful of queries;
    `totals=False` leaves the totals out, for a caller that has them already;
    `projection`: the households' projection when the caller has materialised it)."""
    if projection is None:
        with materialised(actor, period, filters) as made:
            return summarise(actor, period, group, filters, totals=totals, projection=made)
    p = known(projection.table)
    sales: dict[Any, int] | None = None
    if group in (GroupBy.COMMUNE, GroupBy.REGION, GroupBy.FORMER_PROVINCE):
        statement, sales = _place_rows(p, group, actor, period, filters)
    elif group == GroupBy.COOPERATIVE:
        statement, sales = _cooperative_rows(p, actor, period, filters)
    elif group in (GroupBy.PRODUCT, GroupBy.PRODUCT_CATEGORY):
        statement, sales = _product_rows(p, group, actor, period, filters)
    else:
        statement = _household_group_rows(p, group)
    summary = Summary(period=period, standard=projection.standard, group_by=group)
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
    if totals:
        summary.totals = _totals(p, projection.table, actor, period, filters)
    return summary


def known(table: Any) -> Any:
    """The rows of a projection whose official status is known (the others are left out)."""
    return select(table).where(table.c.official_status.is_not(None)).subquery("known")


def _totals(
    p: Any, table: Any, actor: User, period: Period, filters: ImpactFilters
) -> dict[str, Any]:
    figures = dict(db.session.execute(select(*_household_figures(p))).mappings().one())
    figures["sales_vnd"] = sum(_sales_by(literal(1), actor, period, filters).values())
    totals = {name: figures[name] for name in FIGURES}
    totals["cooperatives"] = _cooperatives_reaching(p, filters)
    totals["not_yet_known"] = (
        db.session.scalar(
            select(func.count()).select_from(table).where(table.c.official_status.is_(None))
        )
        or 0
    )
    return totals


def _cooperatives_reaching(p: Any, filters: ImpactFilters) -> int:
    """Cooperatives with at least one of the households among their members."""
    statement = (
        select(func.count(func.distinct(Membership.cooperative_id)))
        .select_from(p)
        .join(Membership, Membership.household_id == p.c.household_id)
    )
    if filters.cooperative:
        statement = statement.where(Membership.cooperative_id == filters.cooperative)
    return db.session.scalar(statement) or 0


def months_of(period: Period) -> list[Month]:
    months, month = [], period.start
    while month <= period.end:
        months.append(month)
        month = month.next()
    return months


def _by_month(column: Any, months: list[Month]) -> Any:
    """The index of the Vietnam-time month a timestamp falls in (within the period)."""
    return case(
        *[(column < month.next().starts_at, index) for index, month in enumerate(months)]
    ).label("month_index")


def monthly(actor: User, period: Period, filters: ImpactFilters) -> list[dict[str, Any]]:
    """Sales, payments to households and attributed sales for each month of the period."""
    check_filters_in_scope(actor, filters)
    months = months_of(period)
    sales_bucket = _by_month(Order.paid_at, months)
    sales = _sales_lines(
        actor, period, filters, sales_bucket, _int(func.sum(OrderLine.amount_vnd))
    ).group_by(sales_bucket)
    conditions = household_conditions(period, filters)
    limit = households_limit(actor)
    if limit is not None:
        conditions.append(limit)
    households = (
        select(Household.id)
        .join(Commune, Commune.code == Household.commune_code)
        .where(*conditions)
    )
    # as in the summaries, households whose official status is not yet known are left out
    unknown = select(Household.id).where(Household.official_status.is_(None))
    figures = {"sales_vnd": dict(db.session.execute(sales).all())}
    for name, model in (
        ("platform_income_vnd", Payment),
        ("attributed_sales_vnd", IncomeAttribution),
    ):
        bucket = _by_month(model.paid_at, months)
        statement = (
            select(bucket, _int(func.sum(model.amount_vnd)))
            .where(
                model.paid_at >= period.starts_at,
                model.paid_at < period.ends_before,
                *counted(model),
                # every household counts for an official of the whole province, unfiltered
                *([model.household_id.in_(households)] if conditions else []),
                model.household_id.not_in(unknown),
            )
            .group_by(bucket)
        )
        figures[name] = dict(db.session.execute(statement).all())
    return [
        {"month": str(month), **{name: values.get(index, 0) for name, values in figures.items()}}
        for index, month in enumerate(months)
    ]
