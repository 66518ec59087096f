"""Faults of a page found without the Nu HTML validator (issue 15): a `type=month` input with
`placeholder` or `pattern` (not allowed there), a required select whose first option is not
empty (the "placeholder label option" HTML requires), and a page without its icon
(`<link rel="icon">`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class PageFaults(HTMLParser):
    """Collects the faults of one page; `faults` after `feed()` and `close()`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.faults: list[str] = []
        self.has_icon = False
        self._select: str | None = None  # the name of a required select awaiting its first option
        self._option_text: list[str] | None = None  # text of a first option without value=

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value for name, value in attrs}
        name = attributes.get("name") or attributes.get("id") or "?"
        if tag == "link" and "icon" in (attributes.get("rel") or "").lower().split():
            self.has_icon = bool(attributes.get("href"))
        elif tag == "input" and (attributes.get("type") or "").lower() == "month":
            for attribute in ("placeholder", "pattern"):
                if attribute in attributes:
                    self.faults.append(f"input type=month {name!r} has {attribute}")
        elif tag == "select":
            size = attributes.get("size") or "1"
            single = "multiple" not in attributes and (not size.isdigit() or int(size) <= 1)
            if "required" in attributes and single:
                self._select = name
        elif tag == "optgroup" and self._select is not None:
            self._fault("starts with an option group")
        elif tag == "option" and self._select is not None:
            value = attributes.get("value")
            if value is None:
                self._option_text = []  # its value is its text: see the end of the option
            elif value != "":
                self._fault(f"starts with the option value={value!r}")
            else:
                self._select = None

    def handle_data(self, data: str) -> None:
        if self._option_text is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option_text is not None:
            text = "".join(self._option_text).strip()
            self._option_text = None
            if text:
                self._fault(f"starts with the option {text!r}")
            else:
                self._select = None
        elif tag == "select" and self._select is not None:
            self._fault("has no option")

    def _fault(self, what: str) -> None:
        self.faults.append(f"required select {self._select!r} {what}, not an empty option")
        self._select = None


def page_faults(html: str) -> list[str]:
    """The faults of a page (an empty list when there are none)."""
    parser = PageFaults()
    parser.feed(html)
    parser.close()
    if not parser.has_icon:
        parser.faults.append('no <link rel="icon">')
    return parser.faults


def visible_text(html: str) -> str:
    """The page's text without tags, attributes or scripts (data-value keeps ISO values)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))
