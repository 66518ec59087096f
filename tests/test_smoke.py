"""The app answers its first pages and endpoints."""

import pytest


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/openapi.json", "/api/v1/communes"])
def test_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_manager_can_log_in(client, login_as):
    user = login_as("manager")
    page = client.get("/")
    assert user.email in page.get_data(as_text=True) or user.name in page.get_data(as_text=True)


def test_home_hides_a_household_count_below_ten(client):
    from linkage.extensions import db

    from .factories import HouseholdFactory, MembershipFactory

    for _ in range(9):
        MembershipFactory(household=HouseholdFactory())
    db.session.commit()
    page = client.get("/language/en", follow_redirects=True).get_data(as_text=True)
    assert "</strong> member households" not in page
    MembershipFactory(household=HouseholdFactory())
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<strong>10</strong> member households" in page
