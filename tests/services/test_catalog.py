"""The catalog service: accent-insensitive search, every filter and sort, visibility, provenance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from linkage.extensions import db
from linkage.services import cooperatives
from linkage.services.errors import DomainError
from linkage.services.listings import catalog
from linkage.services.listings.catalog import CatalogFilters, Sort
from linkage.services.periods import current_day
from models import (
    CertificationKind,
    CooperativeStatus,
    Listing,
    ListingStatus,
    ProductCategory,
    Region,
)

from ..factories import CooperativeFactory, ListingFactory, LotFactory, product
from ..factories_catalog import certification, listing, ship

VIET_TRI = "07900"  # a ward of Việt Trì: urban
DOAN_HUNG = "07969"  # Đoan Hùng: midland


def titles(filters: CatalogFilters) -> list[str]:
    return [item.title for item in db.session.scalars(catalog.search_listings(filters))]


@pytest.fixture
def shelf(app):
    """Four listings of real products of the province, in one approved cooperative."""
    listing("Giảo cổ lam khô Yên Trị", "PT-GIAO-CO-LAM-KHO")
    listing("Ba kích tím rút lõi", "PT-BA-KICH-KHO")
    listing("Trà hoa vàng sấy khô Tam Đảo", "PT-TRA-HOA-VANG-KHO")
    listing("Bưởi Đoan Hùng loại 1", "PT-BUOI-DOAN-HUNG")
    db.session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("giao co lam", "Giảo cổ lam khô Yên Trị"),
        ("Giảo cổ lam", "Giảo cổ lam khô Yên Trị"),
        ("GIAO CO   LAM", "Giảo cổ lam khô Yên Trị"),
        ("ba kich", "Ba kích tím rút lõi"),
        ("BA KÍCH", "Ba kích tím rút lõi"),
        ("  ba   kích  ", "Ba kích tím rút lõi"),
        ("tra hoa vang", "Trà hoa vàng sấy khô Tam Đảo"),
        ("Trà Hoa Vàng", "Trà hoa vàng sấy khô Tam Đảo"),
        ("Đoan Hùng", "Bưởi Đoan Hùng loại 1"),
        ("doan hung", "Bưởi Đoan Hùng loại 1"),
        ("đoan hùng", "Bưởi Đoan Hùng loại 1"),
        ("DOAN HUNG", "Bưởi Đoan Hùng loại 1"),
        ("buoi", "Bưởi Đoan Hùng loại 1"),
        ("pomelo", "Bưởi Đoan Hùng loại 1"),  # the English product name
        ("lam giao", "Giảo cổ lam khô Yên Trị"),  # every word, in any order
    ],
)
def test_search_ignores_accents_case_and_spaces(shelf, query, expected):
    assert titles(CatalogFilters(q=query)) == [expected]


@pytest.mark.parametrize("query", ["giao co lam xyz", "ba kich tra", "%", "_", "\\", "%_%"])
def test_search_needs_every_word_and_escapes_wildcards(shelf, query):
    assert titles(CatalogFilters(q=query)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gia", ["Giảo cổ lam khô Yên Trị"]),  # the start of a word
        ("giao c l", ["Giảo cổ lam khô Yên Trị"]),
        ("bu", ["Bưởi Đoan Hùng loại 1"]),
        ("kich", ["Ba kích tím rút lõi"]),  # a whole word inside the text
        ("ich", []),  # inside a word: not a match
        ("iao", []),
        ("ung", []),
        ("uoi", []),
        ("omelo", []),
    ],
)
def test_search_matches_words_and_word_starts_only(shelf, query, expected):
    assert titles(CatalogFilters(q=query)) == expected


@pytest.mark.parametrize("query", ["ba-kich", "(ba kich)", "ba,kich", "ba_kich", "ba%kich"])
def test_punctuation_separates_words(shelf, query):
    assert titles(CatalogFilters(q=query)) == ["Ba kích tím rút lõi"]


@pytest.mark.postgres
def test_the_trigram_index_can_serve_the_search(shelf):
    """PostgreSQL: the words' LIKE conditions are answered from the GIN trigram index."""
    statement = select(Listing.id).where(*catalog.word_conditions("giao co lam"))
    compiled = statement.compile(db.engine)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars().all()
    assert any("ix_listings_search_text_trgm" in line for line in plan), plan
    assert db.session.scalars(statement).all()  # and it finds the listing


