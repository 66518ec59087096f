"""The demo's certificates and listings (certifications.csv, listings.csv)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from linkage.extensions import db
from linkage.text import search_key
from models import Certification, CertificationKind, Cooperative, Listing, ListingStatus, Product

from .data import optional_date, rows, words

LISTED_FROM = datetime(2025, 4, 20, 2, 0, tzinfo=UTC)


def add_certifications(
    cooperatives: dict[str, Cooperative], products: dict[str, Product]
) -> dict[str, Certification]:
    """Certificates by number: VietGAP, GACP-WHO and OCOP, some of them expired."""
    certifications = {
        row["number"]: Certification(
            cooperative=cooperatives[row["cooperative"]],
            kind=CertificationKind(row["kind"]),
            number=row["number"],
            issuer=row["issuer"],
            product=products[row["product"]],
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=date.fromisoformat(row["valid_to"]),
        )
        for row in rows("certifications.csv")
    }
    db.session.add_all(certifications.values())
    return certifications


def add_listings(
    cooperatives: dict[str, Cooperative],
    products: dict[str, Product],
    certifications: dict[str, Certification],
) -> list[Listing]:
    """The cooperatives' offers, most of them active, listed a day apart."""
    listings = []
    for index, row in enumerate(rows("listings.csv")):
        product = products[row["product"]]
        listed_at = LISTED_FROM + timedelta(days=index, hours=index % 5)
        listings.append(
            Listing(
                cooperative=cooperatives[row["cooperative"]],
                product=product,
                title=row["title"],
                description=row["description"],
                grade=row["grade"] or None,
                unit_price_vnd=int(row["unit_price_vnd"]),
                quantity_available=Decimal(row["quantity"]),
                min_order_quantity=Decimal(row["min_order"]),
                harvest_start=optional_date(row["harvest_start"]),
                harvest_end=optional_date(row["harvest_end"]),
                status=ListingStatus(row["status"]),
                certifications=[certifications[n] for n in words(row["certifications"])],
                search_text=search_key(row["title"], product.name_vi, product.name_en),
                created_at=listed_at,
                updated_at=listed_at,
            )
        )
    db.session.add_all(listings)
    return listings
