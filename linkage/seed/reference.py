"""Reference seed from the CSV files in linkage/data (idempotent: upsert by code)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from linkage.extensions import db
from linkage.text import search_key
from models import (
    Area,
    Commune,
    CommuneKind,
    EthnicGroup,
    FormerProvince,
    PovertyStandard,
    Product,
    ProductCategory,
    Region,
    Unit,
)

FORMER_PROVINCES = {
    "Phú Thọ": FormerProvince.PHU_THO,
    "Vĩnh Phúc": FormerProvince.VINH_PHUC,
    "Hòa Bình": FormerProvince.HOA_BINH,
}


@dataclass(frozen=True)
class SeedCounts:
    communes: int
    ethnic_groups: int
    products: int
    poverty_standards: int


def data_rows(*path: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file under linkage/data (a header row), in file order."""
    file = resources.files("linkage.data")
    for part in path:
        file = file.joinpath(part)
    return list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8-sig"), newline="")))


def _upsert(model: type, key: str, values: dict[str, Any]) -> None:
    row = db.session.scalars(db.select(model).where(getattr(model, key) == values[key])).first()
    if row is None:
        db.session.add(model(**values))
        return
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _commune(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name": row["name"],
        "kind": CommuneKind(row["kind"]),
        "province": "Phú Thọ",
        "former_province": FORMER_PROVINCES[row["former_province"]],
        "region": Region(row["region"]),
        "area": Area(row["area"]),
        "disadvantaged": row["disadvantaged"].strip().lower() == "true",
        "note": row.get("note") or None,
    }


def _ethnic_group(row: dict[str, str]) -> dict[str, Any]:
    return {"code": row["code"], "name_vi": row["name_vi"], "name_ascii": row["name_ascii"]}


def _product(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name_vi": row["name_vi"],
        "name_en": row["name_en"],
        "scientific_name": row["scientific_name"] or None,
        "category": ProductCategory(row["category"]),
        "unit": Unit(row["unit"]),
        "form": row["form"] or None,
        "search_text": search_key(row["name_vi"], row["name_en"], row["code"]),
        "note": row.get("note") or None,
    }


def _poverty_standard(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "valid_from": date.fromisoformat(row["valid_from"]),
        "valid_to": date.fromisoformat(row["valid_to"]),
        "rural_line_vnd": int(row["rural_line_vnd"]),
        "urban_line_vnd": int(row["urban_line_vnd"]),
        "deprivation_threshold": int(row["deprivation_threshold"]),
        "source": row.get("source") or None,
    }


# (model, file, the row's values): each upserted by its code, in this order
TABLES: tuple[tuple[type, str, Callable[[dict[str, str]], dict[str, Any]]], ...] = (
    (Commune, "communes.csv", _commune),
    (EthnicGroup, "ethnic_groups.csv", _ethnic_group),
    (Product, "products.csv", _product),
    (PovertyStandard, "poverty_standards.csv", _poverty_standard),
)


def seed_reference() -> SeedCounts:
    """Insert or update communes, ethnic groups, products and poverty standards."""
    counts = []
    for model, file, values in TABLES:
        rows = data_rows(file)
        for row in rows:
            _upsert(model, "code", values(row))
        counts.append(len(rows))
    db.session.flush()
    return SeedCounts(*counts)
