"""The app answers its first pages and endpoints."""

import pytest


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/openapi.json", "/api/v1/communes"])
def test_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_manager_can_log_in(client, login_as):
    user = login_as("manager")
    page = client.get("/")
    assert user.email in page.get_data(as_text=True) or user.name in page.get_data(as_text=True)
