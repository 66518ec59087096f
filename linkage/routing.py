"""URL converters of the app."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

from linkage.plain_text import SINGLE_LINE_CONTROLS
from models.types import MAX_ID


class IdConverter(IntegerConverter):
    """`<id:name>`: a database id, 1 to 2,147,483,647. Anything else is a 404 here: a larger
    number would reach the database and fail there (SQLite and PostgreSQL integers)."""

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: one path piece without control characters; a piece that
    holds one matches no route (404), so a NUL never reaches the database."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", f"[^/{SINGLE_LINE_CONTROLS}]", 1)
