"""The demo's certificates and listings (certifications.csv, listings.csv), their dates moved
with the demo's year (see `calendar`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from linkage.extensions import db
from linkage.text import word_index
from models import Certification, CertificationKind, Cooperative, Listing, ListingStatus, Product

from .calendar import DemoCalendar
from .data import optional_date, rows, words

LISTED_ON_DAY = 20  # listed from the 20th of the month before the first collections


def add_certifications(
    cooperatives: dict[str, Cooperative], products: dict[str, Product], calendar: DemoCalendar
) -> dict[str, Certification]:
    """Certificates by number: VietGAP, GACP-WHO and OCOP, some of them expired."""
    certifications = {
        row["number"]: Certification(
            cooperative=cooperatives[row["cooperative"]],
            kind=CertificationKind(row["kind"]),
            number=row["number"],
            issuer=row["issuer"],
            product=products[row["product"]],
            valid_from=calendar.shifted(date.fromisoformat(row["valid_from"])),
            valid_to=calendar.shifted(date.fromisoformat(row["valid_to"])),
        )
        for row in rows("certifications.csv")
    }
    db.session.add_all(certifications.values())
    return certifications


def add_listings(
    cooperatives: dict[str, Cooperative],
    products: dict[str, Product],
    certifications: dict[str, Certification],
    calendar: DemoCalendar,
) -> list[Listing]:
    """The cooperatives' offers, most of them active, listed a day apart."""
    listed_from = calendar.at(calendar.first_month.minus(1).first_day.replace(day=LISTED_ON_DAY))
    listings = []
    for index, row in enumerate(rows("listings.csv")):
        product = products[row["product"]]
        listed_at = listed_from + timedelta(days=index, hours=index % 5)
        harvest_start, harvest_end = (
            day and calendar.shifted(day)
            for day in (optional_date(row["harvest_start"]), optional_date(row["harvest_end"]))
        )
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
                harvest_start=harvest_start,
                harvest_end=harvest_end,
                status=ListingStatus(row["status"]),
                certifications=[certifications[n] for n in words(row["certifications"])],
                search_text=word_index(row["title"], product.name_vi, product.name_en),
                created_at=listed_at,
                updated_at=listed_at,
            )
        )
    db.session.add_all(listings)
    return listings
