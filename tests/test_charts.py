"""Server-made SVG charts: valid markup, escaped labels, scaled bars."""

from __future__ import annotations

import xml.dom.minidom

from linkage.charts import UNITS_VI, Series, _nice_max, bar_chart, line_chart, short_number


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
    assert _nice_max(1_001) == 1_200
    assert _nice_max(1_131_797_225) == 1_200_000_000  # grid lines at 300M, 600M, 900M
    assert _nice_max(2_100) == 2_400


def test_short_numbers_in_english_and_vietnamese():
    assert short_number(12_500_000) == "12.5M"
    assert short_number(1_200_000_000) == "1.2B"
    assert short_number(600_000) == "600k"
    assert short_number(59.6) == "59.6"
    assert short_number(12_500_000, UNITS_VI, comma=True) == "12,5 tr"
    assert short_number(1_200_000_000, UNITS_VI, comma=True) == "1,2 tỷ"
    assert short_number(600_000, UNITS_VI, comma=True) == "600 N"


def test_a_chart_takes_the_readers_number_format():
    svg = bar_chart(["a"], [Series("x", [2_500_000])], title="t", short=lambda v: f"<{v:g}>")
    assert "&lt;2.5e+06&gt;" in svg  # the formatter's text, escaped
