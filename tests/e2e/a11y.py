"""axe-core on every page a browser test visits (issue 15, point 6).

axe-core comes from npm (`.ci/run` installs it into a cache folder; it is not committed): the
file named by AXE_CORE_JS, by default
`${XDG_CACHE_HOME:-~/.cache}/linkage/axe/node_modules/axe-core/axe.min.js`.

It is added to every document as an init script, which the Content-Security-Policy does not
govern (the browser adds it, not the page), so the contexts keep the real policy. Each
document is audited once, just before the test does something that may leave it (a click, a
key press, goto) and, for the last page, when the test ends; serious and critical violations
fail the test, listed with the page, its language and the viewport. A page opened without
JavaScript cannot run axe: its HTML, as the browser holds it, is audited in a twin page with
JavaScript but where the page's own scripts are refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAILING_IMPACTS = ("serious", "critical")
ARTIFACTS = Path(__file__).parent / "artifacts"


def axe_core_path() -> Path:
    """Where axe.min.js is: AXE_CORE_JS, else the cache folder `.ci/run` installs it into."""
    named = os.environ.get("AXE_CORE_JS")
    if named:
        return Path(named)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "linkage" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


# Runs in every document before the page's scripts. The audit starts when Python first asks
# for it, after the load event, and is kept: asking again returns the same answer.
RUNNER = """
(() => {
  if (window.top !== window) return;
  const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  let audit = null;
  const summary = (result) => ({
    id,
    url: location.href,
    lang: document.documentElement.lang,
    width: window.innerWidth,
    height: window.innerHeight,
    violations: result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        url: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(" "),
          html: n.html.slice(0, 160),
          why: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300),
        })),
      })),
  });
  window.__linkageA11yId = id;
  window.__linkageA11y = () => {
    if (!audit) {
      audit = new Promise((resolve) => {
        const run = () => resolve(window.axe.run(document, {resultTypes: ["violations"]}));
        if (document.readyState === "complete") run();
        else window.addEventListener("load", run, {once: true});
      }).then(summary);
    }
    return audit;
  };
})();
"""


@dataclass
class Report:
    """One audited document: its address, language, viewport and failing violations."""

    url: str
    lang: str
    viewport: str
    violations: list[dict[str, Any]]

    def lines(self) -> list[str]:
        out = [f"{self.url} (lang={self.lang}, {self.viewport}):"]
        for violation in self.violations:
            out.append(
                f"  [{violation['impact']}] {violation['rule']}: {violation['help']}"
                f" ({len(violation['nodes'])} element(s); {violation['url']})"
            )
            for node in violation["nodes"][:5]:
                out.append(f"      {node['target']}  {node['html']}")
                if node["why"]:
                    out.append(f"        {node['why']}")
        return out


@dataclass
class Audit:
    """The axe audits of one test's pages."""

    browser: Any
    axe_js: Path
    reports: dict[str, Report] = field(default_factory=dict)
    pages: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    _twin: Any = None

    def watch(self, page: Any, options: dict[str, Any]) -> None:
        self.pages.append((page, options))

    def options_of(self, page: Any) -> dict[str, Any] | None:
        for watched, options in self.pages:
            if watched is page:
                return options
        return None

    def check(self, page: Any) -> None:
        """Audit the page's current document unless it has been already."""
        options = self.options_of(page)
        if options is None or page.is_closed() or not page.url.startswith("http"):
            return
        for attempt in range(3):  # a document may be replaced while it is being read
            try:
                if options.get("java_script_enabled", True):
                    self._check_live(page)
                else:
                    self._check_twin(page, options)
                return
            except Exception as error:  # playwright's errors carry no finer type
                replaced = "destroyed" in str(error) or "navigat" in str(error)
                if not replaced or attempt == 2:
                    raise

    def _check_live(self, page: Any) -> None:
        doc = page.evaluate("window.__linkageA11yId || null")
        if doc is None or doc in self.reports:
            return
        self._record(page.evaluate("window.__linkageA11y()"))

    def _check_twin(self, page: Any, options: dict[str, Any]) -> None:
        doc = page.evaluate("window.__linkageA11yId || null")
        if doc is None or doc in self.reports:
            return
        url, html = page.url, page.content()
        address = url.split("#")[0]
        twin = self._twin_page(options)

        def this_page(candidate: str) -> bool:
            return candidate == address

        twin.route(
            this_page,
            lambda route: route.fulfill(
                status=200,
                body=html,
                headers={
                    "content-type": "text/html; charset=utf-8",
                    "content-security-policy": "script-src 'none'",  # as without JavaScript
                },
            ),
        )
        twin.goto(url)
        result = twin.evaluate("window.__linkageA11y()")
        twin.unroute(this_page)
        result["id"] = doc
        self._record(result)

    def _twin_page(self, options: dict[str, Any]) -> Any:
        if self._twin is None:
            settings = {
                k: v for k, v in options.items() if k not in ("java_script_enabled", "screenshot")
            }
            context = self.browser.new_context(**settings)
            context.add_init_script(path=str(self.axe_js))
            context.add_init_script(script=RUNNER)
            self._twin = context.new_page()
        return self._twin

    def _record(self, result: dict[str, Any]) -> None:
        self.reports[result["id"]] = Report(
            url=result["url"],
            lang=result["lang"],
            viewport=f"{result['width']}x{result['height']}",
            violations=result["violations"],
        )

    def finish(self, name: str) -> None:
        """Audit the pages left open, save their screenshots, fail on any violation."""
        for number, (page, options) in enumerate(self.pages, start=1):
            if page.is_closed() or not page.url.startswith("http"):
                continue
            self.check(page)
            if options.get("screenshot"):
                ARTIFACTS.mkdir(exist_ok=True)
                suffix = f"-{number}" if len(self.pages) > 1 else ""
                page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
        self.close()
        failing = [report for report in self.reports.values() if report.violations]
        if failing:
            lines = [f"axe-core: serious or critical violations on {len(failing)} page(s)"]
            for report in failing:
                lines.extend(report.lines())
            raise AssertionError("\n".join(lines))

    def close(self) -> None:
        if self._twin is not None:
            self._twin.context.close()
            self._twin = None


