"""The CSV files behind the seeds: shipped with the package, and the demo's tables name only
records that exist (checked without a database, so a typo in a file is found at once)."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import linkage
from linkage.seed.demo.data import rows, words
from linkage.seed.reference import data_rows
from models import BuyerKind, CertificationKind, ListingStatus, Process, Role

PACKAGE = Path(linkage.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"


def _codes(name: str, column: str = "code") -> set[str]:
    return {row[column] for row in data_rows(name)}


def test_every_data_file_is_shipped_with_the_package():
    settings = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    patterns = settings["tool"]["setuptools"]["package-data"]["linkage"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    data = set((PACKAGE / "data").rglob("*.csv"))

    assert {path.relative_to(PACKAGE) for path in data} >= {
        Path("data/products.csv"),
        Path("data/demo/cooperatives.csv"),
    }
    assert sorted(str(path.relative_to(PACKAGE)) for path in data - shipped) == []


def test_demo_cooperatives_and_users_refer_to_each_other():
    cooperatives = rows("cooperatives.csv")
    users = rows("users.csv")
    keys = [row["key"] for row in cooperatives]
    emails = [row["email"] for row in users]
    communes = _codes("communes.csv")

    assert len(set(keys)) == len(keys) and len(set(emails)) == len(emails)
    assert Counter(row["role"] for row in users)[Role.ADMIN] == 1
    for row in users:
        role = Role(row["role"])
        managed = words(row["cooperatives"])
        assert set(managed) <= set(keys), row["email"]
        assert not managed or role == Role.MANAGER, row["email"]
        assert set(words(row["communes"])) <= communes, row["email"]
        assert bool(row["organisation"]) == (role == Role.BUYER), row["email"]
        if row["buyer_kind"]:
            BuyerKind(row["buyer_kind"])
    for row in cooperatives:
        # registered by a user listed before its managers, so they can be linked to it
        registrant = emails.index(row["registered_by"])
        managers = [i for i, user in enumerate(users) if row["key"] in words(user["cooperatives"])]
        assert all(registrant < i for i in managers), row["key"]
        assert row["contact_email"] in emails, row["key"]
        assert row["commune_code"] in communes, row["key"]
        assert datetime.fromisoformat(row["registered_at"]).tzinfo is not None, row["key"]


def test_demo_memberships_refer_to_known_communes_and_groups():
    with_households = {row["key"] for row in rows("cooperatives.csv") if int(row["households"])}
    communes = _codes("communes.csv")
    groups = _codes("ethnic_groups.csv")
    products = _codes("products.csv")

    for row in rows("cooperatives.csv"):
        if row["key"] in with_households:
            assert row["main_product"] in products and int(row["founded"]) <= 2025, row["key"]
    for name, column, known in (
        ("member_communes.csv", "commune_code", communes),
        ("ethnic_mix.csv", "ethnic_group_code", groups),
    ):
        table = rows(name)
        assert {row["cooperative"] for row in table} == with_households, name
        for row in table:
            assert row[column] in known and int(row["weight"]) > 0, (name, row)
    for row in rows("dual_memberships.csv"):
        assert {row["cooperative"], row["also_member_of"]} <= with_households, row
    names = {(row["ethnic_group"], row["part"]): words(row["names"]) for row in rows("names.csv")}
    assert {group for group, _ in names} <= groups
    assert all(names[("01", part)] for part in ("surname", "male", "female", "middle_male"))


def test_demo_listings_name_their_own_certificates():
    keys = {row["key"] for row in rows("cooperatives.csv")}
    products = _codes("products.csv")
    holders = {}
    for row in rows("certifications.csv"):
        CertificationKind(row["kind"])
        assert row["cooperative"] in keys and row["product"] in products, row["number"]
        assert date.fromisoformat(row["valid_from"]) < date.fromisoformat(row["valid_to"])
        holders[row["number"]] = row["cooperative"]

    for row in rows("listings.csv"):
        ListingStatus(row["status"])
        assert row["cooperative"] in keys and row["product"] in products, row["title"]
        assert int(row["unit_price_vnd"]) > 0 and Decimal(row["min_order"]) > 0, row["title"]
        assert Decimal(row["quantity"]) >= 0, row["title"]
        assert bool(row["harvest_start"]) == bool(row["harvest_end"]), row["title"]
        for number in words(row["certifications"]):
            assert holders[number] == row["cooperative"], (row["title"], number)


def test_demo_chains_collect_and_make_known_products():
    keys = {row["key"] for row in rows("cooperatives.csv")}
    products = _codes("products.csv")

    for row in rows("chains.csv"):
        assert row["cooperative"] in keys, row
        assert {row["product"], row["output"]} <= products, row
        assert Process(row["process"]) in (Process.DRYING, Process.SORTING), row
        months = [int(m) for m in words(row["months"]) + words(row["off_months"])]
        assert months and all(1 <= m <= 12 for m in months), row
        assert int(row["price_min"]) <= int(row["price_max"]), row
        assert 0 < float(row["yield_min"]) <= float(row["yield_max"]) <= 1, row
        assert bool(row["moisture_min"]) == bool(row["moisture_max"]), row


@pytest.mark.parametrize(
    "name",
    sorted(path.name for path in (PACKAGE / "data" / "demo").glob("*.csv")),
)
def test_demo_files_are_plain_utf8_without_blank_cells_in_the_key(name):
    text = (PACKAGE / "data" / "demo" / name).read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff") and "\r" not in text
    table = rows(name)
    assert table, name
    first = next(iter(table[0]))
    assert all(row[first] for row in table), name
