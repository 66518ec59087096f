"""Write-time aggregates (models.aggregates): sums of payments, attributed sales and market
sales by household, Vietnam month, cooperative, kind and product, kept in the same
transaction as the records they come from, so that province-wide figures read a few rows per
household instead of every payment.

- `keys`: months as YYYYMM numbers (Python and SQL) and the key of each table;
- `increments`: what a write adds or takes away (`Delta`), written with atomic upserts
  (`apply`), called by every write path of payments, collections, orders and corrections;
- `rebuild`: the aggregates recomputed from the records (`flask aggregates rebuild`);
- `verify`: stored and recomputed sums compared key by key (`flask aggregates verify`).
"""

from __future__ import annotations

from .increments import Delta, apply, products_of_collections
from .keys import month_number, vietnam_month
from .rebuild import Rebuilt, rebuild
from .verify import Comparison, Difference, compare

__all__ = [
    "Comparison",
    "Delta",
    "Difference",
    "Rebuilt",
    "apply",
    "compare",
    "month_number",
    "products_of_collections",
    "rebuild",
    "vietnam_month",
]
