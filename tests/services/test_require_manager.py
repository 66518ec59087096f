"""`require_manager`: the one rule "a manager of this cooperative (or an admin), else 404"."""

from __future__ import annotations

import pytest

from linkage.extensions import db
from linkage.services.errors import NotFound
from linkage.services.scope import require_manager
from models import Role
from tests.factories import CooperativeFactory


def test_a_manager_gets_each_of_their_cooperatives(make_user):
    other = CooperativeFactory()
    manager = make_user(Role.MANAGER)
    manager.cooperatives.append(other)
    db.session.commit()
    for cooperative in manager.cooperatives:
        assert require_manager(manager, cooperative.id) is cooperative


def test_an_admin_gets_any_cooperative_and_none_for_an_unknown_id(make_user):
    cooperative = CooperativeFactory()
    admin = make_user(Role.ADMIN)
    assert require_manager(admin, cooperative.id) is cooperative
    assert require_manager(admin, 2_147_483_647) is None


def test_a_manager_of_another_cooperative_gets_not_found(make_user):
    stranger = CooperativeFactory()
    manager = make_user(Role.MANAGER)
    with pytest.raises(NotFound) as refused:
        require_manager(manager, stranger.id)
    assert refused.value.message == "Không tìm thấy hợp tác xã."  # "Cooperative not found."
    assert refused.value.field is None  # out of scope: a 404, never a form error


@pytest.mark.parametrize("role", [Role.BUYER, Role.OFFICIAL])
def test_other_roles_get_not_found_with_the_message_given(make_user, role):
    cooperative = CooperativeFactory()
    user = make_user(role)
    with pytest.raises(NotFound) as refused:
        require_manager(user, cooperative.id, message="Lot not found.")
    assert refused.value.message == "Lot not found."
    assert refused.value.status == 404
