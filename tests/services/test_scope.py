"""One scope object: `scope.of(actor)` says, once per actor, which communes, cooperatives and
households the actor covers, and whether households may be named."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from linkage.extensions import db
from linkage.services.errors import NotFound
from linkage.services.impact import ImpactFilters, households_page, public_impact, summarise
from linkage.services.impact.groups import GroupBy
from linkage.services.periods import Month, Period
from linkage.services.scope import (
    PUBLIC,
    Scope,
    commune_in_scope,
    get_household_for,
    household_scope,
    jurisdiction_communes,
    of,
)
from models import Commune, Household, Role

from ..factories import DAO_TRU, CooperativeFactory, HouseholdFactory, MembershipFactory

WARD = "07900"  # Việt Trì ward, outside Đạo Trù
MARCH = Period(Month(2026, 3), Month(2026, 3))


@pytest.fixture
def households(app):
    """A member of a cooperative in Đạo Trù, a household there without cooperative, and a
    member of a cooperative in a Việt Trì ward."""
    in_dao_tru = MembershipFactory(household=HouseholdFactory(code="H-DT"))
    HouseholdFactory(code="H-DT-ALONE")
    ward = MembershipFactory(
        household=HouseholdFactory(code="H-WARD", commune_code=WARD),
        cooperative=CooperativeFactory(commune_code=WARD),
    )
    db.session.commit()
    return {"dao_tru": in_dao_tru, "ward": ward}


def _codes(actor) -> set[str]:
    return set(db.session.scalars(select(Household.code).where(household_scope(actor))))


def test_a_province_wide_official_covers_the_whole_province(households, make_user):
    official = make_user("official", province_wide=True)
    scope = of(official)
    assert scope == Scope(official.id, Role.OFFICIAL, None, frozenset(), True)
    assert scope.whole_province and scope.has_jurisdiction
    assert commune_in_scope(official, WARD) and jurisdiction_communes(official) is None
    assert _codes(official) == {"H-DT", "H-DT-ALONE", "H-WARD"}


def test_a_commune_official_covers_the_communes_of_the_jurisdiction(households, make_user):
    official = make_user("official")  # Đạo Trù only
    scope = of(official)
    assert scope.communes == {DAO_TRU} and scope.cooperatives == frozenset()
    assert scope.has_jurisdiction and scope.names_households and not scope.whole_province
    assert commune_in_scope(official, DAO_TRU) and not commune_in_scope(official, WARD)
    assert jurisdiction_communes(official) == [DAO_TRU]
    assert _codes(official) == {"H-DT", "H-DT-ALONE"}
    with pytest.raises(NotFound):
        get_household_for(official, households["ward"].household_id)


def test_an_admin_covers_everything(households, make_user):
    admin = make_user("admin")
    scope = of(admin)
    assert (scope.communes, scope.cooperatives, scope.names_households) == (None, None, True)
    assert scope.has_jurisdiction and commune_in_scope(admin, WARD)
    assert _codes(admin) == {"H-DT", "H-DT-ALONE", "H-WARD"}


def test_a_manager_covers_the_members_of_its_cooperatives_and_no_commune(households, make_user):
    manager = make_user("manager", cooperatives=[households["dao_tru"].cooperative])
    scope = of(manager)
    assert scope.cooperatives == {households["dao_tru"].cooperative_id}
    assert scope.communes == frozenset() and not scope.has_jurisdiction
    assert not commune_in_scope(manager, DAO_TRU)
    assert _codes(manager) == {"H-DT"}  # not the household of the same commune outside it
    with pytest.raises(NotFound):  # no impact figures: a manager has no jurisdiction
        summarise(manager, MARCH, GroupBy.COMMUNE, ImpactFilters())


def test_a_buyer_covers_nothing(households, make_user):
    buyer = make_user("buyer")
    scope = of(buyer)
    assert scope == Scope(buyer.id, Role.BUYER, frozenset(), frozenset(), False)
    assert not scope.has_jurisdiction and not commune_in_scope(buyer, DAO_TRU)
    assert _codes(buyer) == set()
    with pytest.raises(NotFound):
        get_household_for(buyer, households["dao_tru"].household_id)


def test_the_public_counts_the_whole_province_and_never_names_a_household(households):
    assert of(PUBLIC) is PUBLIC
    assert PUBLIC.whole_province and PUBLIC.has_jurisdiction and not PUBLIC.names_households
    assert _codes(PUBLIC) == set()
    assert set(db.session.scalars(select(Household.code).where(PUBLIC.households()))) == {
        "H-DT",
        "H-DT-ALONE",
        "H-WARD",
    }
    with pytest.raises(NotFound):
        get_household_for(PUBLIC, households["dao_tru"].household_id)
    with pytest.raises(NotFound):
        households_page(PUBLIC, MARCH, ImpactFilters(), 1, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        PUBLIC.names_households = True  # type: ignore[misc]
    # its aggregates count every household of the province (a row below 10 shows no figure)
    totals = summarise(PUBLIC, MARCH, GroupBy.REGION, ImpactFilters()).totals
    assert totals["households"] == 3
    assert public_impact(MARCH).regions.totals["households"] is None


def test_the_scope_is_read_once_and_again_when_the_actor_changes(households, make_user):
    official = make_user("official")
    first = of(official)
    assert _codes(official) == {"H-DT", "H-DT-ALONE"}  # the helpers ask the same scope
    assert of(official) is first
    official.communes.append(db.session.get(Commune, WARD))
    assert of(official).communes == {DAO_TRU, WARD}
    official.province_wide = True
    assert of(official).whole_province
    db.session.commit()  # expires the actor: the next request reads it afresh
    assert of(official) is not first and of(official).whole_province


def test_a_manager_given_a_cooperative_covers_its_members_at_once(households, make_user):
    manager = make_user("manager")
    assert _codes(manager) == set()
    households["ward"].cooperative.managers.append(manager)  # from the cooperative's side
    assert _codes(manager) == {"H-WARD"}
    manager.cooperatives.remove(households["ward"].cooperative)
    assert _codes(manager) == set()
