"""Listings: what cooperatives offer to buyers, and the public catalog of them.

- `rules`: a listing's values, product, certificates and status transitions, said once;
- `commands`: create, change and move a listing through its statuses (managers; audited);
- `stock`: the stock and the status that follows it, by conditional UPDATEs;
- `queries`: a cooperative's listings as its managers see them;
- `catalog`: the public catalog, searched and filtered (buyers and anyone).

Callers write `listings.create_listing(...)`, `listings.get_listing_for(...)`: the names
below are re-exported; the catalog is imported by name (`listings.catalog`).
"""

from .commands import create_listing, set_listing_status, update_listing
from .queries import cooperative_listings_query, get_listing_for
from .rules import FIELDS
from .stock import restocked_status

__all__ = [
    "FIELDS",
    "cooperative_listings_query",
    "create_listing",
    "get_listing_for",
    "restocked_status",
    "set_listing_status",
    "update_listing",
]
