"""Ethnic groups by name: Vietnam's 54 groups found by any spelling in use, with or without
diacritics ('H'Mông', 'Hmong', 'Mong')."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import select

from linkage.extensions import db
from linkage.services.errors import UnknownReference
from linkage.text import fold
from models import EthnicGroup

# Other spellings in use for some groups (keys as made by `ethnicity_key`).
ETHNICITY_ALIASES = {
    "hmong": "08",
    "jarai": "10",
    "rhade": "12",
    "bahnar": "13",
    "sedang": "14",
    "kho": "16",
    "vankieu": "23",
    "bru": "23",
    "katu": "26",
    "khmu": "29",
}
_SEPARATORS = re.compile(r"[\s'’‘`´\-]+")


@lru_cache(maxsize=4096)
def folded(text: str) -> str:
    """`fold`, remembered: a file repeats the same few group names, statuses and yes/no."""
    return fold(text)


def ethnicity_key(text: str) -> str:
    """'H'Mông', 'Hmong' -> 'hmong': folded, without spaces, hyphens and apostrophes."""
    return _SEPARATORS.sub("", folded(text))


def ethnicity_index() -> dict[str, EthnicGroup]:
    """The 54 groups by the keys of their Vietnamese name, name without diacritics, aliases."""
    groups = list(db.session.scalars(select(EthnicGroup)))
    by_code = {group.code: group for group in groups}
    index: dict[str, EthnicGroup] = {}
    for group in groups:
        index[ethnicity_key(group.name_vi)] = group
        index[ethnicity_key(group.name_ascii)] = group
    for alias, code in ETHNICITY_ALIASES.items():
        if code in by_code:
            index.setdefault(alias, by_code[code])
    return index


def resolve_ethnicity(text: str) -> EthnicGroup:
    """The ethnic group named `text` (with or without diacritics, any case); 422 if unknown."""
    group = ethnicity_index().get(ethnicity_key(text or ""))
    if group is None:
        raise UnknownReference(unknown_ethnicity(text or ""), field="ethnicity")
    return group


def unknown_ethnicity(text: str) -> str:
    """The message for a name that is none of the 54 groups."""
    return _(
        "Unknown ethnic group “%(name)s”. Use one of Vietnam's 54 ethnic groups, "
        "for example Kinh, Mường, Dao, Tày, Sán Dìu, H'Mông.",
        name=text[:40],
    )
