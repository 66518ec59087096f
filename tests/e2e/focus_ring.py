"""The focus ring's contrast, measured in the browser (WCAG 2.2: 1.4.11 and 2.4.13 ask 3:1).

Every element of the page's Tab order is focused in turn (after one real Tab press, so that
`:focus-visible` applies as it does for keyboard users). Its outline must be drawn (at least
2 CSS px) and its colour must reach 3:1 against what lies under the ring: the ring runs
`outline-offset + outline-width / 2` px outside the border box, and the element found there
(not the focused one) gives the background, composited through its ancestors' backgrounds;
a ring drawn inside the box (negative offset) lies on the element's own background.
"""

from __future__ import annotations

from typing import Any

MIN_CONTRAST = 3.0

MEASURE = """
(minimum) => {
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => {  // top composited over an opaque colour
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const background = (start) => {  // the opaque colour painted behind `start`'s content
    const layers = [];
    for (let e = start; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let colour = [255, 255, 255, 1];  // the canvas
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const describe = (e) => {
    const text = (e.innerText || e.value || e.getAttribute("aria-label") || e.name || "")
      .trim().split("\\n")[0];
    return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." +
      String(e.className).trim().replace(/\\s+/g, ".") : ""}> "${text.slice(0, 40)}"`;
  };
  const tabbable = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
  )].filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0 &&
    getComputedStyle(e).visibility !== "hidden");
  const problems = [];
  let measured = 0;
  for (const element of tabbable) {
    element.focus();
    if (document.activeElement !== element) continue;
    const style = getComputedStyle(element);
    const width = parseFloat(style.outlineWidth) || 0;
    if (style.outlineStyle === "none" || width < 2) {
      problems.push(`${describe(element)}: no focus ring (outline ${style.outline})`);
      continue;
    }
    const ring = rgba(style.outlineColor);
    const offset = parseFloat(style.outlineOffset) || 0;
    const box = element.getBoundingClientRect();
    const d = offset + width / 2;
    const points = [
      [box.left + box.width / 2, box.top - d], [box.left + box.width / 2, box.bottom + d],
      [box.left - d, box.top + box.height / 2], [box.right + d, box.top + box.height / 2],
    ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
    for (const [x, y] of points) {
      let under = element;
      if (d > 0) {
        under = document.elementsFromPoint(x, y).find(
          (e) => e !== element && !element.contains(e)) || document.documentElement;
      }
      const behind = background(under);
      const ratio = contrast(ring, behind);
      measured += 1;
      if (ratio < minimum) {
        problems.push(`${describe(element)}: ring ${style.outlineColor} on ` +
          `rgb(${behind.slice(0, 3).map(Math.round).join(", ")}) (${describe(under)}): ` +
          `${ratio.toFixed(2)}:1`);
        break;
      }
    }
  }
  return {stops: tabbable.length, measured, problems};
}
"""


def focus_ring_problems(page: Any) -> list[str]:
    """The Tab stops of the page whose focus ring is missing or under 3:1, described."""
    page.keyboard.press("Tab")  # a keyboard user's focus: :focus-visible applies from here
    result = page.evaluate(MEASURE, MIN_CONTRAST)
    assert result["stops"] == 0 or result["measured"] > 0, f"{page.url}: nothing was measured"
    return [f"{page.url}: {problem}" for problem in result["problems"]]
