"""The demo province (see `province`): its records come from linkage/data/demo."""

from .calendar import REFERENCE_DAY, DemoCalendar
from .households import REVIEW_CASES, REVIEW_COMMUNE
from .province import ADMIN_EMAIL, DEMO_PASSWORD, DemoSummary, demo_loaded, seed_demo

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "REFERENCE_DAY",
    "REVIEW_CASES",
    "REVIEW_COMMUNE",
    "DemoCalendar",
    "DemoSummary",
    "demo_loaded",
    "seed_demo",
]
