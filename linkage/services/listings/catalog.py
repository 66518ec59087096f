"""The public catalog: active listings of approved cooperatives, searched and filtered.

Search ignores accents and case alike on SQLite and PostgreSQL, and finds words or the start of
words: a listing keeps its words (its title's and its product's names) folded in `search_text`
with a space at both ends (linkage.text.word_index), the query is split into words the same
way, and each word is matched as `LIKE '% word%'`: "giao co lam" finds "Giảo cổ lam", and "ich"
does not find "kích". Only the listing's own column is searched (no join, no OR), so the
trigram index of PostgreSQL (migration 0006) can serve the search; the cooperative and the
commune are filters of their own.

Nothing here reads a household: buyers and the public never see one (DESIGN 4.4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from linkage.extensions import db
from linkage.services.errors import Invalid, NotFound
from linkage.services.periods import current_day
from linkage.text import fold, search_words
from models import (
    Certification,
    CertificationKind,
    Commune,
    Cooperative,
    CooperativeStatus,
    Listing,
    ListingStatus,
    Lot,
    LotAllocation,
    OrderLine,
    Product,
    ProductCategory,
    Region,
    listing_certifications,
)

VISIBLE_STATUSES = (ListingStatus.ACTIVE, ListingStatus.SOLD_OUT)
MAX_WORDS = 8
PROVENANCE_LOTS = 20


class Sort(enum.StrEnum):
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"


@dataclass(frozen=True)
class CatalogFilters:
    q: str | None = None
    product: str | None = None
    category: ProductCategory | None = None
    commune: str | None = None
    region: Region | None = None
    certification: CertificationKind | None = None
    cooperative: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    sort: Sort = Sort.NEWEST


@dataclass(frozen=True)
class Provenance:
    """The lots a listing has shipped from, and the cooperative's lots of it in stock."""

    shipped_lots: list[Lot]
    stock_lots: list[Lot]


def _word_start(word: str) -> str:
    """The LIKE pattern of a word or the start of a word in a `word_index` text."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"


def _printable(text: str | None) -> str:
    """The text without control characters (PostgreSQL refuses NUL in a parameter)."""
    return "".join(ch if ch.isprintable() else " " for ch in text or "")


@lru_cache(maxsize=16384)
def _folded(name: str) -> str:
    """fold() of a name; a pure function, so caching it per process is safe."""
    return fold(name)


def visible_listings() -> Select:
    """Active (or sold-out) listings of approved cooperatives: what buyers may see.

    Only the cooperative is joined: a count over tens of thousands of listings pays for every
    join, so filters join the product and commune when they need them. The product and the
    commune come with each row by joined eager loading (left out of counting subqueries).
    """
    return (
        select(Listing)
        .join(Listing.cooperative)
        .where(
            Listing.status.in_(VISIBLE_STATUSES),
            Cooperative.status == CooperativeStatus.APPROVED,
        )
        .options(
            joinedload(Listing.product, innerjoin=True),
            contains_eager(Listing.cooperative).joinedload(Cooperative.commune, innerjoin=True),
        )
    )


def word_conditions(q: str | None) -> list[ColumnElement[bool]]:
    """One condition per word of the query (at most MAX_WORDS): the listing has a word that
    starts with it. A query of punctuation only finds nothing; a blank one, everything."""
    text = _printable(q)
    words = list(dict.fromkeys(search_words(text)))[:MAX_WORDS]
    if not words:
        return [false()] if text.strip() else []
    return [Listing.search_text.like(_word_start(word), escape="\\") for word in words]


def check_price_range(min_price: int | None, max_price: int | None) -> None:
    """A minimum above the maximum is refused (422) rather than silently finding nothing."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise Invalid(
            _("The minimum price must not be above the maximum price."),
            field="min_price",
        )


