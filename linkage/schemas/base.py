"""The API schemas' base class: every string they read follows the rule of linkage.plain_text.

Every schema of the API derives from `Schema` below (tests/test_plain_text.py checks it). The
rule is added to each string field when a schema is made, including the strings inside lists,
tuples and dictionaries: no control characters, which the OpenAPI document describes as the
field's `pattern` (unless the field has a stricter pattern of its own), so that a request the
document allows is never refused by it; and no letter with accents stacked high. The strings
of a JSON body are composed (NFC) before they are read. A field with `metadata={"secret":
True}` (a password) is compared as typed: neither composed nor checked for stacked accents.

A rule across fields (a term only for a loan) is written twice, side by side: `Meta.any_of`,
the JSON Schemas of which a request must match one (the component's `anyOf`, added by
`RulesPlugin`), and the schema's `@validates_schema` method that refuses the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from typing import Any

import marshmallow
from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import ValidationError, fields, pre_load
from marshmallow.validate import Validator

from linkage.plain_text import (
    ACCEPTED_PATTERN,
    API_MESSAGE,
    API_STACKED_MARKS_MESSAGE,
    composed_all,
    has_control_characters,
    has_stacked_marks,
)


class PlainText(Validator):
    """No control character but tab, line feed and carriage return (notes are multi-line);
    unless `secret`, no letter with accents stacked high."""

    error = API_MESSAGE

    def __init__(self, *, secret: bool = False) -> None:
        self.secret = secret

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if has_control_characters(value, multiline=True):
            raise ValidationError(self.error)
        if not self.secret and has_stacked_marks(value):
            raise ValidationError(API_STACKED_MARKS_MESSAGE)
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


def is_secret(field: fields.Field) -> bool:
    return bool(field.metadata.get("secret"))


class Schema(marshmallow.Schema):
    """marshmallow's Schema whose string fields refuse control characters and stacked accents,
    and whose JSON strings are composed (NFC) before they are read."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        for text in text_fields(field_obj):
            if not any(isinstance(v, PlainText) for v in text.validators):
                text.validators = [PlainText(secret=is_secret(field_obj)), *text.validators]

    @pre_load
    def compose_text(self, data: Any, **_kwargs: Any) -> Any:
        """Every string of a JSON object (a body), but secrets, in normal form C. Query
        strings (webargs' multi-dictionaries) only filter and are read as sent."""
        if not isinstance(data, dict):
            return data
        secrets = {f.data_key or name for name, f in self.load_fields.items() if is_secret(f)}
        return {key: v if key in secrets else composed_all(v) for key, v in data.items()}


def plain_text_openapi(
    self: Any, field: Any, ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """apispec attribute function: a string a request may send is described by the rule."""
    if field.dump_only or "pattern" in ret or "enum" in ret:
        return {}
    if not any(isinstance(v, PlainText) for v in field.validators):
        return {}
    return {"pattern": ACCEPTED_PATTERN}


class RulesPlugin(BasePlugin):
    """apispec plugin: a schema's rule across fields, `Meta.any_of`, in its component as an
    `anyOf` (OpenAPI 3.0.3: the request matches at least one of these schemas)."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], schema: Any = None, **kwargs: Any
    ) -> dict[str, Any] | None:
        if schema is None:
            return None
        meta = getattr(resolve_schema_instance(schema), "Meta", None)
        any_of = getattr(meta, "any_of", None)
        return {"anyOf": deepcopy(any_of)} if any_of else None
