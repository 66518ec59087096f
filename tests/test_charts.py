"""Server-made SVG charts: valid markup, escaped labels, scaled bars."""

from __future__ import annotations

import xml.dom.minidom

from linkage.charts import Series, _nice_max, bar_chart, line_chart


def test_bar_chart_is_valid_svg_with_escaped_labels():
    svg = bar_chart(["Đạo Trù", "<script>"], [Series("Doanh thu", [10, 20])], title="A & B")
    document = xml.dom.minidom.parseString(svg)
    assert document.documentElement.getAttribute("role") == "img"
    assert document.documentElement.getAttribute("aria-label") == "A & B"
    assert "<script>" not in svg
    assert "Đạo Trù" in svg


def test_bars_are_proportional():
    svg = bar_chart(["a", "b"], [Series("s", [50, 100])], title="t")
    document = xml.dom.minidom.parseString(svg)
    widths = [float(r.getAttribute("width")) for r in document.getElementsByTagName("rect")]
    assert widths[1] == 2 * widths[0]


def test_line_chart_has_one_polyline_per_series():
    svg = line_chart(["2026-01", "2026-02"], [Series("a", [1, 2]), Series("b", [0, 0])], title="t")
    document = xml.dom.minidom.parseString(svg)
    assert len(document.getElementsByTagName("polyline")) == 2


def test_empty_data_still_draws():
    xml.dom.minidom.parseString(bar_chart([], [], title="empty"))
    xml.dom.minidom.parseString(line_chart([], [Series("a", [])], title="empty"))


def test_nice_axis_maximum():
    assert _nice_max(0) == 1
    assert _nice_max(5_600_000) == 6_000_000
    assert _nice_max(1_000) == 1_000
    assert _nice_max(1_001) == 1_500
