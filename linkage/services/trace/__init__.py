"""Traceability: a lot's chain upstream and downstream, for each audience (DESIGN 4.4, 7).

- `access`: which lot each audience may trace, and the audit of managers' reads;
- `views`: what a trace holds (plain frozen dataclasses);
- `queries` and `steps`: the trace itself, in a fixed number of queries whatever the chain's
  length;
- `epcis`: a trace as a GS1 EPCIS 2.0 document, one for the public and one for managers;
- `massbalance` and `yields`: a cooperative's lots in and out, and its processing yields.

Callers write `trace.trace_lot(...)`, `trace.get_public_lot(...)`: the names below are
re-exported; the steps of a trace, the EPCIS documents and the mass balance are imported
from their modules.
"""

from .access import (
    get_exportable_lot,
    get_managed_export,
    get_managed_lot,
    get_public_lot,
    get_traceable_lot,
    record_epcis_export,
    record_trace_read,
)
from .queries import party_id, trace_lot
from .views import Trace

__all__ = [
    "Trace",
    "get_exportable_lot",
    "get_managed_export",
    "get_managed_lot",
    "get_public_lot",
    "get_traceable_lot",
    "party_id",
    "record_epcis_export",
    "record_trace_read",
    "trace_lot",
]
