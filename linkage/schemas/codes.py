"""The reference codes a request may name, read once from linkage/data's CSV files (the same
files `flask seed reference` loads): the OpenAPI document lists them as enums, so a request
the document allows names a commune, product or ethnic group that exists. An ethnic group is
named in the API by its official Vietnamese name, as the reference lists it; the pages and
the CSV import read a name leniently (with or without diacritics, in any case, other
spellings in use: linkage.services.households.ethnicity)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from linkage.seed.reference import data_rows

COMMUNE_CODES = sorted({row["code"] for row in data_rows("communes.csv")})
PRODUCT_CODES = sorted({row["code"] for row in data_rows("products.csv")})
# the 54 groups in the reference's order (by code: Kinh first)
ETHNIC_GROUP_NAMES = [row["name_vi"] for row in data_rows("ethnic_groups.csv")]


def one_of(choices: list[str], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Unknown {what}: use one of the document's enum.")


def commune_code(**kwargs: Any) -> fields.String:
    """A commune code of the province (its 5 digits)."""
    return fields.String(
        validate=one_of(COMMUNE_CODES, "commune code"),
        metadata={"example": "08914", **kwargs.pop("metadata", {})},
        **kwargs,
    )


def product_code(**kwargs: Any) -> fields.String:
    """A product code of the catalogue."""
    return fields.String(
        validate=one_of(PRODUCT_CODES, "product code"),
        metadata={"example": "PT-BA-KICH-TUOI", **kwargs.pop("metadata", {})},
        **kwargs,
    )


def ethnicity(**kwargs: Any) -> fields.String:
    """An ethnic group by its official Vietnamese name (one of the 54)."""
    return fields.String(
        validate=one_of(ETHNIC_GROUP_NAMES, "ethnic group"),
        metadata={"example": "Dao", **kwargs.pop("metadata", {})},
        **kwargs,
    )
