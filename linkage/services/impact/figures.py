"""The dashboard's key figures and the shares its tables derive from the summary rows."""

from __future__ import annotations

import enum
from typing import Any


class Figure(enum.StrEnum):
    """A key figure of the dashboard (named by `label()`; `kind` says how it is written)."""

    COOPERATIVES = "cooperatives"
    HOUSEHOLDS = "households"
    POOR_SHARE = "poor_share"
    NEAR_POOR_SHARE = "near_poor_share"
    SALES = "sales_vnd"
    PAID = "platform_income_vnd"
    ATTRIBUTED = "attributed_sales_vnd"
    TO_VULNERABLE = "income_to_poor_near_poor_share"
    FARMER_SHARE = "farmer_share"
    EXITS = "projected_exits"
    WORSENED = "projected_worsened"
    NOT_YET_KNOWN = "not_yet_known"

    @property
    def kind(self) -> str:
        """int, vnd or pct, as a table column's kind."""
        if self in SHARES:
            return "pct"
        return "vnd" if self in AMOUNTS else "int"


SHARES = {Figure.POOR_SHARE, Figure.NEAR_POOR_SHARE, Figure.TO_VULNERABLE, Figure.FARMER_SHARE}
AMOUNTS = {Figure.SALES, Figure.PAID, Figure.ATTRIBUTED}


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when the whole is zero (shown as a dash, not 0 %)."""
    return part / whole if whole else None


def _to_vulnerable(figures: dict[str, Any]) -> float | None:
    return share(
        figures["income_to_poor_vnd"] + figures["income_to_near_poor_vnd"],
        figures["platform_income_vnd"],
    )


def key_figures(totals: dict[str, Any]) -> dict[Figure, Any]:
    """The dashboard's key figures from the summary totals (the API's `totals`). Attributed
    sales are no key figure: for the whole province they equal the sales by construction
    (every paid order is attributed in full), so two tiles would show one number; they are
    in the tables and in the farmer share."""
    households = totals["households"]
    return {
        Figure.COOPERATIVES: totals["cooperatives"],
        Figure.HOUSEHOLDS: households,
        Figure.POOR_SHARE: share(totals["poor"], households),
        Figure.NEAR_POOR_SHARE: share(totals["near_poor"], households),
        Figure.SALES: totals["sales_vnd"],
        Figure.PAID: totals["platform_income_vnd"],
        Figure.TO_VULNERABLE: _to_vulnerable(totals),
        Figure.FARMER_SHARE: share(totals["platform_income_vnd"], totals["attributed_sales_vnd"]),
        Figure.EXITS: totals["projected_exits"],
        Figure.WORSENED: totals["projected_worsened"],
        Figure.NOT_YET_KNOWN: totals["not_yet_known"],
    }


def with_shares(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary rows with the derived shares the tables show."""
    return [
        {
            **row,
            "poor_near_poor_share": share(row["poor"] + row["near_poor"], row["households"]),
            "income_to_poor_near_poor_share": _to_vulnerable(row),
            "farmer_share": share(row["platform_income_vnd"], row["attributed_sales_vnd"]),
        }
        for row in rows
    ]
