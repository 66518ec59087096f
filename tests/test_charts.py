"""Server-made SVG charts: valid markup, escaped labels, scaled bars."""

from __future__ import annotations

import re
import xml.dom.minidom

from linkage.charts import (
    FONT_SIZE,
    NARROW,
    NARROW_BELOW,
    UNITS_VI,
    WIDE,
    Series,
    _nice_max,
    bar_chart,
    chart_markup,
    legend,
    line_chart,
    short_number,
)


def test_bar_chart_is_valid_svg_with_escaped_labels():
    svg = bar_chart(["Đạo Trù", "<script>"], [Series("Doanh thu", [10, 20])], title="A & B")
    document = xml.dom.minidom.parseString(svg)
    assert document.documentElement.getAttribute("role") == "img"
    assert document.documentElement.getAttribute("aria-label") == "A & B"
    assert "<script>" not in svg
    assert "Đạo Trù" in svg


def test_bars_are_proportional():
    for narrow in (False, True):
        svg = bar_chart(["a", "b"], [Series("s", [50, 100])], title="t", narrow=narrow)
        document = xml.dom.minidom.parseString(svg)
        widths = [float(r.getAttribute("width")) for r in document.getElementsByTagName("rect")]
        assert widths[1] == 2 * widths[0]


def test_line_chart_has_one_polyline_per_series():
    svg = line_chart(["2026-01", "2026-02"], [Series("a", [1, 2]), Series("b", [0, 0])], title="t")
    document = xml.dom.minidom.parseString(svg)
    assert len(document.getElementsByTagName("polyline")) == 2


MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
THREE = [
    Series("Sales", [float(m * 10) for m in range(12)], "orders paid"),
    Series("Paid", [float(m * 4) for m in range(12)], "payments"),
    Series("Attributed", [float(m * 10) for m in range(12)], "traced back"),  # = Sales
]


def _svgs(markup: str) -> list[xml.dom.minidom.Element]:
    return [
        xml.dom.minidom.parseString(svg).documentElement
        for svg in re.findall(r"<svg xmlns.*?</svg>", markup, flags=re.S)
    ]


def test_text_is_never_drawn_below_12_css_px():
    """The wide drawing is shown in boxes of at least NARROW_BELOW px, the narrow one in any
    box of a phone (at least 280 px): a font size in user units times the scale >= 12."""
    markup = chart_markup(MONTHS, THREE, title="t", kind="line", partial_at=11, partial_label="x")
    markup += chart_markup(["Đạo Trù"] * 5, THREE[:2], title="t")
    drawings = _svgs(markup)
    assert {d.getAttribute("class") for d in drawings} == {"chart chart-wide", "chart chart-narrow"}
    for drawing in drawings:
        width = float(drawing.getAttribute("viewBox").split()[2])
        assert width == (NARROW if "narrow" in drawing.getAttribute("class") else WIDE)
        smallest_box = 280 if width == NARROW else NARROW_BELOW
        texts = drawing.getElementsByTagName("text")
        assert texts
        for text in texts:
            assert float(text.getAttribute("font-size")) * smallest_box / width >= 12
    assert FONT_SIZE * NARROW_BELOW / WIDE >= 12


def test_each_line_has_its_own_dash_pattern_and_marker():
    svg = line_chart(MONTHS, THREE, title="t")
    document = xml.dom.minidom.parseString(svg)
    patterns = {
        line.getAttribute("stroke-dasharray") for line in document.getElementsByTagName("polyline")
    }
    assert len(patterns) == 3  # solid, dashed, dotted
    assert len(document.getElementsByTagName("circle")) == 12  # the first series' markers
    assert len(document.getElementsByTagName("polygon")) == 12  # the third's triangles
    squares = [r for r in document.getElementsByTagName("rect") if r.getAttribute("width") == "8"]
    assert len(squares) == 12


def test_equal_series_are_named_so_in_the_legend():
    html = legend(THREE)
    assert html.count("<li>") == 3
    assert "orders paid" in html and "traced back" in html  # what each series counts
    assert html.count("chart-note") == 1 and "“Sales”" in html  # Attributed equals Sales
    assert "chart-note" not in legend(THREE[:2])


def test_the_month_in_progress_is_partial_not_a_fall():
    values = [100.0] * 11 + [5.0]
    svg = line_chart(MONTHS, [Series("a", values)], title="t", partial_at=11, partial_label="P")
    document = xml.dom.minidom.parseString(svg)
    lines = document.getElementsByTagName("polyline")
    solid = [line for line in lines if not line.getAttribute("stroke-dasharray")]
    assert len(solid[0].getAttribute("points").split()) == 11  # the complete months only
    dotted = [line for line in lines if line.getAttribute("stroke-dasharray") == "3 3"]
    assert len(dotted) == 1 and len(dotted[0].getAttribute("points").split()) == 2
    hollow = [
        c for c in document.getElementsByTagName("circle") if c.getAttribute("fill") == "#ffffff"
    ]
    assert len(hollow) == 1
    assert any(t.firstChild.data == "P" for t in document.getElementsByTagName("text"))
    markup = chart_markup(
        MONTHS,
        [Series("a", values)],
        title="t",
        kind="line",
        partial_at=11,
        partial_label="P",
        partial_note="not over",
    )
    assert '<p class="chart-partial">not over</p>' in markup


def test_months_not_yet_begun_are_not_drawn():
    values = [10.0] * 6 + [None] * 6
    svg = line_chart(MONTHS, [Series("a", values)], title="t", partial_at=5, partial_label="P")
    document = xml.dom.minidom.parseString(svg)
    assert len(document.getElementsByTagName("circle")) == 6
    for line in document.getElementsByTagName("polyline"):
        assert len(line.getAttribute("points").split()) <= 5


def test_long_labels_are_cut_to_fit():
    name = "Hợp tác xã Nông nghiệp và Dịch vụ Dược liệu Đạo Trù Tam Đảo"
    for narrow in (False, True):
        svg = bar_chart([name], [Series("s", [1])], title="t", narrow=narrow)
        assert "…" in svg and name[:12] in svg


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
