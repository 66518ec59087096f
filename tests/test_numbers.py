"""Numbers as typed and shown in the page's language (linkage.numbers): the reading rules on a
table of Vietnamese and English entries, each refusal with its exact message; the writing
helpers; the form fields' round trip.

The parser runs here without an app, so its messages are the source (English) texts with the
numbers written in the locale given.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import Form

from blueprints.forms import MoneyField, QuantityField
from linkage.numbers import (
    NumberError,
    format_number,
    format_quantity,
    format_vnd,
    parse_number,
    unit_label,
)
from models import Unit

SEPARATORS = {
    "vi": "On this page “.” separates thousands and “,” marks decimals.",
    "en": "On this page “,” separates thousands and “.” marks decimals.",
}


def two(text: str, grouped: str, decimal: str, locale: str) -> str:
    return (
        f"“{text}” can be read two ways: did you mean {grouped} or {decimal}? " + SEPARATORS[locale]
    )


def one(text: str, number: str, locale: str) -> str:
    return f"“{text}”: did you mean {number}? " + SEPARATORS[locale]


INVALID = {
    "vi": "Enter a number, for example 1.200,5.",
    "en": "Enter a number, for example 1,200.5.",
}
GROUPING = {
    "vi": "Group the thousands by three digits, as in 1.234.567, or write no separator.",
    "en": "Group the thousands by three digits, as in 1,234,567, or write no separator.",
}
WHOLE = {
    "vi": "Amounts are in whole đồng, without decimals, for example 150.000.",
    "en": "Amounts are in whole đồng, without decimals, for example 150,000.",
}

ACCEPTED = [
    ("vi", "1.200", "1200"),  # how Vietnamese write one thousand two hundred
    ("vi", "1.200,5", "1200.5"),
    ("vi", "12,5", "12.5"),
    ("vi", "0,5", "0.5"),
    ("vi", "1.234.567,125", "1234567.125"),
    ("vi", "1200", "1200"),
    ("vi", "007", "7"),
    ("vi", "  1.200  ", "1200"),  # spaces around are ignored
    ("vi", "1 200", "1200"),  # spaces may group thousands by three
    ("vi", "1\u00a0500\u00a0000", "1500000"),  # no-break spaces too
    ("vi", "1\u202f200,5", "1200.5"),  # and narrow no-break spaces
    ("vi", "+5", "5"),
    ("vi", "-5", "-5"),  # read; the fields refuse negative numbers
    ("vi", "-0", "0"),
    ("vi", "1,200", "1.2"),  # a decimal comma, as the page reads it
    ("en", "1,200.5", "1200.5"),
    ("en", "1,200", "1200"),
    ("en", "12.5", "12.5"),
    ("en", "1.200", "1.2"),
    ("en", "0.5", "0.5"),
    ("en", "1 200.5", "1200.5"),
]


@pytest.mark.parametrize(("locale", "text", "expected"), ACCEPTED)
def test_accepted_entries(locale, text, expected):
    assert parse_number(text, locale) == Decimal(expected)


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0"])
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_an_empty_entry_is_no_number(locale, text):
    assert parse_number(text, locale) is None


REFUSED = [
    # ambiguous: the other convention reads them, so both readings are offered
    ("vi", "1.2", two("1.2", "1.200", "1,2", "vi")),
    ("vi", "12.5", two("12.5", "12.500", "12,5", "vi")),
    ("vi", "1.20", two("1.20", "1.200", "1,2", "vi")),
    ("vi", "1234.567", two("1234.567", "1.234.567", "1.234,567", "vi")),
    ("vi", "-1.2", two("-1.2", "-1.200", "-1,2", "vi")),
    ("en", "1,2", two("1,2", "1,200", "1.2", "en")),
    ("en", "12,5", two("12,5", "12,500", "12.5", "en")),
    # written the other way, with one reading
    ("vi", "0.5", one("0.5", "0,5", "vi")),
    ("vi", "1.2345", one("1.2345", "1,2345", "vi")),
    ("vi", "1,200.5", one("1,200.5", "1.200,5", "vi")),
    ("en", "1.200,5", one("1.200,5", "1,200.5", "en")),
    ("en", "80.000,50", one("80.000,50", "80,000.5", "en")),
    # not numbers as people write them
    ("vi", "1e3", INVALID["vi"]),
    ("en", "1e3", INVALID["en"]),
    ("vi", "NaN", INVALID["vi"]),
    ("en", "Infinity", INVALID["en"]),
    ("vi", "inf", INVALID["vi"]),
    ("vi", "1,2,3", INVALID["vi"]),  # two decimal marks
    ("en", "1.2.3", INVALID["en"]),
    ("vi", "1_000", INVALID["vi"]),
    ("vi", "١٢٣", INVALID["vi"]),  # digits of another script
    ("vi", ",5", INVALID["vi"]),
    ("vi", "5,", INVALID["vi"]),
    ("vi", "1..200", INVALID["vi"]),
    ("vi", "--5", INVALID["vi"]),
    ("vi", "- 5", INVALID["vi"]),
    ("vi", "12 kg", INVALID["vi"]),
    ("vi", "1,5 triệu", INVALID["vi"]),
    ("en", "abc", INVALID["en"]),
    ("vi", "9" * 41, INVALID["vi"]),  # too long to be a quantity or an amount
    # thousands not grouped by three
    ("vi", "1.20.000", GROUPING["vi"]),
    ("vi", "1.2.3", GROUPING["vi"]),
    ("vi", "1 2", GROUPING["vi"]),
    ("vi", "1 200.000", GROUPING["vi"]),  # spaces and dots mixed
    ("en", "1,20,000", GROUPING["en"]),
]


@pytest.mark.parametrize(("locale", "text", "message"), REFUSED)
def test_refused_entries_say_why(locale, text, message):
    with pytest.raises(NumberError) as refused:
        parse_number(text, locale)
    assert str(refused.value) == message


def test_the_example_of_a_refusal_is_the_callers():
    with pytest.raises(NumberError, match=r"^Enter a number, for example 12,5\.$"):
        parse_number("1e3", "vi", example=Decimal("12.5"))


MONEY = [
    ("vi", "80.000", 80000),
    ("vi", "1.500.000", 1500000),
    ("vi", "1 500 000", 1500000),
    ("vi", "96000000", 96000000),
    ("en", "80,000", 80000),
    ("en", "1,500,000", 1500000),
]


@pytest.mark.parametrize(("locale", "text", "expected"), MONEY)
def test_whole_amounts(locale, text, expected):
    assert parse_number(text, locale, whole=True) == expected


MONEY_REFUSED = [
    ("vi", "80.000,50", WHOLE["vi"]),  # refused, not multiplied by a hundred
    ("vi", "80.000,00", WHOLE["vi"]),  # a decimal mark at all
    ("vi", "12,5", WHOLE["vi"]),
    ("vi", "150,000", one("150,000", "150.000", "vi")),  # not 150 đồng
    ("vi", "1.5", two("1.5", "1.500", "1,5", "vi")),
    ("en", "80,000.50", WHOLE["en"]),
    ("en", "150.000", one("150.000", "150,000", "en")),
]


@pytest.mark.parametrize(("locale", "text", "message"), MONEY_REFUSED)
def test_amounts_with_decimals_are_refused(locale, text, message):
    with pytest.raises(NumberError) as refused:
        parse_number(text, locale, whole=True)
    assert str(refused.value) == message


# --- writing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "quantity", "amount", "litre"),
    [("vi", "43,443 kg", "96.000.000 ₫", "lít"), ("en", "43.443 kg", "96,000,000 ₫", "litre")],
)
def test_numbers_are_written_in_the_page_language_with_their_unit(
    app, locale, quantity, amount, litre
):
    with app.test_request_context(), force_locale(locale):
        assert format_quantity(Decimal("43.443"), Unit.KG) == quantity
        assert format_quantity(Decimal("43.443")) == quantity.removesuffix(" kg")
        assert format_vnd(96_000_000) == amount
        assert unit_label(Unit.LITRE) == litre
        assert format_quantity(None) == format_vnd(None) == ""


def test_outside_a_request_numbers_are_written_in_the_default_language(app):
    assert format_quantity(Decimal("1200.5"), Unit.KG) == "1.200,5 kg"


class NumbersForm(Form):
    quantity = QuantityField()
    amount = MoneyField()


class Record:
    def __init__(self, quantity: Decimal, amount: int) -> None:
        self.quantity, self.amount = quantity, amount


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize(
    ("quantity", "amount"),
    [
        (Decimal("1200.500"), 1_500_000),
        (Decimal("43.443"), 120_000),
        (Decimal("0.001"), 0),
        (Decimal("12.000"), 999),
        (Decimal("99999999999.999"), 10**15),
    ],
)
def test_a_stored_value_shown_in_a_form_reads_back_the_same(app, locale, quantity, amount):
    with app.test_request_context(), force_locale(locale):
        shown = NumbersForm(obj=Record(quantity, amount))
        texts = {"quantity": shown.quantity._value(), "amount": shown.amount._value()}
        assert texts["quantity"] == format_number(quantity)
        posted = NumbersForm(formdata=MultiDict(texts))
        assert posted.validate(), posted.errors
        assert (posted.quantity.data, posted.amount.data) == (quantity, amount)


def test_a_refused_entry_is_shown_again_as_typed(app):
    with app.test_request_context(), force_locale("en"):  # messages in the source language
        form = NumbersForm(formdata=MultiDict({"quantity": " 1,2 ", "amount": "80,000.50"}))
        assert not form.validate()
        assert form.quantity._value() == " 1,2 " and form.amount._value() == "80,000.50"
        assert form.quantity.errors == [two("1,2", "1,200", "1.2", "en")]
        assert form.amount.errors == [WHOLE["en"]]


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ("0", "quantity", "Enter a quantity greater than zero."),
        ("-1.5", "quantity", "Enter a quantity greater than zero."),
        ("1.2345", "quantity", "Enter a number with at most 3 decimals."),
        ("100,000,000,000", "quantity", "This quantity is too large."),
        ("-5", "amount", "Enter an amount of zero or more."),
        ("1,000,000,000,000,001", "amount", "This amount is too large."),
        ("1e3", "quantity", "Enter a number, for example 12.5."),
        ("1e3", "amount", "Enter a number, for example 150,000."),
    ],
)
def test_the_fields_keep_their_ranges(app, entry, field, message):
    with app.test_request_context(), force_locale("en"):
        form = NumbersForm(formdata=MultiDict({field: entry}))
        form.validate()
        assert [str(error) for error in form[field].errors] == [message]
        assert form[field].data is None


def test_spaces_only_count_as_no_entry(app):
    with app.test_request_context(), force_locale("vi"):
        form = NumbersForm(formdata=MultiDict({"quantity": "   ", "amount": ""}))
        assert form.validate()
        assert (form.quantity.data, form.amount.data) == (None, None)
        assert form.quantity.raw_data == [""]
