"""The charts the PDF draws: only what is drawn (no tooltip data), every value label kept."""

import re
from decimal import Decimal

from reports import charts


def _rows():
    return [
        {
            "year": year,
            "enterprises": {"profit": Decimal("84600") + year},
            "labor_bases": {"profit": Decimal("74450")},
            "logistics": {"profit": Decimal(0)},
        }
        for year in (2022, 2023, 2024)
    ]


def test_chart_svg_has_no_tooltip_data_and_keeps_value_labels():
    svg = charts.profit_by_source(_rows())
    assert "<desc" not in svg and "<script" not in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # Each bar's printed value (万元, as the table prints it) is still drawn text.
    for year in (2022, 2023, 2024):
        assert charts.FORMATS["wan"](Decimal("84600") + year) in texts
    assert texts.count("7.45") == 3  # the labor bases' bars
    assert "2022" in texts and "校办企业利润" in texts
    assert "服务中心及中考食宿" not in svg  # an empty series is left out


def test_trace_marks_stay_in_drawn_text():
    svg = charts.profit_by_source(_rows(), trace=True)
    assert "<desc" not in svg
    assert re.search(r"<text[^>]*>\[#income\.enterprises\.profit\.2024=[^<]*#\]</text>", svg)
