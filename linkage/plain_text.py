"""The one rule for text sent to the app: no control characters, composed accents.

PostgreSQL refuses NUL in text (a server error if it ever reached the database), and the other
C0 controls and DEL have no place in a name, a code or a note. A multi-line field (a form's
text area, an API note or description) keeps tab, line feed and carriage return.

Text is kept in Unicode normal form C: some Vietnamese keyboards type "ế" as e + two combining
accents (form D), which looks the same but neither matches a search nor sorts with the
composed "ế" typed elsewhere. A letter carries at most two accent marks in Vietnamese ("ệ" is
e, circumflex and dot below), and few more in any language the app serves; a tall stack of
them (more than MAX_STACKED_MARKS on one letter) paints over the lines above it and is refused.

The rule is applied in one place per way in: every text field of the forms
(`blueprints.forms.FlaskForm`), every string of the API schemas (`linkage.schemas.base.Schema`)
and every text piece of a URL path (`linkage.routing.TextConverter`, control characters only).
Secrets (passwords) are only checked for control characters: they are compared as typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l

# character classes, written as escapes so that they read the same in Python, in an OpenAPI
# `pattern` (ECMA-262) and in a Werkzeug route regex
SINGLE_LINE_CONTROLS = r"\x00-\x1f\x7f"
MULTI_LINE_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"

# the OpenAPI description of a string the API accepts
ACCEPTED_PATTERN = rf"^[^{MULTI_LINE_CONTROLS}]*$"

_SINGLE_LINE = re.compile(f"[{SINGLE_LINE_CONTROLS}]")
_MULTI_LINE = re.compile(f"[{MULTI_LINE_CONTROLS}]")

SINGLE_LINE_MESSAGE = _l("Remove the control characters (such as tabs or line breaks).")
MULTI_LINE_MESSAGE = _l("Remove the control characters (invisible characters such as NUL).")
API_MESSAGE = "Must not contain control characters (tab, line feed and carriage return excepted)."

MAX_STACKED_MARKS = 3
STACKED_MARKS_MESSAGE = _l(
    "Remove the accent marks stacked on one letter (at most %(max)d on a letter).",
    max=MAX_STACKED_MARKS,
)
API_STACKED_MARKS_MESSAGE = (
    f"Must not stack more than {MAX_STACKED_MARKS} combining marks on one character."
)
_MARKS = frozenset(("Mn", "Me"))  # marks drawn over or under the letter before them


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` holds a character the rule refuses."""
    return (_MULTI_LINE if multiline else _SINGLE_LINE).search(text) is not None


def composed(text: str) -> str:
    """`text` in Unicode normal form C (accents composed with their letters)."""
    return unicodedata.normalize("NFC", text)


def composed_all(value: Any) -> Any:
    """`value` with every string in it, inside lists and dictionaries too, composed."""
    if isinstance(value, str):
        return composed(value)
    if isinstance(value, list):
        return [composed_all(item) for item in value]
    if isinstance(value, dict):
        return {key: composed_all(item) for key, item in value.items()}
    return value


def has_stacked_marks(text: str) -> bool:
    """Whether a letter of `text` carries more than MAX_STACKED_MARKS combining marks, counted
    with its accents apart (form D)."""
    run = 0
    for character in unicodedata.normalize("NFD", text):
        if unicodedata.category(character) in _MARKS:
            run += 1
            if run > MAX_STACKED_MARKS:
                return True
        else:
            run = 0
    return False
