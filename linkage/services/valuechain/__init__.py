"""The value chain: lots, deliveries from member households, processing, payments, and the
corrections of what was recorded (DESIGN 3, 4.1, 4.2).

- `checks`: the checks of recorded values, said once (moments, quantities, prices, notes);
- `lots`: lots, their numbering, and the atomic changes of their quantities;
- `deliveries`: a household's delivery with its farmgate payment, and the delivery form's needs;
- `plausibility`: whether a delivery looks like a typing error, before it is recorded;
- `transformations`: processing steps, from input lots to one new output lot;
- `payments`: surplus and other payments, lists and totals by month;
- `corrections`: corrections and voids, with what follows from them;
- `history`: a lot's history, and the corrections and voids kept for each record;
- `lineage` and `attribution`: the chain upstream and downstream, and the split of income
  down to deliveries; `verification`: every derived record checked against its sources.

Callers write `valuechain.record_collection(...)`, `valuechain.create_lot(...)`: the names
below are re-exported; the other modules are imported by name (`valuechain.payments`).
"""

from .checks import member_household
from .deliveries import member_households, record_collection
from .history import LotHistory, lot_history, record_history_read
from .lots import create_lot, get_lot_for, lot_code_prefix, lots_query, lots_with_stock
from .transformations import record_transformation

__all__ = [
    "LotHistory",
    "create_lot",
    "get_lot_for",
    "lot_code_prefix",
    "lot_history",
    "lots_query",
    "lots_with_stock",
    "member_household",
    "member_households",
    "record_collection",
    "record_history_read",
    "record_transformation",
]
