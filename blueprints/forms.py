"""The forms' base class and the form fields shared by the HTML pages: texts of a bounded
length, selects that must be chosen in, quantities and money typed in the page's language,
selects that explain a wrong choice, and the period of the impact pages.

Every form of the pages derives from `FlaskForm` below (tests/test_plain_text.py checks it),
so that every text field follows the rule of linkage.plain_text in one place: no control
characters, accents composed (NFC) and not stacked high; a password only refuses control
characters.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import flask_wtf
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    Choice,
    Field,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import Select

from linkage.numbers import format_number, parse_number
from linkage.plain_text import (
    MULTI_LINE_MESSAGE,
    SINGLE_LINE_MESSAGE,
    STACKED_MARKS_MESSAGE,
    composed,
    has_control_characters,
    has_stacked_marks,
)
from linkage.services.periods import Month, Period, current_month

MAX_QUANTITY = Decimal("100000000000")
MAX_AMOUNT_VND = 10**15


class PlainText:
    """The text typed holds no control character (a text area keeps tabs and line breaks) and,
    unless it is a secret, no letter with accents stacked high.

    It runs first and stops the chain: `Optional()` would otherwise take a value made of
    characters that Python counts as spaces (\\x1c to \\x1f) for an empty field."""

    def __init__(self, *, multiline: bool, secret: bool = False) -> None:
        self.multiline = multiline
        self.secret = secret

    def __call__(self, form: Any, field: Field) -> None:
        if field.process_errors:
            return  # the field refused the value already (a number that is not one)
        typed = [v for v in field.raw_data or [] if isinstance(v, str)]
        if any(has_control_characters(v, multiline=self.multiline) for v in typed):
            message = MULTI_LINE_MESSAGE if self.multiline else SINGLE_LINE_MESSAGE
            raise StopValidation(str(message))
        if not self.secret and any(has_stacked_marks(v) for v in typed):
            raise StopValidation(str(STACKED_MARKS_MESSAGE))


def composed_text(value: Any) -> Any:
    """A text field's data in normal form C (a field filter); other data as it is."""
    return composed(value) if isinstance(value, str) else value


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form, whose every text field (StringField and its kinds: email, password,
    search, hidden, numbers typed as text) refuses control characters and, but for passwords,
    composes its accents (NFC) before any validator or the view sees the text."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            if isinstance(field, StringField):
                secret = isinstance(field, PasswordField)
                rule = PlainText(multiline=isinstance(field, TextAreaField), secret=secret)
                field.validators = [rule, *field.validators]
                if not secret:
                    field.filters = (*field.filters, composed_text)
            return field


def at_most(length: int) -> Length:
    """At most `length` characters, with a message that says how many."""
    return Length(max=length, message=_l("This text is too long. Use at most %(max)d characters."))


def text_field(
    label: Any,
    *,
    max_length: int,
    required: Any = None,
    field: type[Field] = StringField,
    validators: tuple[Any, ...] = (),
    **kwargs: Any,
) -> Any:
    """A text of at most `max_length` characters; required when `required` (the message that
    asks for it) is given, else optional."""
    presence = Optional() if required is None else InputRequired(message=required)
    return field(label, validators=[presence, at_most(max_length), *validators], **kwargs)


PROMPT = _l("Choose…")  # the empty first option of a required select


