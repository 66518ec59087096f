"""Form fields shared by the HTML pages: quantities and money typed the Vietnamese way, and
selects that explain a wrong choice."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

_MONEY_SEPARATORS = re.compile(r"[.,\s\u00a0_]")


class QuantityField(StringField):
    """A quantity with up to 3 decimals; '12,5' and '12.5' both mean twelve and a half."""

    def __init__(self, *args: Any, minimum: Decimal = Decimal("0"), **kwargs: Any) -> None:
        self.minimum = minimum
        kwargs.setdefault("render_kw", {}).update({"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip().replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Enter a number, for example 12,5.")) from None
        if not number.is_finite():
            raise ValueError(_l("Enter a number, for example 12,5."))
        if number <= self.minimum:
            raise ValueError(_l("Enter a quantity greater than zero."))
        if number >= Decimal("100000000000"):  # checked before quantize, which fails on huge values
            raise ValueError(_l("This quantity is too large."))
        if number != number.quantize(Decimal("0.001")):
            raise ValueError(_l("Enter a number with at most 3 decimals."))
        self.data = number.quantize(Decimal("0.001"))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data.normalize():f}"


class MoneyField(StringField):
    """A whole-VND amount: '1.500.000', '1 500 000' and '1500000' are the same."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).update({"inputmode": "numeric"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        digits = _MONEY_SEPARATORS.sub("", valuelist[0].strip())
        if not digits.isdigit():
            raise ValueError(_l("Enter an amount in đồng, digits only, for example 150.000."))
        amount = int(digits)
        if amount > 10**15:
            raise ValueError(_l("This amount is too large."))
        self.data = amount

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class ChoiceField(SelectField):
    """A select whose wrong value (a stale or edited link) gets a message in our words."""

    def pre_validate(self, form: Any) -> None:
        if not any(value == self.data for value, *_rest in self.iter_choices()):
            raise ValidationError(_l("Choose one of the options of the list."))
