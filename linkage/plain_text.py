"""The one rule for text sent to the app: no control characters.

PostgreSQL refuses NUL in text (a server error if it ever reached the database), and the other
C0 controls and DEL have no place in a name, a code or a note. A multi-line field (a form's
text area, an API note or description) keeps tab, line feed and carriage return.

The rule is applied in one place per way in: every text field of the forms
(`blueprints.forms.FlaskForm`), every string of the API schemas (`linkage.schemas.base.Schema`)
and every text piece of a URL path (`linkage.routing.TextConverter`).
"""

from __future__ import annotations

import re

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


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` holds a character the rule refuses."""
    return (_MULTI_LINE if multiline else _SINGLE_LINE).search(text) is not None
