"""Policy support households received (DESIGN 3): record, correct, void, list, import.

`values` checks a support's values (one set of rules for the API, the forms and a CSV row)
and says who may record which programme, `commands` writes (every change audited, the
history of corrections and voids kept), `queries` reads (for reports: the counted supports
and the income from their purpose product), `csv_file` reads and writes the import file,
`csv_import` imports it.
"""

from __future__ import annotations

from .commands import (
    correct_support,
    current_values,
    get_support_for,
    record_support,
    refuse_programme,
    void_support,
)
from .csv_file import COLUMNS, PROGRAMME_NAMES, csv_template
from .csv_import import import_supports
from .queries import (
    MonthIncome,
    SupportSection,
    counted_supports,
    purpose_income,
    support_section,
    supports_query,
    vietnam_day_start,
)
from .values import (
    FIELDS,
    MANAGER_PROGRAMMES,
    MAX_AMOUNT_VND,
    MAX_NOTE,
    MAX_TERM_MONTHS,
    clean_support,
    programmes_for,
)

__all__ = [
    "COLUMNS",
    "FIELDS",
    "MANAGER_PROGRAMMES",
    "MAX_AMOUNT_VND",
    "MAX_NOTE",
    "MAX_TERM_MONTHS",
    "PROGRAMME_NAMES",
    "MonthIncome",
    "SupportSection",
    "clean_support",
    "correct_support",
    "counted_supports",
    "csv_template",
    "current_values",
    "get_support_for",
    "import_supports",
    "programmes_for",
    "purpose_income",
    "record_support",
    "refuse_programme",
    "support_section",
    "supports_query",
    "vietnam_day_start",
    "void_support",
]
