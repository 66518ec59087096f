"""Shared schema pieces: pagination arguments and the page envelope."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

MAX_PAGE = 1_000_000


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


def envelope(page: object) -> dict[str, object]:
    """A services.paging.Page as the envelope's mapping."""
    return {
        "items": page.items,  # type: ignore[attr-defined]
        "page": page.page,  # type: ignore[attr-defined]
        "per_page": page.per_page,  # type: ignore[attr-defined]
        "total": page.total,  # type: ignore[attr-defined]
    }
