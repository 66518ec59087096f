"""The small rules the service packages share: audit helpers, the manager check, and the
value-chain checks every form and the API go through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from linkage.extensions import db
from linkage.services import audit
from linkage.services.errors import Invalid, NotFound
from linkage.services.scope import require_manager
from linkage.services.valuechain import checks
from models import AuditAction, AuditEntry

from ..factories import CooperativeFactory


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# --- audit -------------------------------------------------------------------------------------


def test_record_created_flushes_and_keeps_the_named_fields(make_user):
    admin = make_user("admin")
    cooperative = CooperativeFactory.build(name="HTX Thử", description="mới")
    db.session.add(cooperative)
    assert cooperative.id is None

    audit.record_created(admin, "cooperative", cooperative, ("name", "status"))

    assert cooperative.id is not None
    [entry] = entries()
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.CREATE,
        "cooperative",
        str(cooperative.id),
    )
    assert entry.new_values == {"name": "HTX Thử", "status": cooperative.status.value}
    assert entry.old_values is None


def test_record_update_keeps_only_what_changed(make_user):
    admin = make_user("admin")
    old = {"title": "Ba kích", "grade": "A", "price": 100}
    new = {"title": "Ba kích", "grade": "B", "price": 120}

    entry = audit.record_update(admin, "listing", 7, old, new)

    assert entry is not None
    assert entries() == [entry]
    assert entry.action == AuditAction.UPDATE
    assert entry.old_values == {"grade": "A", "price": 100}
    assert entry.new_values == {"grade": "B", "price": 120}


def test_record_update_writes_nothing_when_nothing_changed(make_user):
    admin = make_user("admin")
    assert audit.record_update(admin, "listing", 7, {"grade": "A"}, {"grade": "A"}) is None
    assert entries() == []


# --- the manager check -------------------------------------------------------------------------


def test_require_manager_lets_the_managers_and_admins_through(make_user):
    manager = make_user("manager")
    cooperative_id = manager.cooperatives[0].id
    require_manager(manager, cooperative_id)
    require_manager(make_user("admin"), cooperative_id)


@pytest.mark.parametrize("role", ["manager", "official", "buyer"])
def test_require_manager_answers_404_to_anyone_else(make_user, role):
    cooperative = CooperativeFactory()
    db.session.flush()
    other = make_user(role)  # a manager gets a cooperative of their own
    assert all(c.id != cooperative.id for c in other.cooperatives)
    with pytest.raises(NotFound) as refused:
        require_manager(other, cooperative.id)
    assert refused.value.status == 404


# --- value-chain checks ------------------------------------------------------------------------


@pytest.mark.parametrize("price", [0, 1, 52_000, checks.MAX_UNIT_PRICE_VND])
def test_a_unit_price_is_whole_dong_within_bounds(price):
    assert checks.unit_price(price) == price


@pytest.mark.parametrize(
    "price", [-1, checks.MAX_UNIT_PRICE_VND + 1, 1.5, "52000", None, Decimal(1)]
)
def test_other_unit_prices_are_refused_on_their_field(price):
    with pytest.raises(Invalid) as refused:
        checks.unit_price(price)
    assert refused.value.field == "unit_price_vnd"


def test_a_delivery_amount_is_quantity_times_price_to_the_dong():
    assert checks.delivery_amount(Decimal("12.345"), 1000) == 12345
    assert checks.delivery_amount(Decimal("0.0005"), 1000) == 1  # half up


def test_a_delivery_amount_too_large_is_refused_on_the_quantity():
    with pytest.raises(Invalid) as refused:
        checks.delivery_amount(checks.MAX_QUANTITY, checks.MAX_UNIT_PRICE_VND)
    assert refused.value.field == "quantity"


def test_a_note_is_stripped_and_bounded():
    assert checks.note("  sấy khô  ") == "sấy khô"
    assert checks.note(None) == ""
    assert checks.note("x" * 10, limit=10) == "x" * 10
    with pytest.raises(Invalid) as refused:
        checks.note("x" * 11, limit=10)
    assert refused.value.field == "note"
