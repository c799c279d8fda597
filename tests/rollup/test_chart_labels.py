"""The comparison chart's value labels: each one just past its own bar's end (right of a
positive bar, left of a negative one, "—" at the axis for a county without a value), inside
the chart, never on a bar, on the axis, on a county's name or on another label - whatever the
values (0.5 next to 500, a million next to cents, negatives) and however long the names."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollup import charts
from tests.e2e.conftest import _chromium_installed, browser_context_args, browser_type_launch_args  # noqa: F401

SVG = "{http://www.w3.org/2000/svg}"
VALUE_SIZE, LABEL_SIZE, WIDTH = 12, 13, 760
METRIC = SimpleNamespace(key="m", label="测试指标", unit="万元", places=2)


def _svg(values, names=None) -> str:
    names = names or [f"县{i}" for i in range(len(values))]
    rows = [SimpleNamespace(region=SimpleNamespace(name=n), values={"m": v}) for n, v in zip(names, values, strict=True)]
    return str(charts.bar(SimpleNamespace(rows=rows), METRIC))


def _geometry(svg: str):
    """(plot's left offset, bars [(left, right, middle)], labels [(left, right, baseline, text)],
    names [(left, right, baseline)]), in the plot's coordinates."""
    root = ET.fromstring(svg)
    plots = {g.get("class"): g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("plot")}
    offsets = {re.match(r"translate\(([\d.]+), ([\d.]+)\)", g.get("transform")).groups() for g in plots.values()}
    assert len(offsets) == 1  # bars, labels and names share one frame
    left_offset = float(next(iter(offsets))[0])
    bars = []
    for rect in plots["plot"].iter(f"{SVG}rect"):
        if "rect" in (rect.get("class") or "").split():
            # pygal leaves out an attribute that is 0 (a zero bar has no width).
            x, w, y, h = (float(rect.get(name) or 0) for name in ("x", "width", "y", "height"))
            bars.append((min(x, x + w), max(x, x + w), y + h / 2))
    labels = []
    for text in plots["plot text-overlay"].iter(f"{SVG}text"):
        x, width = float(text.get("x")), charts._text_width(text.text, VALUE_SIZE)
        left = x if text.get("text-anchor") == "start" else x - width
        labels.append((left, left + width, float(text.get("y")), text.text))
    names = []
    for text in plots["plot"].iter(f"{SVG}text"):
        if text.get("class") != "value" and text.text and not text.text[0].isdigit():
            x = float(text.get("x"))  # right-aligned (text-anchor: end)
            names.append((x - charts._text_width(text.text, LABEL_SIZE), x, float(text.get("y"))))
    return left_offset, bars, labels, names


def _check(values, names=None):
    svg = _svg(values, names)
    shown = [v for v in values if v is not None]
    if not shown:  # no bars: one sentence instead, in the reader's language
        assert "本年度各县（市、区）均无此项数据" in svg and "No data" not in svg
        return
    left_offset, bars, labels, county_names = _geometry(svg)
    assert len(bars) == len(shown) and len(labels) == len(values)
    plot_width = WIDTH - left_offset - 10
    rows = sorted(labels, key=lambda label: label[2])
    for upper, lower in zip(rows, rows[1:], strict=False):
        assert lower[2] - upper[2] >= VALUE_SIZE  # one label a row: labels never meet
    axis = min(b[0] for b in bars) if bars and all(v >= 0 for v in shown) else None
    for left, right, baseline, text in labels:
        middle = baseline - VALUE_SIZE / 3
        assert 0 <= left and right <= plot_width, (text, left, right, plot_width)  # inside the chart
        for _name_left, name_right, _y in county_names:
            assert left >= name_right  # right of every county name
        assert left_offset + min(n[0] for n in county_names) >= 0  # the names fit too
        own = [b for b in bars if abs(b[2] - middle) < 1]
        if text == "—":
            assert not own
            continue
        (bar_left, bar_right, _mid), = own
        if text.startswith("-"):
            assert right <= bar_left - charts._GAP + 0.01  # left of its negative bar
        else:
            assert left >= bar_right + charts._GAP - 0.01  # past its bar's end
        for other_left, other_right, other_middle in bars:  # on no bar at all
            if abs(other_middle - middle) < VALUE_SIZE:
                assert right <= other_left + 0.01 or left >= other_right - 0.01
    if axis is not None:
        assert all(label[0] > axis for label in labels)  # a tiny bar's label is past the axis


def test_tiny_and_large_values_side_by_side():
    _check([Decimal("500.00"), Decimal("0.50"), Decimal("12.30"), Decimal("0.00"), None, Decimal("499.99"),
            Decimal("1.25")])


def test_a_million_next_to_cents_and_negatives():
    _check([Decimal("1234567.89"), Decimal("0.01"), Decimal("-98765.43"), Decimal("-0.50")])


def test_long_county_names_stay_inside_the_chart():
    _check([Decimal("3.5"), Decimal("0.01"), Decimal("88.8")], names=["共青城市", "石城县", "南昌经济技术开发区"])


_value = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("10000000"), places=2),
    st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("0.5"), Decimal("500")]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_value, min_size=1, max_size=14))
def test_labels_never_overlap_whatever_the_values(values):
    _check(values)


@pytest.mark.e2e
def test_labels_do_not_overlap_as_chromium_draws_them(page):
    """The same with the browser's own text boxes (real fonts, not an estimate)."""
    svg = _svg([Decimal("500.00"), Decimal("0.50"), Decimal("-120.50"), None, Decimal("1234567.89"), Decimal("0.01")],
               names=["贵溪市", "余江区", "南昌经济技术开发区", "月湖区", "共青城市", "石城县"])
    page.set_content(f"<html><body style='margin:0'><div style='width:760px'>{svg}</div></body></html>")
    boxes = page.evaluate("""() => {
        const svg = document.querySelector('svg').getBoundingClientRect();
        const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        return {
            svg: [svg.left, svg.top, svg.right, svg.bottom],
            labels: [...document.querySelectorAll('.text-overlay text.value')].map(box),
            bars: [...document.querySelectorAll('rect.rect')].map(box),
            names: [...document.querySelectorAll('.axis.y text')].map(box),
        };
    }""")
    assert len(boxes["labels"]) == 6 and len(boxes["bars"]) == 5 and len(boxes["names"]) == 6

    def apart(a, b):
        return a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5

    left, top, right, bottom = boxes["svg"]
    for i, label in enumerate(boxes["labels"]):
        assert left <= label[0] and label[2] <= right and top <= label[1] and label[3] <= bottom, label
        for other in boxes["bars"] + boxes["names"] + boxes["labels"][i + 1:]:
            assert apart(label, other), (label, other)
    for name in boxes["names"]:
        assert name[0] >= left, name