def artifact_name(nodeid: str) -> str:
    """A file name for a test: `test_keyboard_journeys-test_order[en-360x740]`."""
    path, _, name = nodeid.partition("::")
    name = f"{Path(path).stem}-{name}"
    return re.sub(r"[^\w\[\].,=-]+", "_", name)[:150]


# Actions after which the page may show another document: the document in hand is audited
# first. (Typing and reading never leave a page.)
PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward", "click", "dblclick", "press", "tap")
LOCATOR_ACTIONS = ("click", "dblclick", "press", "tap", "check", "uncheck", "set_checked")
KEYBOARD_ACTIONS = ("press", "type")


def guard_actions(audit: Audit, page: Any) -> None:
    """Wrap the page's (and its keyboard's) leaving actions so that they audit first."""

    def wrap(target: Any, name: str) -> None:
        original = getattr(target, name)

        def audited(*args: Any, **kwargs: Any) -> Any:
            audit.check(page)
            return original(*args, **kwargs)

        setattr(target, name, audited)

    for name in PAGE_ACTIONS:
        wrap(page, name)
    for name in KEYBOARD_ACTIONS:
        wrap(page.keyboard, name)


def guard_locators(monkeypatch: Any, audits: dict[int, Audit]) -> None:
    """Locators are made afresh at every call: their class's leaving actions audit first."""
    from playwright.sync_api import Locator

    for name in LOCATOR_ACTIONS:
        original = getattr(Locator, name)

        def audited(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            audit = audits.get(id(self.page))
            if audit is not None:
                audit.check(self.page)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Locator, name, audited)
