"""The API schemas' base class: every string they read refuses control characters.

Every schema of the API derives from `Schema` below (tests/test_plain_text.py checks it). The
rule (linkage.plain_text) is added to each string field when a schema is made, including the
strings inside lists, tuples and dictionaries, and is described in the OpenAPI document as the
field's `pattern` (unless the field has a stricter pattern of its own), so that a request the
document allows is never refused by it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import marshmallow
from marshmallow import ValidationError, fields
from marshmallow.validate import Validator

from linkage.plain_text import ACCEPTED_PATTERN, API_MESSAGE, has_control_characters


class PlainText(Validator):
    """No control character but tab, line feed and carriage return (notes are multi-line)."""

    error = API_MESSAGE

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and has_control_characters(value, multiline=True):
            raise ValidationError(self.error)
        return value


def text_fields(field: fields.Field) -> Iterator[fields.String]:
    """The string fields of `field`: itself, or those inside a list, tuple or dictionary."""
    if isinstance(field, fields.String):
        yield field
    elif isinstance(field, fields.List):
        yield from text_fields(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            yield from text_fields(inner)
    elif isinstance(field, fields.Mapping):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                yield from text_fields(inner)


class Schema(marshmallow.Schema):
    """marshmallow's Schema whose string fields refuse control characters."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        for text in text_fields(field_obj):
            if not any(isinstance(v, PlainText) for v in text.validators):
                text.validators = [PlainText(), *text.validators]


def plain_text_openapi(
    self: Any, field: Any, ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """apispec attribute function: a string a request may send is described by the rule."""
    if field.dump_only or "pattern" in ret or "enum" in ret:
        return {}
    if not any(isinstance(v, PlainText) for v in field.validators):
        return {}
    return {"pattern": ACCEPTED_PATTERN}