def search_listings(filters: CatalogFilters, today: date | None = None) -> Select:
    """The catalog query for these filters, with what a result card shows eagerly loaded."""
    check_price_range(filters.min_price, filters.max_price)
    statement = visible_listings()
    if words := word_conditions(filters.q):
        statement = statement.where(*words)
    if filters.product or filters.category:
        statement = statement.join(Listing.product)
    if filters.product:
        statement = statement.where(Product.code == _printable(filters.product))
    if filters.category:
        statement = statement.where(Product.category == filters.category)
    if filters.commune:
        statement = statement.where(Cooperative.commune_code == _printable(filters.commune))
    if filters.region:
        statement = statement.join(Cooperative.commune).where(Commune.region == filters.region)
    if filters.cooperative:
        statement = statement.where(Listing.cooperative_id == filters.cooperative)
    if filters.min_price is not None:
        statement = statement.where(Listing.unit_price_vnd >= filters.min_price)
    if filters.max_price is not None:
        statement = statement.where(Listing.unit_price_vnd <= filters.max_price)
    if filters.certification:
        day = today or current_day()
        statement = statement.where(
            exists()
            .where(listing_certifications.c.listing_id == Listing.id)
            .where(listing_certifications.c.certification_id == Certification.id)
            .where(
                Certification.kind == filters.certification,
                Certification.valid_from <= day,
                Certification.valid_to >= day,
            )
        )
    order = {
        Sort.NEWEST: (Listing.created_at.desc(), Listing.id.desc()),
        Sort.PRICE_ASC: (Listing.unit_price_vnd.asc(), Listing.id.asc()),
        Sort.PRICE_DESC: (Listing.unit_price_vnd.desc(), Listing.id.desc()),
    }[filters.sort]
    return statement.order_by(*order).options(selectinload(Listing.certifications))


def get_public_listing(listing_id: int) -> Listing:
    """A listing buyers may see; 404 otherwise."""
    listing = db.session.scalars(
        visible_listings()
        .where(Listing.id == listing_id)
        .options(selectinload(Listing.certifications))
    ).first()
    if listing is None:
        raise NotFound(_("Listing not found."))
    return listing


def listing_provenance(listing: Listing, limit: int = PROVENANCE_LOTS) -> Provenance:
    """The latest lots shipped against this listing's orders, and the lots in stock for it."""
    own_lots = (Lot.cooperative_id == listing.cooperative_id, Lot.product_id == listing.product_id)
    shipped_ids = (
        select(LotAllocation.lot_id)
        .join(LotAllocation.order_line)
        .where(OrderLine.listing_id == listing.id)
    )
    shipped = db.session.scalars(
        select(Lot)
        .where(Lot.id.in_(shipped_ids), *own_lots)
        .order_by(Lot.created_at.desc(), Lot.id.desc())
        .limit(limit)
    ).all()
    in_stock = db.session.scalars(
        select(Lot)
        .where(*own_lots, Lot.quantity_remaining > 0)
        .order_by(Lot.created_at.desc(), Lot.id.desc())
        .limit(limit)
    ).all()
    return Provenance(shipped_lots=list(shipped), stock_lots=list(in_stock))


def product_options() -> list[Product]:
    """Products for the filter, in Vietnamese alphabetical order (accents ignored)."""
    products = db.session.scalars(
        select(Product).options(load_only(Product.code, Product.name_vi, Product.name_en))
    ).all()
    return sorted(products, key=lambda p: (_folded(p.name_vi), p.code))


def commune_options() -> list[Commune]:
    """Communes for the filter, in alphabetical order (accents ignored)."""
    communes = db.session.scalars(
        select(Commune).options(load_only(Commune.code, Commune.name))
    ).all()
    return sorted(communes, key=lambda c: (_folded(c.name), c.code))


def cooperative_options(
    *,
    commune: str | None = None,
    region: Region | None = None,
    selected: int | None = None,
    limit: int = 60,
) -> tuple[list[Cooperative], bool]:
    """Approved cooperatives with something in the catalog (in the commune or region chosen),
    and whether that is all of them.

    A province holds thousands: past `limit` a select is of no use (and costly), so only the
    selected cooperative is offered and the caller asks for a commune first.
    """
    has_listing = exists().where(
        Listing.cooperative_id == Cooperative.id, Listing.status.in_(VISIBLE_STATUSES)
    )
    statement = (
        select(Cooperative)
        .where(Cooperative.status == CooperativeStatus.APPROVED, has_listing)
        .options(load_only(Cooperative.id, Cooperative.name))
        .limit(limit + 1)  # no ORDER BY: the database may stop at the first limit + 1
    )
    if commune:
        statement = statement.where(Cooperative.commune_code == commune)
    if region:
        statement = statement.join(Cooperative.commune).where(Commune.region == region)
    rows = list(db.session.scalars(statement))
    complete = len(rows) <= limit
    if not complete:
        rows = [c for c in rows if c.id == selected]
    if selected and all(c.id != selected for c in rows):
        chosen = db.session.scalars(
            select(Cooperative)
            .where(Cooperative.id == selected, Cooperative.status == CooperativeStatus.APPROVED)
            .options(load_only(Cooperative.id, Cooperative.name))
        ).first()
        rows += [chosen] if chosen is not None else []
    return sorted(rows, key=lambda c: (_folded(c.name), c.id)), complete
