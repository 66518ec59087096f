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


_NOT_A_WORD = re.compile(r"[\W_]+")


def search_words(text: str | None) -> list[str]:
    """The folded words of a text: letters and digits, split at anything else
    ('Ba kích (rút lõi)' -> ['ba', 'kich', 'rut', 'loi'])."""
    return [word for word in _NOT_A_WORD.split(fold(text or "")) if word]


def word_index(*parts: str | None) -> str:
    """The folded words of several fields, each once, with a space at both ends
    (' ba kich kho rut loi '): a word or the start of a word `w` is found by LIKE '% w%',
    and `w` inside a word is not ('co' finds 'cổ', 'cong', not 'ốc')."""
    words = dict.fromkeys(word for part in parts for word in search_words(part))
    return f" {' '.join(words)} " if words else ""
