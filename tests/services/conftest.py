"""Fixtures of the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import flask_babel
import pytest
from flask import Flask, session


@pytest.fixture
def in_english(app: Flask) -> Iterator[None]:
    """Messages are translated for the request's language, so services run inside one
    (in English, so the tests read the source messages)."""
    with app.test_request_context():
        session["locale"] = "en"
        flask_babel.refresh()
        yield