def test_blank_search_finds_everything(shelf):
    assert len(titles(CatalogFilters(q="   "))) == 4


def test_search_matches_the_product_name_when_the_title_does_not(app):
    listing("Hàng loại 1, thu hoạch tháng 3", "PT-GIAO-CO-LAM-KHO")
    db.session.commit()
    assert titles(CatalogFilters(q="giao co lam")) == ["Hàng loại 1, thu hoạch tháng 3"]


def test_search_finds_the_listing_not_its_cooperative(app):
    """A cooperative named after a product does not bring its other listings into a search
    for the product (issue: "giao co lam" found a live chicken); the cooperative and commune
    are filters of their own."""
    herbs = CooperativeFactory(name="HTX Giảo cổ lam Tân Sơn", commune_code=DOAN_HUNG)
    listing("Giảo cổ lam 5 lá khô", "PT-GIAO-CO-LAM-KHO", cooperative=herbs)
    listing("Gà nhiều cựa Tân Sơn (gà sống)", "PT-BA-KICH-KHO", cooperative=herbs)
    db.session.commit()
    assert titles(CatalogFilters(q="giao co lam")) == ["Giảo cổ lam 5 lá khô"]
    assert titles(CatalogFilters(q="htx")) == []
    assert titles(CatalogFilters(q="doan hung")) == []  # the commune's name
    assert len(titles(CatalogFilters(cooperative=herbs.id))) == 2
    assert titles(CatalogFilters(q="ga tan son", commune=DOAN_HUNG)) == [
        "Gà nhiều cựa Tân Sơn (gà sống)"
    ]


def test_search_reads_only_the_listing_column(app):
    """No join and no OR: the words filter listings.search_text, which an index can serve."""
    sql = str(catalog.search_listings(CatalogFilters(q="giao co lam")).compile())
    where = sql.split("WHERE", 1)[1]
    assert "products.search_text" not in sql
    assert where.count("listings.search_text LIKE") == 3
    assert " OR " not in where


def test_only_visible_listings_of_approved_cooperatives(app):
    listing("Đang bán")
    listing("Hết hàng", status=ListingStatus.SOLD_OUT)
    for status in (ListingStatus.DRAFT, ListingStatus.PAUSED, ListingStatus.ARCHIVED):
        listing(f"Ẩn {status}", status=status)
    for status in (CooperativeStatus.PENDING, CooperativeStatus.SUSPENDED):
        listing(f"HTX {status}", cooperative=CooperativeFactory(status=status))
    db.session.commit()
    assert sorted(titles(CatalogFilters())) == ["Hết hàng", "Đang bán"]


def test_filters_by_product_category_commune_region_cooperative(app):
    midland = CooperativeFactory(commune_code=DOAN_HUNG)
    urban = CooperativeFactory(commune_code=VIET_TRI)
    listing("Ba kích", "PT-BA-KICH-KHO")  # Đạo Trù, mountain; processed
    listing("Bưởi", "PT-BUOI-DOAN-HUNG", cooperative=midland)  # crop
    listing("Giảo cổ lam tươi", "PT-GIAO-CO-LAM-TUOI", cooperative=urban)  # medicinal
    db.session.commit()
    assert titles(CatalogFilters(product="PT-BUOI-DOAN-HUNG")) == ["Bưởi"]
    assert titles(CatalogFilters(product="NO-SUCH-CODE")) == []
    assert titles(CatalogFilters(category=ProductCategory.MEDICINAL)) == ["Giảo cổ lam tươi"]
    assert titles(CatalogFilters(category=ProductCategory.PROCESSED)) == ["Ba kích"]
    assert titles(CatalogFilters(commune=DOAN_HUNG)) == ["Bưởi"]
    assert titles(CatalogFilters(region=Region.MOUNTAIN)) == ["Ba kích"]
    assert titles(CatalogFilters(region=Region.URBAN)) == ["Giảo cổ lam tươi"]
    assert titles(CatalogFilters(cooperative=midland.id)) == ["Bưởi"]
    assert titles(CatalogFilters(region=Region.MIDLAND, category=ProductCategory.CROP)) == ["Bưởi"]
    assert titles(CatalogFilters(region=Region.URBAN, category=ProductCategory.CROP)) == []


