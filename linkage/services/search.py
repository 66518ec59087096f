"""Accent- and case-insensitive text search in SQL, the same on SQLite and PostgreSQL.

`linkage.text.fold` folds the query in Python ('Liên' -> 'lien'); `folded(column)` folds a
column the same way inside the query, so a search needs no folded copy of the column (no
schema change) and loads only the rows that match. It covers the letters of Vietnamese (both
cases, composed or decomposed) and needs no database extension: PostgreSQL gets one
`translate()`; SQLite, which has none (and whose lower() knows ASCII only), calls `fold`
itself, registered as a function on each connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from linkage.text import fold, search_words

_BASE = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
    "d": "đ",
}
# The combining marks of Vietnamese, for text stored decomposed (NFD): they are dropped.
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
_LETTERS = [
    (accented, plain)
    for plain, letters in _BASE.items()
    for lower in letters
    for accented in (lower, lower.upper())
]
_FROM = "".join(accented for accented, _plain in _LETTERS)
_TO = "".join(plain for _accented, plain in _LETTERS)
MAX_QUERY = 100
MAX_WORDS = 8
SQLITE_FOLD = "linkage_fold"


class folded(FunctionElement):
    """lower(text) without Vietnamese diacritics, as SQL: folded(Household.head_name)."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded)
def _folded_default(element: folded, compiler: Any, **kw: Any) -> str:
    """SQLite: linkage.text.fold itself, registered on each connection (see
    `register_sqlite_functions`): SQLite has no translate(), and a chain of 150 replace()
    calls overflows its parser."""
    (text,) = element.clauses
    return f"{SQLITE_FOLD}({compiler.process(text, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    """PostgreSQL: one translate() (letters to plain ones, marks dropped), then lower()."""
    (text,) = element.clauses
    return f"lower(translate({compiler.process(text, **kw)}, '{_FROM}{_MARKS}', '{_TO}'))"


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Make `folded()` work on a new SQLite connection (called when it connects)."""
    dbapi_connection.create_function(SQLITE_FOLD, 1, _fold_or_null, deterministic=True)


def _escaped(needle: str) -> str:
    return needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_folded(q: str, *columns: Any) -> ColumnElement[bool] | None:
    """A condition: one of the columns contains `q`, ignoring case and diacritics
    ('lien', 'LIEN' and 'Liên' all find 'Dương Thị Liên'); None when `q` is blank."""
    needle = fold(q or "")[:MAX_QUERY]
    if not needle:
        return None
    pattern = f"%{_escaped(needle)}%"
    return or_(*(folded(column).like(pattern, escape="\\") for column in columns))


def code_or_name(q: str | None, code: Any, name: Any) -> ColumnElement[bool] | None:
    """A condition: the code contains the query, or every word of the query starts a word
    of the name, in any order, ignoring case and diacritics ('lien', 'Thị Liên' and
    'lien duong' find 'Dương Thị Liên'; 'ien' does not; 'dt-00' finds 'DT-0042'); None when
    `q` is blank."""
    needle = fold(q or "")[:MAX_QUERY]
    if not needle:
        return None
    in_code = folded(code).like(f"%{_escaped(needle)}%", escape="\\")
    words = list(dict.fromkeys(search_words(needle)))[:MAX_WORDS]
    if not words:
        return in_code
    spaced_name = literal(" ", String()) + folded(name)
    starts = [spaced_name.like(f"% {_escaped(word)}%", escape="\\") for word in words]
    return or_(in_code, and_(*starts))
