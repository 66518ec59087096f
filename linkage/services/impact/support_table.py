"""The support and income report as a dashboard table: one row per programme, the supported
households' figures, the comparison group's and the difference side by side (no totals row:
a household with several programmes is in several rows)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from linkage.tables import Column, Table

from .dashboard_tables import ATTRIBUTED, EXITS, PAID, WORSENED
from .supports import SupportReport

COLUMNS = (
    Column("label", _l("Programme")),
    Column("households", _l("Households supported"), "int"),
    Column("amount_vnd", _l("Value of support (₫)"), "vnd"),
    PAID,
    ATTRIBUTED,
    Column(
        "purpose_income_vnd", _l("Income from the purpose product since the support (₫)"), "vnd"
    ),
    EXITS,
    WORSENED,
    Column("comparison_households", _l("Comparison group: households"), "int"),
    Column("comparison_platform_income_vnd", _l("Comparison group: paid to households (₫)"), "vnd"),
    Column("comparison_projected_exits", _l("Comparison group: projected exits"), "int"),
    Column("comparison_worsened", _l("Comparison group: worsened"), "int"),
    Column("income_per_household_vnd", _l("Paid per household supported (₫)"), "vnd"),
    Column(
        "comparison_income_per_household_vnd",
        _l("Comparison group: paid per household (₫)"),
        "vnd",
    ),
    Column("difference_income_per_household_vnd", _l("Difference per household (₫)"), "vnd"),
    Column("exit_share", _l("Share supported that exit"), "pct"),
    Column("comparison_exit_share", _l("Comparison group: share that exit"), "pct"),
    Column("difference_exit_share", _l("Difference in the share that exit"), "pct"),
    Column("loans_reached_share", _l("Loans reached by the purpose income"), "pct"),
    Column("loans_no_purpose_sales", _l("Loan households with no purpose sales"), "int"),
)


def support_row(item: dict[str, Any]) -> dict[str, Any]:
    """A report item as one flat row (comparison_…, difference_…, loans_… prefixed)."""
    row = {key: value for key, value in item.items() if not isinstance(value, dict | None)}
    row["key"] = item["programme"]
    for group in ("comparison", "difference", "loans"):
        for name, value in (item.get(group) or {}).items():
            row[f"{group}_{name}"] = value
    return row


def supports_table(report: SupportReport) -> Table:
    return Table(
        slug="supports",
        title=_l("Support and income"),
        columns=COLUMNS,
        rows=[support_row(item) for item in report.items],
    )
