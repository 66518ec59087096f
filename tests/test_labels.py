"""One vocabulary: every value of the displayed enumerations has one translated name."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from linkage.labels import BY_PURPOSE, BY_TYPE, label, product_name, product_names


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


@pytest.mark.parametrize("purpose", list(BY_PURPOSE))
def test_the_names_for_a_purpose_differ(app, purpose):
    with app.test_request_context(), force_locale("en"):
        names = [label(value, purpose) for value in BY_PURPOSE[purpose]]
    assert all(names) and len(set(names)) == len(names), names


def test_a_page_names_a_value_for_its_purpose_or_by_its_name(app):
    from models import ListingStatus, OrderStatus, PaymentKind

    with app.test_request_context(), force_locale("en"):
        assert label(ListingStatus.ACTIVE) == "On sale"
        assert label(ListingStatus.ACTIVE, "action") == "Put on sale"
        assert label(OrderStatus.PLACED) == "Placed"
        assert label(OrderStatus.PLACED, "to_do") == "New, to accept or reject"
        assert label(PaymentKind.SURPLUS, "totals") == "Surplus shares"
        with pytest.raises(KeyError):
            label(OrderStatus.PLACED, "no such purpose")


@pytest.mark.parametrize(
    ("locale", "name"), [("vi", "Bưởi Đoan Hùng"), ("en", "Bưởi Đoan Hùng · Doan Hung pomelo")]
)
def test_a_product_is_named_in_the_page_language(app, locale, name):
    from models import Product

    pomelo = Product(name_vi="Bưởi Đoan Hùng", name_en="Doan Hung pomelo")
    with app.test_request_context(), force_locale(locale):
        assert product_name(pomelo) == name
        assert (
            " · ".join(text for _, text in product_names("Bưởi Đoan Hùng", "Doan Hung pomelo"))
            == name
        )
