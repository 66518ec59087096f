"""Listings service: field rules, stock, status transitions, scope and audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from linkage.extensions import db
from linkage.services import listings
from linkage.services.errors import DomainError
from models import AuditEntry, CooperativeStatus, Listing, ListingStatus

from ..factories import CooperativeFactory
from ..factories_listings import CertificationFactory, ListingFactory

DRAFT, ACTIVE, PAUSED, SOLD_OUT, ARCHIVED = (
    ListingStatus.DRAFT,
    ListingStatus.ACTIVE,
    ListingStatus.PAUSED,
    ListingStatus.SOLD_OUT,
    ListingStatus.ARCHIVED,
)


def _data(**overrides):
    data = {
        "product_code": "PT-BA-KICH-KHO",
        "title": "Ba kích khô rút lõi loại 1",
        "description": "Sấy dưới 60 °C.",
        "grade": "Loại 1",
        "unit_price_vnd": 520_000,
        "quantity_available": Decimal("180.5"),
        "min_order_quantity": Decimal("5"),
        "harvest_start": date(2025, 10, 1),
        "harvest_end": date(2026, 3, 31),
        "certifications": [],
    }
    data.update(overrides)
    return data


def _counts():
    return (
        db.session.scalar(db.select(db.func.count(Listing.id))),
        db.session.scalar(db.select(db.func.count(AuditEntry.id))),
    )


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated for the request's language: services run inside one."""
    with app.test_request_context():
        yield


@pytest.fixture
def manager(make_user):
    return make_user("manager")


def test_create_a_draft_with_certifications_and_audit(manager):
    cooperative = manager.cooperatives[0]
    certificate = CertificationFactory(cooperative=cooperative)
    listing = listings.create_listing(manager, cooperative, _data(certifications=[certificate.id]))
    db.session.commit()
    assert listing.status == DRAFT
    assert listing.quantity_available == Decimal("180.500")
    assert listing.product.code == "PT-BA-KICH-KHO"
    assert listing.certifications == [certificate]
    assert "ba kich kho rut loi loai 1" in listing.search_text
    assert "morinda" in listing.search_text  # the product's English name is searchable too
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        "create",
        "listing",
        str(listing.id),
    )
    assert entry.actor_id == manager.id
    assert entry.new_values["certifications"] == [certificate.id]
    assert entry.new_values["quantity_available"] == "180.500"


def test_create_active_for_an_approved_cooperative(manager):
    listing = listings.create_listing(manager, manager.cooperatives[0], _data(status="active"))
    assert listing.status == ACTIVE


def test_defaults_min_order_to_one_and_description_to_empty(manager):
    data = _data()
    del data["min_order_quantity"], data["description"], data["grade"]
    listing = listings.create_listing(manager, manager.cooperatives[0], data)
    assert listing.min_order_quantity == Decimal("1.000")
    assert listing.description == ""
    assert listing.grade is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"grade": "x" * 41}, "grade"),
        ({"unit_price_vnd": -1}, "unit_price_vnd"),
        ({"unit_price_vnd": "520000"}, "unit_price_vnd"),
        ({"quantity_available": Decimal("-0.001")}, "quantity_available"),
        ({"quantity_available": Decimal("1.0005")}, "quantity_available"),
        ({"quantity_available": None}, "quantity_available"),
        ({"min_order_quantity": Decimal("0")}, "min_order_quantity"),
        ({"harvest_start": date(2026, 1, 2), "harvest_end": date(2026, 1, 1)}, "harvest_end"),
        ({"product_code": "PT-NO-SUCH"}, "product_code"),
        ({"product_code": ""}, "product_code"),
        ({"status": "paused"}, "status"),
        ({"status": "sold_out"}, "status"),
        ({"title": "bad\x00title"}, "title"),
    ],
)
def test_create_refuses_invalid_fields_and_writes_nothing(manager, overrides, field):
    before = _counts()
    with pytest.raises(DomainError) as caught:
        listings.create_listing(manager, manager.cooperatives[0], _data(**overrides))
    assert (caught.value.status, caught.value.field) == (422, field)
    db.session.rollback()
    assert _counts() == before


def test_an_unknown_certification_is_404(manager):
    before = _counts()
    with pytest.raises(DomainError) as caught:
        listings.create_listing(manager, manager.cooperatives[0], _data(certifications=[424242]))
    assert (caught.value.status, caught.value.field) == (404, "certifications")  # none of yours
    db.session.rollback()
    assert _counts() == before


def test_certifications_must_be_the_cooperatives_own(manager):
    other = CertificationFactory()  # another cooperative's certificate
    with pytest.raises(DomainError) as caught:
        listings.create_listing(manager, manager.cooperatives[0], _data(certifications=[other.id]))
    assert (caught.value.status, caught.value.field) == (404, "certifications")  # not yours