def test_filters_by_price_range_inclusive(app):
    for price in (100_000, 200_000, 300_000):
        listing(f"Giá {price}", unit_price_vnd=price)
    db.session.commit()
    assert titles(CatalogFilters(min_price=200_000, sort=Sort.PRICE_ASC)) == [
        "Giá 200000",
        "Giá 300000",
    ]
    assert titles(CatalogFilters(max_price=200_000, sort=Sort.PRICE_ASC)) == [
        "Giá 100000",
        "Giá 200000",
    ]
    assert titles(CatalogFilters(min_price=200_000, max_price=200_000)) == ["Giá 200000"]
    assert titles(CatalogFilters(min_price=0, max_price=0)) == []


def test_minimum_above_maximum_is_refused(app):
    with pytest.raises(DomainError) as refused:
        catalog.search_listings(CatalogFilters(min_price=300_000, max_price=200_000))
    assert refused.value.status == 422
    assert refused.value.field == "min_price"


def test_filters_by_certification_valid_today(app):
    today = current_day()
    valid = listing("Có VietGAP")
    expired = listing("VietGAP hết hạn")
    future = listing("VietGAP chưa hiệu lực")
    organic = listing("Hữu cơ")
    listing("Không chứng nhận")
    cooperative = valid.cooperative
    certification(cooperative, listings=(valid,))
    certification(
        cooperative,
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=1),
        listings=(expired,),
    )
    certification(
        cooperative,
        valid_from=today + timedelta(days=1),
        valid_to=today + timedelta(days=400),
        listings=(future,),
    )
    certification(cooperative, CertificationKind.ORGANIC, listings=(organic,))
    certification(
        cooperative,
        CertificationKind.GACP_WHO,
        valid_from=today,
        valid_to=today,
        listings=(organic,),
    )
    db.session.commit()
    assert titles(CatalogFilters(certification=CertificationKind.VIETGAP)) == ["Có VietGAP"]
    assert titles(CatalogFilters(certification=CertificationKind.ORGANIC)) == ["Hữu cơ"]
    assert titles(CatalogFilters(certification=CertificationKind.GACP_WHO)) == ["Hữu cơ"]
    assert titles(CatalogFilters(certification=CertificationKind.OCOP_5)) == []


def test_sorts_by_newest_and_price(app):
    from models import utcnow

    now = utcnow()
    listing("Cũ, rẻ", unit_price_vnd=100_000, created_at=now - timedelta(days=3))
    listing("Mới, đắt", unit_price_vnd=900_000, created_at=now - timedelta(days=1))
    listing("Giữa", unit_price_vnd=500_000, created_at=now - timedelta(days=2))
    db.session.commit()
    assert titles(CatalogFilters()) == ["Mới, đắt", "Giữa", "Cũ, rẻ"]
    assert titles(CatalogFilters(sort=Sort.PRICE_ASC)) == ["Cũ, rẻ", "Giữa", "Mới, đắt"]
    assert titles(CatalogFilters(sort=Sort.PRICE_DESC)) == ["Mới, đắt", "Giữa", "Cũ, rẻ"]


def test_equal_prices_keep_a_stable_order(app):
    items = [listing(f"Cùng giá {n}", unit_price_vnd=200_000) for n in range(3)]
    db.session.commit()
    ids = [
        i.id
        for i in db.session.scalars(catalog.search_listings(CatalogFilters(sort=Sort.PRICE_ASC)))
    ]
    assert ids == sorted(i.id for i in items)


def test_public_listing_is_404_unless_visible(app):
    shown = listing("Đang bán")
    draft = listing("Nháp", status=ListingStatus.DRAFT)
    hidden = listing(
        "HTX tạm dừng", cooperative=CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    )
    db.session.commit()
    assert catalog.get_public_listing(shown.id).title == "Đang bán"
    for listing_id in (draft.id, hidden.id, 987654):
        with pytest.raises(DomainError) as missing:
            catalog.get_public_listing(listing_id)
        assert missing.value.status == 404


