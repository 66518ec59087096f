"""Text helpers for Vietnamese: accent-insensitive search keys."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, without diacritics; đ becomes d ('Giảo cổ lam' -> 'giao co lam')."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_key(*parts: str | None) -> str:
    """The folded text of several fields, for LIKE searches that ignore accents and case."""
    return " ".join(fold(p) for p in parts if p)
