"""The officials' impact dashboard: key figures and tables for one period and scope.

Every number here comes from the same services as the impact API (summary, monthly,
targeting), so the page, its exports and the API always agree. Each table is a
`linkage.tables.Table`: the page shows it beside its chart, and the same object is written to
CSV and XLSX.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from linkage.services.periods import Period
from linkage.services.scope import Actor
from linkage.tables import Table
from models import PovertyStandard

from .dashboard_tables import (
    GROUPED_TABLES,
    figures_table,
    monthly_table,
    products_table,
    summary_table,
    targeting_table,
)
from .figures import Figure, key_figures
from .filters import ImpactFilters, checked_scope
from .groups import GroupBy
from .months import monthly
from .projection import Projection, materialised, standard_for
from .summary import summarise
from .support_table import supports_table
from .supports import support_report
from .targeting import Targeting, rank_communes

TABLE_SLUGS = (
    "figures",
    "monthly",
    "communes",
    "regions",
    "ethnicity",
    "transitions",
    "products",
    "targeting",
    "supports",
)


@dataclass
class Dashboard:
    period: Period
    standard: PovertyStandard
    filters: ImpactFilters
    figures: dict[Figure, Any] = field(default_factory=dict)
    targeting: Targeting | None = None
    tables: dict[str, Table] = field(default_factory=dict)


def build(
    actor: Actor, period: Period, filters: ImpactFilters, only: Collection[str] | None = None
) -> Dashboard:
    """Everything the dashboard shows, or only the tables named in `only` (an export of one
    table computes that table), from one projection of the households in scope. Scope checks
    as in the API: a commune or cooperative outside it answers 404."""
    wanted = set(TABLE_SLUGS if only is None else only)
    if wanted <= {"monthly"}:  # sums by month: no projection needed
        scope = checked_scope(actor, filters)
        dashboard = Dashboard(period=period, standard=standard_for(period), filters=filters)
        dashboard.tables["monthly"] = monthly_table(monthly(scope, period, filters))
        return dashboard
    with materialised(actor, period, filters) as projection:
        return _build(projection, wanted)


def _build(projection: Projection, wanted: set[str]) -> Dashboard:
    period, filters, scope = projection.period, projection.filters, projection.scope
    # by commune: its totals are the key figures and the totals of every partition
    communes = summarise(scope, period, GroupBy.COMMUNE, filters, projection=projection)
    dashboard = Dashboard(
        period=period,
        standard=projection.standard,
        filters=filters,
        figures=key_figures(communes.totals),
    )
    tables = dashboard.tables
    if "figures" in wanted:
        tables["figures"] = figures_table(dashboard.figures)
    if "monthly" in wanted:
        tables["monthly"] = monthly_table(monthly(scope, period, filters))
    for slug, (group, *_table) in GROUPED_TABLES.items():
        if slug not in wanted:
            continue
        summary = communes
        if group != GroupBy.COMMUNE:
            # a partition of the same households: its totals are those already known
            summary = summarise(scope, period, group, filters, totals=False, projection=projection)
            summary.totals = communes.totals
        tables[slug] = summary_table(slug, summary)
    if "products" in wanted:
        products = summarise(
            scope, period, GroupBy.PRODUCT, filters, totals=False, projection=projection
        )
        products.totals = communes.totals  # the rows add up to them (households aside)
        tables["products"] = products_table(products)
    if "targeting" in wanted:
        dashboard.targeting = rank_communes(scope, period, filters, communes)
        tables["targeting"] = targeting_table(dashboard.targeting)
    if "supports" in wanted:
        report = support_report(scope, period, filters, projection=projection)
        tables["supports"] = supports_table(report)
    return dashboard