def test_public_cooperative_is_404_unless_approved(app):
    approved = CooperativeFactory()
    pending = CooperativeFactory(status=CooperativeStatus.PENDING)
    suspended = CooperativeFactory(status=CooperativeStatus.SUSPENDED)
    db.session.commit()
    assert cooperatives.get_public_cooperative(approved.id).id == approved.id
    for cooperative_id in (pending.id, suspended.id, 987654):
        with pytest.raises(DomainError) as missing:
            cooperatives.get_public_cooperative(cooperative_id)
        assert missing.value.status == 404


def test_provenance_lists_shipped_lots_and_lots_in_stock(app):
    item = listing("Ba kích khô")
    cooperative = item.cooperative
    shipped_lot = LotFactory(cooperative=cooperative, code="DT-SHIP-1")
    emptied = LotFactory(
        cooperative=cooperative, code="DT-SHIP-2", quantity_remaining=Decimal("10")
    )
    in_stock = LotFactory(cooperative=cooperative, code="DT-STOCK-1")
    LotFactory(cooperative=cooperative, code="DT-EMPTY", quantity_remaining=Decimal("0"))
    LotFactory(cooperative=cooperative, code="DT-FRESH", product=product("PT-BA-KICH-TUOI"))
    LotFactory(code="OTHER-COOP")  # the same product elsewhere
    other_listing = listing("Ba kích khác", cooperative=cooperative)
    ship(item, shipped_lot, "5")
    ship(item, emptied, "10")
    ship(other_listing, in_stock, "1")  # shipped, but for another listing
    db.session.commit()
    provenance = catalog.listing_provenance(item)
    assert sorted(lot.code for lot in provenance.shipped_lots) == ["DT-SHIP-1", "DT-SHIP-2"]
    assert sorted(lot.code for lot in provenance.stock_lots) == ["DT-SHIP-1", "DT-STOCK-1"]


def test_provenance_is_bounded(app):
    item = listing("Ba kích khô")
    for number in range(5):
        LotFactory(cooperative=item.cooperative, code=f"DT-MANY-{number}")
    db.session.commit()
    assert len(catalog.listing_provenance(item, limit=3).stock_lots) == 3


def test_cooperative_options_narrow_by_place_and_keep_the_selected_one(app):
    seller = CooperativeFactory(name="HTX Bán Hàng", commune_code=DOAN_HUNG)
    idle = CooperativeFactory(name="HTX Chưa Bán")
    ListingFactory(cooperative=seller)
    pending = CooperativeFactory(name="HTX Chờ Duyệt", status=CooperativeStatus.PENDING)
    ListingFactory(cooperative=pending)
    db.session.commit()

    def names(**kwargs):
        rows, complete = catalog.cooperative_options(**kwargs)
        assert complete
        return [c.name for c in rows]

    assert names() == ["HTX Bán Hàng"]
    assert names(region=Region.MOUNTAIN) == []
    assert names(region=Region.MIDLAND) == ["HTX Bán Hàng"]
    assert names(commune=DOAN_HUNG) == ["HTX Bán Hàng"]
    assert names(selected=idle.id) == ["HTX Bán Hàng", "HTX Chưa Bán"]
    assert names(selected=pending.id) == ["HTX Bán Hàng"]


def test_too_many_cooperatives_offer_only_the_selected_one(app):
    sellers = [CooperativeFactory(name=f"HTX {n}") for n in range(3)]
    for cooperative in sellers:
        ListingFactory(cooperative=cooperative)
    db.session.commit()
    rows, complete = catalog.cooperative_options(limit=2)
    assert (rows, complete) == ([], False)
    rows, complete = catalog.cooperative_options(limit=2, selected=sellers[1].id)
    assert ([c.name for c in rows], complete) == (["HTX 1"], False)
    assert catalog.cooperative_options(limit=3)[1] is True


def test_options_are_in_vietnamese_alphabetical_order(app):
    names = [p.name_vi for p in catalog.product_options()]
    assert len(names) == 33
    assert names.index("Đông trùng hạ thảo Tam Đảo (sấy khô)") < names.index("Gà nhiều cựa Tân Sơn")
    communes = catalog.commune_options()
    assert len(communes) == 148
