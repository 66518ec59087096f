"""Numbers as people read and write them: typed in forms and shown on pages, in the page's
language, by Babel's rules (one way everywhere; the JSON API keeps dot-decimal strings).

Reading (`parse_number`) is Babel's strict `parse_decimal`, with these decisions:

- Spaces around an entry are ignored; an entry of spaces only is no entry (None): the
  field's InputRequired or Optional decides.
- Digits are 0-9 only. An exponent (`1e3`), `NaN`, `Infinity`, `1_000` or the digits of
  other scripts are refused ("Enter a number, for example 1.200,5.").
- The decimal mark (`,` in Vietnamese, `.` in English) appears at most once, with digits on
  both sides: `0,5`, not `,5` nor `5,`.
- The group mark (`.` in Vietnamese, `,` in English) groups thousands by three as Babel
  checks it: `1.200` and `12.345.678` in Vietnamese; `1234` without marks is fine too.
  Vietnamese `1.20.000` is refused ("Group the thousands by three digits ...").
- Spaces (also no-break U+00A0 and narrow no-break U+202F) may group thousands instead,
  by three only and not mixed with the group mark: `1 500 000`.
- One leading `+` or `-` is read; the fields refuse negative numbers themselves
  (quantities are above zero, amounts zero or more).
- An entry the page's rules refuse but the other convention reads is refused with its
  readings: Vietnamese `1.2` "can be read two ways: did you mean 1.200 or 1,2?"; Vietnamese
  `1,200.5` "did you mean 1.200,5?". Entries the page's rules accept are taken as they
  read: `1,200` is 1.2 on a Vietnamese page, as `1.200` is 1.2 on an English one.
- `whole=True` (money in đồng) refuses any decimal mark, even `80.000,00`: an amount with a
  decimal mark is refused, never rounded or read without its mark; `150,000` on a
  Vietnamese page is asked back as "did you mean 150.000?".
- Entries longer than 40 characters are refused.

Writing: `format_quantity` and `format_vnd` in the page's language (Flask-Babel's locale;
the default language outside a request), units always shown where a unit applies.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from linkage.labels import UNIT_LABELS
from models import Unit

MAX_LENGTH = 40
SPACES = " \u00a0\u202f"
DIGITS = "0123456789"
NUMBER_EXAMPLE = Decimal("1200.5")


class NumberError(ValueError):
    """An entry that is not a number as the page writes them; str() is the message."""


def parse_number(
    text: str | None,
    locale: Locale | str,
    *,
    whole: bool = False,
    example: Decimal | int = NUMBER_EXAMPLE,
) -> Decimal | None:
    """The number `text` means in `locale` (None for an empty entry); NumberError with a
    message in the current language otherwise. `example` is shown in the messages."""
    stripped = (text or "").strip()
    if not stripped:
        return None
    locale = Locale.parse(locale)
    group, point = get_group_symbol(locale), get_decimal_symbol(locale)
    if len(stripped) > MAX_LENGTH:
        raise NumberError(_invalid(locale, example))
    negative = stripped[0] == "-"
    body = stripped[1:] if stripped[0] in "+-" else stripped
    if body[:1] not in DIGITS or any(c not in DIGITS + group + point + SPACES for c in body):
        raise NumberError(_invalid(locale, example))
    if any(space in body for space in SPACES):
        body = _without_spaces(body, group, point, locale)
    value = _strict(body, group, point, locale)
    if value is None:
        raise NumberError(_refusal(stripped, body, negative, group, point, locale, example))
    if whole and point in body:
        raise NumberError(_not_whole(stripped, body, negative, group, point, locale))
    value = -value if negative else value
    return value + 0  # -0 is 0


def _shape(group: str, point: str) -> re.Pattern[str]:
    """Digits, group marks between digits, at most one decimal mark between digits."""
    return re.compile(rf"[0-9]+(?:{re.escape(group)}[0-9]+)*(?:{re.escape(point)}[0-9]+)?")


def _strict(body: str, group: str, point: str, locale: Locale) -> Decimal | None:
    if not _shape(group, point).fullmatch(body):
        return None
    try:
        return parse_decimal(body, locale=locale, strict=True)
    except NumberFormatError:
        return None


def _without_spaces(body: str, group: str, point: str, locale: Locale) -> str:
    """Thousands grouped by spaces, three digits a group, read as if ungrouped."""
    spaced = rf"[0-9]{{1,3}}(?:[{SPACES}][0-9]{{3}})+(?:{re.escape(point)}[0-9]+)?"
    if not re.fullmatch(spaced, body):
        raise NumberError(_grouping(locale))
    return re.sub(f"[{SPACES}]", "", body)


def _swap(body: str, group: str, point: str) -> str:
    """The entry with the two marks exchanged: as the other convention would write it."""
    return body.translate(str.maketrans({group: point, point: group}))


def _refusal(
    text: str,
    body: str,
    negative: bool,
    group: str,
    point: str,
    locale: Locale,
    example: Decimal | int,
) -> str:
    """Why `text` is refused, with what it may have meant."""
    sign = -1 if negative else 1
    one_mark = re.fullmatch(rf"([0-9]+){re.escape(group)}([0-9]+)", body)
    if one_mark:
        whole_part, part = one_mark.groups()
        decimal = Decimal(f"{whole_part}.{part}")
        if len(part) <= 3 and not whole_part.startswith("0"):
            # "1.2" read as "1.200": the dot separated thousands but digits are missing
            grouped = Decimal(whole_part + part.ljust(3, "0"))
            return _two_readings(text, sign * grouped, sign * decimal, group, point, locale)
        return _one_reading(text, sign * decimal, group, point, locale)
    swapped = _strict(_swap(body, group, point), group, point, locale)
    if swapped is not None:
        return _one_reading(text, sign * swapped, group, point, locale)
    if _shape(group, point).fullmatch(body):
        return _grouping(locale)
    return _invalid(locale, example)


def _not_whole(text: str, body: str, negative: bool, group: str, point: str, locale: Locale) -> str:
    """An amount with a decimal mark: asked back when it reads whole the other way."""
    swapped = _strict(_swap(body, group, point), group, point, locale)
    if swapped is not None and swapped == swapped.to_integral_value():
        return _one_reading(text, -swapped if negative else swapped, group, point, locale)
    return _(
        "Amounts are in whole đồng, without decimals, for example %(example)s.",
        example=_plain(150000, locale),
    )


def _plain(value: Decimal | int, locale: Locale) -> str:
    """A number in `locale` with every decimal it has (readings must not be rounded)."""
    return format_decimal(value, locale=locale, decimal_quantization=False)


def _two_readings(
    text: str, grouped: Decimal, decimal: Decimal, group: str, point: str, locale: Locale
) -> str:
    return _(
        "“%(text)s” can be read two ways: did you mean %(grouped)s or %(decimal)s? "
        "On this page “%(group)s” separates thousands and “%(point)s” marks decimals.",
        text=text,
        grouped=_plain(grouped, locale),
        decimal=_plain(decimal, locale),
        group=group,
        point=point,
    )


def _one_reading(text: str, value: Decimal, group: str, point: str, locale: Locale) -> str:
    return _(
        "“%(text)s”: did you mean %(number)s? "
        "On this page “%(group)s” separates thousands and “%(point)s” marks decimals.",
        text=text,
        number=_plain(value, locale),
        group=group,
        point=point,
    )


def _grouping(locale: Locale) -> str:
    return _(
        "Group the thousands by three digits, as in %(example)s, or write no separator.",
        example=_plain(1234567, locale),
    )


def _invalid(locale: Locale, example: Decimal | int) -> str:
    return _("Enter a number, for example %(example)s.", example=_plain(example, locale))


# --- writing --------------------------------------------------------------------------------


def page_locale() -> Locale:
    """The page's language; Vietnamese (the default) outside the app."""
    return get_locale() or Locale.parse("vi")


def unit_label(unit: Unit | Any) -> str:
    """A product unit as shown after a quantity: kg, lít, sản phẩm."""
    return str(UNIT_LABELS.get(unit, getattr(unit, "value", unit)))


def format_quantity(quantity: Decimal | int | None, unit: Unit | None = None) -> str:
    """43.443 -> '43,443' (vi) or '43.443' (en), with its unit when given: '43,443 kg'."""
    if quantity is None:
        return ""
    text = format_decimal(quantity, format="#,##0.###", locale=page_locale())
    return f"{text} {unit_label(unit)}" if unit is not None else text


def format_vnd(amount: int | None) -> str:
    """1234567 -> '1.234.567 ₫' (vi) or '1,234,567 ₫' (en)."""
    if amount is None:
        return ""
    return f"{format_decimal(amount, format='#,##0', locale=page_locale())} ₫"


def format_number(value: Decimal | int | None) -> str:
    """A plain number with every decimal it has, grouped: 1.200,5 (vi), 1,200.5 (en)."""
    if value is None:
        return ""
    return _plain(value, page_locale())