def test_a_pending_cooperative_prepares_drafts_but_cannot_sell(manager):
    cooperative = manager.cooperatives[0]
    cooperative.status = CooperativeStatus.PENDING
    db.session.commit()
    before = _counts()
    with pytest.raises(DomainError) as caught:
        listings.create_listing(manager, cooperative, _data(status="active"))
    assert caught.value.status == 409
    db.session.rollback()
    assert _counts() == before
    draft = listings.create_listing(manager, cooperative, _data())
    with pytest.raises(DomainError) as caught:
        listings.set_listing_status(manager, draft, ACTIVE)
    assert caught.value.status == 409
    assert draft.status == DRAFT


def test_activating_without_stock_is_refused(manager):
    with pytest.raises(DomainError) as caught:
        listings.create_listing(
            manager, manager.cooperatives[0], _data(status="active", quantity_available=0)
        )
    assert (caught.value.status, caught.value.field) == (409, "quantity_available")


def test_managers_of_another_cooperative_get_404(manager, make_user):
    other = make_user("manager")
    listing = ListingFactory(cooperative=other.cooperatives[0])
    db.session.commit()
    for call in (
        lambda: listings.get_listing_for(manager, listing.id),
        lambda: listings.create_listing(manager, other.cooperatives[0], _data()),
        lambda: listings.update_listing(manager, listing, {"title": "Mine now"}),
        lambda: listings.set_listing_status(manager, listing, PAUSED),
    ):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.status == 404
    with pytest.raises(DomainError):
        listings.get_listing_for(other, listing.id, cooperative_id=manager.cooperatives[0].id)
    assert listings.get_listing_for(make_user("admin"), listing.id) is listing


def test_update_changes_only_the_given_fields_and_audits_the_difference(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0], grade="Loại 1")
    db.session.commit()
    listings.update_listing(manager, listing, {"title": "Ba kích tím Đạo Trù", "grade": None})
    db.session.commit()
    assert listing.title == "Ba kích tím Đạo Trù"
    assert listing.grade is None
    assert listing.unit_price_vnd == 520_000
    assert listing.search_text.startswith(" ba kich tim dao tru ")
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.action == "update"
    assert set(entry.new_values) == {"title", "grade"}
    assert entry.old_values["grade"] == "Loại 1"
    listings.update_listing(manager, listing, {"title": "Ba kích tím Đạo Trù"})
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 1  # nothing changed


def test_update_replaces_certifications(manager):
    cooperative = manager.cooperatives[0]
    first, second = (
        CertificationFactory(cooperative=cooperative),
        CertificationFactory(cooperative=cooperative),
    )
    listing = ListingFactory(cooperative=cooperative, certifications=[first])
    listings.update_listing(manager, listing, {"certifications": [second.id]})
    assert listing.certifications == [second]
    with pytest.raises(DomainError) as caught:
        listings.update_listing(manager, listing, {"certifications": [CertificationFactory().id]})
    assert caught.value.field == "certifications"


def test_update_checks_the_merged_harvest_window(manager):
    listing = ListingFactory(
        cooperative=manager.cooperatives[0], harvest_start=date(2026, 1, 1), harvest_end=None
    )
    with pytest.raises(DomainError) as caught:
        listings.update_listing(manager, listing, {"harvest_end": date(2025, 12, 31)})
    assert (caught.value.status, caught.value.field) == (422, "harvest_end")


def test_the_product_changes_only_on_drafts(manager):
    cooperative = manager.cooperatives[0]
    draft = ListingFactory(cooperative=cooperative, status=DRAFT)
    listings.update_listing(manager, draft, {"product_code": "PT-BA-KICH-TUOI"})
    assert draft.product.code == "PT-BA-KICH-TUOI"
    assert "fresh" in draft.search_text
    active = ListingFactory(cooperative=cooperative)
    with pytest.raises(DomainError) as caught:
        listings.update_listing(manager, active, {"product_code": "PT-BA-KICH-TUOI"})
    assert (caught.value.status, caught.value.field) == (409, "product_code")


def test_an_archived_listing_cannot_be_changed(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0], status=ARCHIVED)
    with pytest.raises(DomainError) as caught:
        listings.update_listing(manager, listing, {"title": "Again"})
    assert caught.value.status == 409


