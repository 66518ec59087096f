"""Member households of a cooperative: register, edit, list, join and import from CSV.

`values` checks a household's values (one set of rules for the API, the form and a CSV row),
`ethnicity` finds the groups by name, `queries` reads, `commands` and `status` write,
`csv_file` reads and writes the import file, `csv_import` imports it.
"""

from __future__ import annotations

from .commands import add_membership, create_household, update_household
from .csv_file import ImportRejected, RowError, column_titles, csv_template
from .csv_import import import_households
from .ethnicity import ethnicity_index, resolve_ethnicity
from .queries import (
    LOAD_OPTIONS,
    get_cooperative_for_households,
    get_member_household,
    household_counts,
    households_query,
    member_communes,
    record_read,
    visible_cooperative_ids,
)
from .values import MAX_CODE, MAX_MEMBERS, MAX_NAME, NOT_YET_KNOWN

__all__ = [
    "LOAD_OPTIONS",
    "MAX_CODE",
    "MAX_MEMBERS",
    "MAX_NAME",
    "NOT_YET_KNOWN",
    "ImportRejected",
    "RowError",
    "add_membership",
    "column_titles",
    "create_household",
    "csv_template",
    "ethnicity_index",
    "get_cooperative_for_households",
    "get_member_household",
    "household_counts",
    "households_query",
    "import_households",
    "member_communes",
    "record_read",
    "resolve_ethnicity",
    "update_household",
    "visible_cooperative_ids",
]