class PromptSelect(Select):
    """A select that, when it is required, starts with an empty option ("Choose…").

    HTML wants a required single select to begin with an option of empty value (the
    "placeholder label option"): the browser then refuses the form until the user picks, and
    nothing is chosen for them by being first in the list. A list that starts with an empty
    option of its own ("Choose a lot") keeps it. Sent empty, the field's InputRequired or
    DataRequired message explains what to choose."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        html = super().__call__(field, **kwargs)
        required = kwargs.get("required", getattr(field.flags, "required", False))
        if not required or self.multiple or int(kwargs.get("size") or 1) > 1:
            return html
        first = next(iter(field.iter_choices()), None)  # type: ignore[attr-defined]
        if first is not None and str(first[0]) == "":
            return html
        opening = html.index(">") + 1  # html_params escapes ">" in attribute values
        prompt = self.render_option(
            Choice(value="", label=str(PROMPT), selected=False, render_kw=None)
        )
        return html[:opening] + prompt + html[opening:]  # Markup: its slices are Markup too


def select_field(
    label: Any,
    required: Any,
    *,
    labels: Mapping[enum.Enum, Any] | None = None,
    field: type[Field] = SelectField,
    **kwargs: Any,
) -> Any:
    """A select the user must choose in (`required` is the message that asks for a choice),
    starting with an empty option; `labels`, an enumeration's labels, gives its options."""
    if labels is not None:
        kwargs["choices"] = [SelectChoice(value.value, text) for value, text in labels.items()]
    kwargs.setdefault("widget", PromptSelect())
    return field(label, validators=[InputRequired(message=required)], **kwargs)


def read_number(
    field: StringField, valuelist: list[str], *, whole: bool = False, example: Decimal | int
) -> Decimal | None:
    """The number typed in `field`, read in the page's language (linkage.numbers); None when
    nothing was typed. A refusal (ValueError) becomes the field's error; the text stays as
    typed for the page shown again."""
    text = valuelist[0] if valuelist else ""
    if not text.strip():
        if valuelist:
            field.raw_data = [""]  # spaces only: no entry, for InputRequired and Optional
        return None
    return parse_number(text, get_locale(), whole=whole, example=example)


def with_example(message: Any, example: Decimal | int | str) -> LazyString:
    """A lazy message whose `%(example)s` is a number written in the page's language."""
    number = Decimal(str(example))
    return LazyString(lambda: str(message) % {"example": format_number(number)})


def number_required(message: Any, example: Decimal | int | str) -> InputRequired:
    """InputRequired whose message shows `example` in the page's language."""
    return InputRequired(message=with_example(message, example))


class QuantityField(StringField):
    """A quantity with up to 3 decimals, read in the page's language: in Vietnamese '1.200,5'
    is one thousand two hundred and a half; '1.2' is refused as ambiguous."""

    example = Decimal("12.5")

    def __init__(self, *args: Any, minimum: Decimal = Decimal("0"), **kwargs: Any) -> None:
        self.minimum = minimum
        kwargs.setdefault("render_kw", {}).update({"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        number = read_number(self, valuelist, example=self.example)
        if number is None:
            return
        self.check(number)
        if number >= MAX_QUANTITY:  # checked before quantize, which fails on huge values
            raise ValueError(_l("This quantity is too large."))
        if number != number.quantize(Decimal("0.001")):
            raise ValueError(_l("Enter a number with at most 3 decimals."))
        self.data = number.quantize(Decimal("0.001"))

    def check(self, number: Decimal) -> None:
        """Refuse a number below the field's range (ValueError with the message)."""
        if number <= self.minimum:
            raise ValueError(_l("Enter a quantity greater than zero."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # exactly what was typed
        return "" if self.data is None else format_number(self.data)


class MoneyField(StringField):
    """A whole-VND amount, read in the page's language: '1.500.000' and '1 500 000' in
    Vietnamese, '1,500,000' in English; a decimal mark is refused, never rounded away."""

    example = 150000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {}).update({"inputmode": "numeric"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        number = read_number(self, valuelist, whole=True, example=self.example)
        if number is None:
            return
        if number < 0:
            raise ValueError(_l("Enter an amount of zero or more."))
        if number > MAX_AMOUNT_VND:
            raise ValueError(_l("This amount is too large."))
        self.data = int(number)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # exactly what was typed
        return "" if self.data is None else format_number(self.data)


class ChoiceField(SelectField):
    """A select whose wrong value (a stale or edited link) gets a message in our words; when
    required, it starts with an empty option (PromptSelect)."""

    widget = PromptSelect()

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


def csv_file_field() -> FileField:
    """The file of an all-or-nothing CSV import (households, supports)."""
    return FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileAllowed(
                ["csv", "txt"],
                message=_l("Choose a CSV file (.csv). In Excel use Save As, then CSV UTF-8."),
            ),
        ],
    )
