"""Shared schema pieces: pagination arguments and the page envelope, ids, quantities,
money, printable text, query-string booleans and days of this century."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

from marshmallow import ValidationError, fields, validate

from linkage.plain_text import SINGLE_LINE_CONTROLS
from linkage.services.paging import MAX_PAGE
from models.types import MAX_ID

from .base import Schema


class PaginationArgs(Schema):
    """`?page=&per_page=` (per_page at most 200)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


@cache
def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The `{items, page, per_page, total}` envelope around a list of `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=name,
    )


def identifier(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An id within the database's integer range; `strict=False` for a query string."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class FullMatch(validate.Regexp):
    """A Regexp validator that matches the whole value, as JSON Schema `pattern` with ^...$ does.

    Python's `$` also matches before a final newline; fullmatch does not.
    """

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


# single-line fields (names, codes, credentials): no tab or line break either
PRINTABLE = FullMatch(
    rf"^[^{SINGLE_LINE_CONTROLS}]*$", error="Must not contain control characters."
)


# a single line that holds more than spaces (`\s` as Python reads it: what str.strip() drops)
FILLED_LINE = FullMatch(
    rf"^[^{SINGLE_LINE_CONTROLS}]*[^\s{SINGLE_LINE_CONTROLS}][^{SINGLE_LINE_CONTROLS}]*$",
    error="Must hold more than spaces, and no control characters.",
)


class QueryBoolean(fields.Boolean):
    """`true` or `false` in a query string (not 1 or "yes": the OpenAPI type is boolean)."""

    truthy = {"true"}
    falsy = {"false"}


class JsonBoolean(fields.Boolean):
    """`true` or `false` in a JSON body, nothing else (not 1 or "yes": the type is boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        if not isinstance(value, bool):  # 1 == True in Python: a set would let 1 in
            raise self.make_error("invalid", input=value)
        return value


def envelope(page: object) -> dict[str, object]:
    """A services.paging.Page as the envelope's mapping."""
    return {
        "items": page.items,  # type: ignore[attr-defined]
        "page": page.page,  # type: ignore[attr-defined]
        "per_page": page.per_page,  # type: ignore[attr-defined]
        "total": page.total,  # type: ignore[attr-defined]
    }


MAX_QUANTITY = Decimal("100000000000")
# ASCII digits: `\d` would also take other scripts' digits, which Decimal reads
QUANTITY_PATTERN = r"^[0-9]{1,11}(\.[0-9]{1,3})?$"
# the same with a digit other than 0 somewhere: a quantity above zero, as a string
ABOVE_ZERO = r"(?=[0-9.]*[1-9])"
POSITIVE_QUANTITY_PATTERN = rf"^{ABOVE_ZERO}[0-9]{{1,11}}(\.[0-9]{{1,3}})?$"


STEP = Decimal("0.001")
# the largest quantity a JSON number may give (it is rounded to 3 decimals, then must stay
# below MAX_QUANTITY)
MAX_NUMBER_QUANTITY = MAX_QUANTITY - STEP


class QuantityField(fields.Decimal):
    """A quantity: a JSON number or decimal string in requests, "12.500" in answers.

    A string is exact (at most `decimals` decimals and bounded, by its pattern); a JSON
    number is a binary float that often cannot say 3 decimals exactly (0.1 + 0.2), so it is
    rounded to `decimals` decimals (half up), and the document bounds it so that the rounded
    value is still allowed. `maximum`, when given, is a power of ten taken inclusively (a
    service's own bound, e.g. the value chain's); by default a quantity is below
    MAX_QUANTITY. Bounds are checked here rather than with a Range validator: apispec renders
    a Decimal(as_string=True) with Range as an invalid schema. The OpenAPI description
    (string or number) is written by `quantity_openapi`.
    """

    def __init__(
        self,
        *,
        minimum: Decimal = Decimal("0"),
        exclusive: bool = False,
        maximum: Decimal | None = None,
        decimals: int = 3,
        **kwargs,
    ):
        self.minimum = minimum
        self.exclusive = exclusive
        self.decimals = decimals
        self.step = Decimal(1).scaleb(-decimals)
        self.maximum = MAX_QUANTITY - self.step if maximum is None else maximum
        self.pattern = _quantity_pattern(maximum, decimals, positive=exclusive and minimum == 0)
        self._string_pattern = _quantity_pattern(maximum, decimals, positive=False)
        metadata = {"example": "12.500", **kwargs.pop("metadata", {})}
        super().__init__(places=decimals, as_string=True, metadata=metadata, **kwargs)

    @property
    def number_minimum(self) -> Decimal:
        """The least JSON number taken: above the minimum by a step when it is exclusive."""
        return self.minimum + self.step if self.exclusive else self.minimum

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise self.make_error("invalid")
        if isinstance(value, str) and not re.fullmatch(self._string_pattern, value):
            raise ValidationError(
                f"Write the quantity as digits with at most {self.decimals} decimals, "
                f"at most {self.maximum}: 12.5"
            )
        try:
            exact = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise self.make_error("invalid") from None
        if not exact.is_finite():
            raise self.make_error("special")
        if not isinstance(value, str):
            # a JSON number: bounds of the document's number form, then rounded
            if exact < self.number_minimum:
                raise ValidationError(f"Must be at least {self.number_minimum}.")
            if exact > self.maximum:
                raise ValidationError(f"Must be at most {self.maximum}.")
            exact = exact.quantize(self.step, rounding=ROUND_HALF_UP)
            return super()._deserialize(str(exact), attr, data, **kwargs)
        # bounds first: quantizing a huge number raises InvalidOperation
        too_small = exact <= self.minimum if self.exclusive else exact < self.minimum
        if too_small:
            raise ValidationError(
                f"Must be greater than {'' if self.exclusive else 'or equal to '}{self.minimum}."
            )
        if exact > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")
        if exact != exact.quantize(self.step, rounding="ROUND_DOWN"):
            raise ValidationError(f"At most {self.decimals} decimal places.")
        return super()._deserialize(value, attr, data, **kwargs)


def _quantity_pattern(maximum: Decimal | None, decimals: int, *, positive: bool) -> str:
    """The decimal strings from 0 up to `maximum` (a power of ten, inclusive; None: below
    MAX_QUANTITY), with at most `decimals` decimals; above zero if `positive`."""
    fraction = rf"(\.[0-9]{{1,{decimals}}})?"
    lead = ABOVE_ZERO if positive else ""
    if maximum is None:
        return rf"^{lead}[0-9]{{1,11}}{fraction}$"
    digits = len(str(int(maximum))) - 1
    if maximum != Decimal(10) ** digits:
        raise ValueError("A quantity's maximum is a power of ten.")
    below = rf"[0-9]{{1,{digits}}}{fraction}"
    return rf"^{lead}(?:{below}|{int(maximum)}(\.0{{1,{decimals}}})?)$"


def quantity_openapi(self: Any, field: Any, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a QuantityField is a decimal string or a number (rounded
    to its decimals, within bounds that stay allowed once rounded)."""
    if not isinstance(field, QuantityField):
        return {}
    for key in ("type", "format", "pattern", "minimum", "exclusiveMinimum"):
        ret.pop(key, None)
    number: dict[str, Any] = {
        "type": "number",
        "minimum": float(field.number_minimum),
        "maximum": float(field.maximum),
        "description": f"A JSON number is rounded to {field.decimals} decimals (half up)",
    }
    return {"oneOf": [{"type": "string", "pattern": field.pattern}, number]}


def money(*, minimum: int = 0, maximum: int = 10**15, **kwargs) -> fields.Integer:  # type: ignore[no-untyped-def]
    """A whole-VND amount: a strict integer, by default 0 .. 10^15. The bounds are the
    service's own, so that the document allows no amount the service refuses."""
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)


YEARS_2000_2099 = r"^20[0-9]{2}-"


class Day(fields.Date):
    """An ISO 8601 date in years 2000..2099, as the document's pattern on the year says (a
    day the service refuses as too far back is not one the document allows). A day in the
    future is refused by the services with 409 (a rule about the present)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": YEARS_2000_2099, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date:  # type: ignore[no-untyped-def]
        day = super()._deserialize(value, attr, data, **kwargs)
        if not 2000 <= day.year <= 2099:
            raise ValidationError("Give a date from 2000 to 2099.")
        return day


class Moment(fields.AwareDateTime):
    """An ISO 8601 timestamp WITH offset, in years 2000..2099 (no overflow at conversion);
    the document says so with a pattern on the year. A moment in the future is refused by
    the services with 409 (a rule about the present)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": YEARS_2000_2099, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:  # type: ignore[no-untyped-def]
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not 2000 <= moment.year <= 2099:
            raise ValidationError("Give a date from 2000 to 2099.")
        return moment
