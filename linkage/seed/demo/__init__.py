"""The demo province (see `province`): its records come from linkage/data/demo."""

from .households import REVIEW_CASES, REVIEW_COMMUNE
from .province import ADMIN_EMAIL, DEMO_PASSWORD, DemoSummary, demo_loaded, seed_demo

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "REVIEW_CASES",
    "REVIEW_COMMUNE",
    "DemoSummary",
    "demo_loaded",
    "seed_demo",
]
