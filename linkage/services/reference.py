"""Reading reference data: communes, products, poverty standards, ethnic groups."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select

from linkage.extensions import db
from models import Commune, EthnicGroup, PovertyStandard, Product, ProductCategory, Region


def communes_query(*, region: Region | None = None, q: str | None = None) -> Select:
    statement = db.select(Commune).order_by(Commune.code)
    if region is not None:
        statement = statement.where(Commune.region == region)
    if q:
        statement = statement.where(Commune.name.ilike(f"%{q}%"))
    return statement


def products_query(*, category: ProductCategory | None = None) -> Select:
    statement = db.select(Product).order_by(Product.code)
    if category is not None:
        statement = statement.where(Product.category == category)
    return statement


def poverty_standards_query() -> Select:
    return db.select(PovertyStandard).order_by(PovertyStandard.valid_from)


def standard_in_force(day: date) -> PovertyStandard | None:
    """The poverty standard whose validity covers `day`."""
    return db.session.scalars(
        db.select(PovertyStandard).where(
            PovertyStandard.valid_from <= day, PovertyStandard.valid_to >= day
        )
    ).first()


def ethnic_groups() -> list[EthnicGroup]:
    return list(db.session.scalars(db.select(EthnicGroup).order_by(EthnicGroup.code)))
