from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sgreviews.charts import Series, bar_chart, heat_map, line_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


CHARTS = [
    bar_chart("c1", "Reviews by type", "Counts of reviews", [("LCSPR", 3), ("SAR <adult>", 1)]),
    stacked_bar_chart(
        "c2",
        "Actions by agency",
        "Stacked by status",
        ["Police", "Health"],
        [Series("Open", [2, 1]), Series("Completed", [1, 0])],
    ),
    line_chart("c3", "Trend", "Open actions by month", ["Apr", "May"], [Series("Open", [3, 4])]),
    heat_map("c4", "Themes", "Themes by year", ["Neglect"], ["2024/25", "2025/26"], [[1, 4]]),
]


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_is_labelled_svg_without_inline_style(chart: str) -> None:
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title").get("id") == title_id  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").get("id") == desc_id  # type: ignore[union-attr]
    assert "style=" not in str(chart)


def test_bar_values_are_printed_and_labels_escaped() -> None:
    chart = str(CHARTS[0])
    texts = [element.text for element in parse(chart).iter(f"{SVG}text")]
    assert "3" in texts and "1" in texts
    assert "SAR <adult>" in texts  # escaped in the markup, parsed back intact
    assert "<adult>" not in chart


def test_series_have_distinct_patterns_and_legend() -> None:
    root = parse(CHARTS[1])
    fills = {
        rect.get("fill")
        for rect in root.iter(f"{SVG}rect")
        if "pattern" in (rect.get("fill") or "")
    }
    assert len(fills) == 2
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Open" in texts and "Completed" in texts


def test_heat_map_prints_each_cell_value() -> None:
    texts = [element.text for element in parse(CHARTS[3]).iter(f"{SVG}text")]
    assert "1" in texts and "4" in texts


def test_empty_bar_chart_says_no_data() -> None:
    assert "No data" in str(bar_chart("c5", "Empty", "Nothing", []))
