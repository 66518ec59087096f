"""The message catalogs: Vietnamese complete and up to date with the sources, served by locale.

When a test here fails after you added or changed a string, run `make extract-translations`,
translate the new entries of linkage/translations/vi/LC_MESSAGES/messages.po (no `fuzzy`
flags), then `make translations`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "linkage" / "translations"
LANGUAGES = ("vi", "en")
PLURAL_FORMS = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
# The keywords of the Makefile's extract-translations target (-k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]?\d*(?:\.\d+)?[sdifr]|%[sdifr%]")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def msgids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def msgstrs(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def extract_sources() -> dict[str, list[str]]:
    """Msgid -> source locations, extracted with babel.cfg as `make extract-translations` does.

    Only dot-folders are skipped (as with `pybabel extract --ignore-dirs '.*'`), so strings in
    folders like templates/_macros count too.
    """
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: not os.path.basename(path).startswith("."),
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="session")
def compiled_catalogs() -> None:
    """The .mo files the app reads, as `make translations` writes them (atomic for xdist)."""
    for lang in LANGUAGES:
        target = po_path(lang).with_suffix(".mo")
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            write_mo(tmp, load(lang), use_fuzzy=False)
        os.replace(tmp.name, target)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_exists_with_plural_forms(lang: str) -> None:
    assert po_path(lang).is_file(), f"missing catalog {po_path(lang)}"
    catalog = load(lang)
    assert str(catalog.locale) == lang
    assert catalog.plural_forms == PLURAL_FORMS[lang]


# Words written the same in both languages: a Vietnamese "translation" equal to its English
# msgid is otherwise an untranslated message copied over.
SAME_IN_BOTH = {"API", "Email", "Kinh", "Linkage", "kg"}


def catalog_problems(catalog: Catalog) -> dict[str, list]:
    """Untranslated (empty, or the English copied unchanged) and fuzzy messages of a
    Vietnamese catalog."""
    untranslated = [
        m.id
        for m in entries(catalog)
        if not all(s.strip() for s in msgstrs(m))
        or any(s == msgids(m)[0] and s not in SAME_IN_BOTH for s in msgstrs(m))
    ]
    fuzzy = [m.id for m in entries(catalog) if m.fuzzy]
    return {"untranslated": untranslated, "fuzzy": fuzzy}


def test_every_vietnamese_message_is_translated_and_not_fuzzy() -> None:
    catalog = load("vi")
    assert entries(catalog), "the Vietnamese catalog is empty"
    problems = catalog_problems(catalog)
    assert not (problems["untranslated"] or problems["fuzzy"]), (
        f"vi/messages.po: untranslated {problems['untranslated']}; "
        f"fuzzy (check them, then drop the flag) {problems['fuzzy']}"
    )
    assert not catalog.fuzzy, "the header of vi/messages.po is marked fuzzy"


def test_the_check_finds_untranslated_and_fuzzy_messages() -> None:
    """The test above can fail: an empty, a copied and a fuzzy entry are each reported."""
    catalog = Catalog(locale="vi")
    catalog.add("Orders", "Đơn hàng")
    catalog.add("Log in", "")
    catalog.add("New order", "New order")
    catalog.add("Paid", "Đã trả", flags=["fuzzy"])
    catalog.add(("%(num)d lot", "%(num)d lots"), ("",))
    catalog.add("API", "API")
    problems = catalog_problems(catalog)
    assert problems["untranslated"] == ["Log in", "New order", ("%(num)d lot", "%(num)d lots")]
    assert problems["fuzzy"] == ["Paid"]


def test_the_english_catalog_has_no_fuzzy_entry() -> None:
    """A fuzzy English entry is left out of the compiled catalog: its page would show the
    msgid instead of the text someone meant."""
    catalog = load("en")
    fuzzy = [m.id for m in entries(catalog) if m.fuzzy]
    assert not fuzzy and not catalog.fuzzy, f"en/messages.po: fuzzy {fuzzy}"


def test_catalog_is_up_to_date_with_the_sources() -> None:
    extracted = extract_sources()
    assert extracted, "no messages extracted: is babel.cfg right?"
    known = {msgid for m in entries(load("vi")) for msgid in msgids(m)}
    missing = {msgid: where for msgid, where in extracted.items() if msgid not in known}
    listing = "\n".join(f"  {msgid!r} ({', '.join(where)})" for msgid, where in missing.items())
    assert not missing, (
        f"{len(missing)} source string(s) missing from vi/messages.po; run "
        f"`make extract-translations` and translate them:\n{listing}"
    )


def test_placeholders_are_kept() -> None:
    wrong = []
    for message in entries(load("vi")):
        source = Counter(PLACEHOLDER.findall(msgids(message)[0]))
        for translation in msgstrs(message):
            if Counter(PLACEHOLDER.findall(translation)) != source or (
                translation.count("%") != msgids(message)[0].count("%")
            ):
                wrong.append((message.id, translation))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_are_vietnamese_by_default_and_english_on_request(
    compiled_catalogs: None, client: FlaskClient, path: str
) -> None:
    log_in_vi = load("vi")["Log in"].string
    assert log_in_vi and log_in_vi != "Log in"

    html = page_text(client, path)
    assert '<html lang="vi">' in html
    assert log_in_vi in html
    assert "Log in" not in html

    assert client.get("/language/en").status_code == 302
    html = page_text(client, path)
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert log_in_vi not in html


def test_english_is_a_known_locale(compiled_catalogs: None, client: FlaskClient) -> None:
    assert client.get("/language/en").status_code == 302
    assert client.get("/language/fr").status_code == 404
