"""Form fields shared by the HTML pages: quantities and money typed the Vietnamese way,
selects that explain a wrong choice, and the period of the impact pages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from linkage.services.periods import Month, Period, current_month

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


MAX_MONTHS = 120  # as the impact API
MONTH_FORMAT = Regexp(
    r"^20\d{2}-(0[1-9]|1[0-2])$",
    message=_l("Write the month as YYYY-MM, between 2000 and 2099."),
)


class PeriodForm(FlaskForm):
    """`?period_start=&period_end=` (YYYY-MM) of the impact pages, read as the impact API
    reads them: by default the 12 months ending with the current month."""

    class Meta:
        csrf = False  # reads and changes nothing

    period_start = StringField(
        _l("From month"), validators=[Optional(), MONTH_FORMAT], render_kw={"type": "month"}
    )
    period_end = StringField(
        _l("To month"), validators=[Optional(), MONTH_FORMAT], render_kw={"type": "month"}
    )

    def validate_period_end(self, field: Any) -> None:
        start, end = self.period_start.data, field.data
        if not (start and end) or self.period_start.errors or field.errors:
            return
        try:
            first, last = Month.parse(start), Month.parse(end)
        except ValueError:
            return
        if last < first:
            raise ValidationError(_l("The period ends before it starts."))
        if Period(first, last).months > MAX_MONTHS:
            raise ValidationError(_l("A period is at most 120 months."))

    def period(self) -> Period:
        """The chosen period; by default the 12 months ending with the current month.
        Call after validate(): a wrong month falls back to the default. Empty month fields
        are filled in with the period used."""

        def month(field: Any) -> Month | None:
            return Month.parse(field.data) if field.data and not field.errors else None

        end = month(self.period_end) or current_month()
        start = month(self.period_start) or end.minus(11)
        period = Period(start, max(start, end))
        # an empty month field shows the month in use, so the form says what the page covers
        for field, value in ((self.period_start, period.start), (self.period_end, period.end)):
            if not field.data and not field.errors:
                field.data = str(value)
        return period