def test_stock_at_zero_sells_out_and_new_stock_puts_it_back_on_sale(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    listings.update_listing(manager, listing, {"quantity_available": Decimal("0")})
    assert listing.status == SOLD_OUT
    listings.update_listing(manager, listing, {"quantity_available": Decimal("12.5")})
    assert (listing.status, listing.quantity_available) == (ACTIVE, Decimal("12.500"))
    statuses = [
        (e.old_values.get("status"), e.new_values.get("status"))
        for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert statuses == [("active", "sold_out"), ("sold_out", "active")]


def test_restocking_a_suspended_cooperatives_listing_pauses_it(manager):
    cooperative = manager.cooperatives[0]
    listing = ListingFactory(cooperative=cooperative, status=SOLD_OUT, quantity_available=0)
    cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    listings.update_listing(manager, listing, {"quantity_available": Decimal("10")})
    assert listing.status == PAUSED


def test_paused_and_draft_listings_keep_their_status_at_zero(manager):
    cooperative = manager.cooperatives[0]
    for status in (PAUSED, DRAFT):
        listing = ListingFactory(cooperative=cooperative, status=status)
        listings.update_listing(manager, listing, {"quantity_available": Decimal("0")})
        assert listing.status == status


def test_stock_replaced_only_if_unchanged_since_the_form_was_read(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        listings.update_listing(
            manager,
            listing,
            {"quantity_available": Decimal("50")},
            expected_quantity=Decimal("99"),
        )
    assert (caught.value.status, caught.value.field) == (409, "quantity_available")
    db.session.rollback()
    assert db.session.get(Listing, listing.id).quantity_available == Decimal("100.000")
    listings.update_listing(
        manager, listing, {"quantity_available": Decimal("50")}, expected_quantity=Decimal("100")
    )
    assert listing.quantity_available == Decimal("50.000")


def test_a_stock_left_as_shown_keeps_its_current_value(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0], quantity_available=40)
    db.session.commit()
    # the form showed 50, an order took 10 meanwhile, the editor changed the title only
    listings.update_listing(
        manager,
        listing,
        {"title": "Ba kích tím", "quantity_available": Decimal("50")},
        expected_quantity=Decimal("50"),
    )
    assert (listing.title, listing.quantity_available) == ("Ba kích tím", Decimal("40.000"))


ALLOWED = [
    (DRAFT, ACTIVE),
    (DRAFT, ARCHIVED),
    (ACTIVE, PAUSED),
    (ACTIVE, ARCHIVED),
    (PAUSED, ACTIVE),
    (PAUSED, ARCHIVED),
    (SOLD_OUT, ARCHIVED),
]
REFUSED = [
    (DRAFT, PAUSED),
    (DRAFT, SOLD_OUT),
    (ACTIVE, DRAFT),
    (ACTIVE, SOLD_OUT),
    (PAUSED, DRAFT),
    (PAUSED, SOLD_OUT),
    (SOLD_OUT, ACTIVE),
    (SOLD_OUT, PAUSED),
    (ARCHIVED, ACTIVE),
    (ARCHIVED, DRAFT),
    (ARCHIVED, PAUSED),
]


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=lambda s: s.value)
def test_allowed_transitions_are_audited(manager, old, new):
    listing = ListingFactory(cooperative=manager.cooperatives[0], status=old)
    db.session.commit()
    listings.set_listing_status(manager, listing, new)
    db.session.commit()
    assert db.session.get(Listing, listing.id).status == new
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.old_values, entry.new_values) == ({"status": old.value}, {"status": new.value})


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=lambda s: s.value)
def test_refused_transitions_are_409_and_write_nothing(manager, old, new):
    listing = ListingFactory(cooperative=manager.cooperatives[0], status=old)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        listings.set_listing_status(manager, listing, new)
    assert caught.value.status == 409
    db.session.rollback()
    assert db.session.get(Listing, listing.id).status == old
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_setting_the_same_status_changes_nothing(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    listings.set_listing_status(manager, listing, ACTIVE)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0


def test_update_with_status_goes_through_the_transitions(manager):
    listing = ListingFactory(cooperative=manager.cooperatives[0])
    listings.update_listing(manager, listing, {"unit_price_vnd": 500_000, "status": "paused"})
    assert (listing.unit_price_vnd, listing.status) == (500_000, PAUSED)
    with pytest.raises(DomainError) as caught:
        listings.update_listing(manager, listing, {"status": "draft"})
    assert caught.value.status == 409


def test_cooperative_listings_query_filters_by_status(manager):
    cooperative = manager.cooperatives[0]
    ListingFactory(cooperative=cooperative, status=DRAFT)
    active = ListingFactory(cooperative=cooperative)
    ListingFactory(cooperative=CooperativeFactory())
    everything = db.session.scalars(listings.cooperative_listings_query(cooperative)).all()
    assert len(everything) == 2
    only = db.session.scalars(
        listings.cooperative_listings_query(cooperative, status="active")
    ).all()
    assert only == [active]
