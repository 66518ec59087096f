"""URL converters of the app."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

from models.types import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>`: a database id, 1 to 2,147,483,647. Anything else is a 404 here: a larger
    number would reach the database and fail there (SQLite and PostgreSQL integers)."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)
