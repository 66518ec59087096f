"""Helpers for the household tests: member households and CSV files."""

from __future__ import annotations

import csv
import io
from typing import Any

from linkage.extensions import db
from models import Cooperative, Household, Membership, OfficialStatusChange

from .audit_entries import RECORD_ENTRIES
from .factories import DAO_TRU, HouseholdFactory, MembershipFactory

HEADER = (
    "code,head_name,commune_code,members,ethnicity,official_status,deprivations,"
    "baseline_income_vnd,meritorious,consent"
)


def member(cooperative: Cooperative, **household: Any) -> Household:
    """A household that is a member of `cooperative` (flushed, not committed)."""
    return MembershipFactory(
        cooperative=cooperative, household=HouseholdFactory(**household)
    ).household


def household_data(**overrides: Any) -> dict[str, Any]:
    """Valid values for a new household, as the API and the services take them."""
    data: dict[str, Any] = {
        "code": "DT-0001",
        "head_name": "Triệu Thị Mai",
        "commune_code": DAO_TRU,
        "members": 5,
        "ethnicity": "Dao",
        "official_status": "poor",
        "deprivations": 4,
        "baseline_income_vnd": 1_100_000,
        "meritorious": False,
        "consent": True,
    }
    data.update(overrides)
    return data


def csv_rows(count: int, *, start: int = 1, prefix: str = "IMP") -> str:
    """`count` valid CSV rows (no header), codes PREFIX-000001..."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    groups = ("Dao", "Sán Dìu", "Mường", "Kinh", "H'Mông", "Tày")
    statuses = ("nghèo", "cận nghèo", "không nghèo", "poor", "near_poor", "not_poor")
    for n in range(start, start + count):
        writer.writerow(
            (
                f"{prefix}-{n:06d}",
                f"Triệu Văn Đức {n}",
                DAO_TRU,
                1 + n % 8,
                groups[n % len(groups)],
                statuses[n % len(statuses)],
                n % 13,
                800_000 + n,
                "có" if n % 7 == 0 else "không",
                "có",
            )
        )
    return out.getvalue()


def csv_file(body: str, *, header: str = HEADER, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + header + "\n" + body).encode("utf-8")


def counts() -> tuple[int, int, int, int]:
    """Households, memberships, audit entries of records and status changes: to show nothing
    was written (logins, tokens and refused access are audited besides)."""
    return tuple(  # type: ignore[return-value]
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Household, Membership, RECORD_ENTRIES, OfficialStatusChange)
    )
