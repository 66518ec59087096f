"""One vocabulary: every value of the displayed enumerations has one translated name."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from linkage.labels import BY_TYPE, label


@pytest.mark.parametrize("enum_class", list(BY_TYPE), ids=lambda c: c.__name__)
def test_every_value_has_a_name(app, enum_class):
    table = BY_TYPE[enum_class]
    assert set(table) == set(enum_class), f"{enum_class.__name__}: values without a name"
    with app.test_request_context(), force_locale("en"):
        names = [label(value) for value in enum_class]
    assert all(names), names
    assert len(set(names)) == len(names), f"{enum_class.__name__}: two values named alike"


def test_names_follow_the_page_language(app):
    from models import OfficialStatus, Unit

    with app.test_request_context():
        with force_locale("en"):
            assert (label(OfficialStatus.NEAR_POOR), label(Unit.LITRE)) == ("Near poor", "litre")
        with force_locale("vi"):
            assert label(OfficialStatus.NEAR_POOR) != "Near poor"
            assert label(None) == ""
