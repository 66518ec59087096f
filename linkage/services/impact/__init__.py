"""Income impact: what linkage income does to the households' poverty status, for officials
(their jurisdiction, households named) and the public (the province, small cells hidden).

One idea a module:
- `poverty`: the pure rules (projected income, classification, transition);
- `filters`: the filters of the figures, checked against the actor's scope;
- `projection`: every household's projection as one set-based query, materialised once
  (or read from the kept rows of the standard period, `kept_projection`);
- `kept`: the worker that keeps those rows (`flask impact refresh`) and verifies them;
- `household_list`: the households of a projection, sorted, paged or streamed;
- `household`: one household's page;
- `grouping`: the groupings and the keys of their rows; `sales`, `groups`, `summary`: figures
  by group, with market sales; `sold_as`: incomes by product as sold; `months`: by month;
- `supports`: support programmes beside a comparison group (the support and income report);
- `targeting`: communes ranked by need;
- `figures`, `dashboard_tables`, `dashboard`: the officials' dashboard and its tables;
- `labels`: the names of the impact's own values, for `label()`;
- `public`: the public's aggregates, small cells suppressed.
"""

from __future__ import annotations

from . import labels  # noqa: F401  (names the impact's values for `label()`)
from .dashboard import TABLE_SLUGS, Dashboard, build
from .figures import Figure
from .filters import EthnicityGroup, ImpactFilters
from .groups import GroupBy
from .household import HouseholdImpact, household_impact
from .household_list import Sort, household_rows, households_page
from .months import monthly
from .poverty import Transition
from .projection import Projection, materialised, standard_for
from .public import (
    PublicImpact,
    member_poverty_share,
    public_impact,
    relabelled,
    shown_count,
)
from .summary import Summary, summarise
from .supports import SupportReport, support_report
from .targeting import Targeting, rank_communes

__all__ = [
    "TABLE_SLUGS",
    "Dashboard",
    "EthnicityGroup",
    "Figure",
    "GroupBy",
    "HouseholdImpact",
    "ImpactFilters",
    "Projection",
    "PublicImpact",
    "Sort",
    "Summary",
    "SupportReport",
    "Targeting",
    "Transition",
    "build",
    "household_impact",
    "household_rows",
    "households_page",
    "materialised",
    "member_poverty_share",
    "monthly",
    "public_impact",
    "rank_communes",
    "relabelled",
    "shown_count",
    "standard_for",
    "summarise",
    "support_report",
]
