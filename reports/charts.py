"""Server-side SVG charts (pygal) shared by the HTML page and the PDF.

Charts carry no JavaScript (``js=[]``; the CSP forbids inline and foreign scripts), get
a stable element id instead of pygal's random one and lose pygal's dated comment, so
the same data gives the same SVG bytes. The tooltips' data (``<desc>``), which only pygal's
JavaScript reads, is left out.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

from .templatetags.reports_tags import FORMATS, trace_mark
from .wording import num, to_wan

FONT = '"Report Serif", "Noto Serif CJK SC", "Noto Sans CJK SC", serif'
STYLE = Style(
    background="white", plot_background="white", foreground="#222", foreground_strong="#000",
    foreground_subtle="#888", opacity=".9", opacity_hover=".9", transition="none",
    colors=("#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c7a3f"),
    font_family=FONT, label_font_family=FONT, major_label_font_family=FONT, value_font_family=FONT,
    value_label_font_family=FONT, tooltip_font_family=FONT, title_font_family=FONT, legend_font_family=FONT,
    label_font_size=13, major_label_font_size=13, legend_font_size=13, title_font_size=15, value_font_size=12,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# pygal writes an inline <script> (window.pygal config) even with js=[]; the CSP blocks it
# and the browser logs a violation on every page with a chart, so it is removed.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
# pygal writes each bar's tooltip data as <desc> elements, read only by its JavaScript (which the
# charts do not carry). Nothing draws them, but WeasyPrint parses and styles each one: removing
# them takes about a fifth off the charts' share of a PDF, with the same pixels.
_DESC = re.compile(r"<desc\b[^>]*>.*?</desc>", re.S)
_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _axis(value: float) -> str:
    """An axis number as the tables print numbers: thousands-separated, no trailing zeros."""
    return num(Decimal(value).quantize(Decimal("0.01")))


def _config(**extra):
    config = dict(
        js=[], style=STYLE, width=760, height=280, disable_xml_declaration=True, print_values=True,
        print_values_position="top",
        legend_at_bottom=True, legend_at_bottom_columns=4, margin=10, margin_bottom=28, spacing=12, show_y_guides=False,
        truncate_legend=-1, truncate_label=-1, pretty_print=False,
        value_formatter=_axis,
    )
    config.update(extra)
    return config


def _render(chart, chart_id: str, title: str) -> str:
    # The title is the document's caption (图N …), not drawn inside the chart.
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", svg)
    svg = _SCRIPT.sub("", svg)
    svg = _DESC.sub("", svg)
    svg = _ID.sub(f"chart-{chart_id}", svg)
    svg = svg.replace("activate-serie-", f"{chart_id}-serie-")  # ids unique across the charts of one page
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)
    return mark_safe(svg)  # noqa: S308 - built by pygal from numbers and our own labels, escaped by pygal


def _f(value) -> float:
    # pygal plots floats; the labels print the exact Decimals as the tables do.
    return float(value or Decimal(0))


def _point(key: str, value, unit: str, trace: bool) -> dict:
    """One bar: its height, and its value label printed like the table next to it (or, for
    the document-checking tests, as ``[#key=value#]``)."""
    if trace:
        label = str(trace_mark(key, value))
    else:
        label = FORMATS[unit](value if value is not None else Decimal(0))
    return {"value": _f(value if unit != "wan" else to_wan(value)), "formatter": lambda _x, label=label: label}


# Each chart is drawn from a tuple of its exact inputs (values as their Decimal strings), so a
# process draws it again only when something it shows changed: after a production line is saved
# the land and claims charts are the ones already drawn (pygal takes several ms a chart).
_DRAWN = 64


def _exact(value) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def land_by_type(rows: list[dict], trace: bool = False) -> str:
    return _land(tuple((str(r["label"]), r["land_type"], _exact(r["area_mu"])) for r in rows if r["area_mu"]), trace)


@functools.lru_cache(maxsize=_DRAWN)
def _land(rows: tuple, trace: bool) -> str:
    chart = pygal.HorizontalBar(**_config(show_legend=False, height=max(160, 60 + 34 * len(rows))))
    chart.x_labels = [label for label, _type, _area in rows]
    chart.add("面积（亩）", [_point(f"land.{land_type}", _dec(area), "num", trace) for _label, land_type, area in rows])
    return _render(chart, "land", "各类劳动基地面积（亩）")


INCOME_SERIES = (("enterprises", "校办企业利润"), ("labor_bases", "劳动基地利润"), ("logistics", "服务中心及中考食宿"))


def profit_by_source(finance_rows: list[dict], trace: bool = False) -> str:
    return _income(tuple((r["year"], tuple(_exact(r[key]["profit"]) for key, _label in INCOME_SERIES))
                         for r in finance_rows), trace)


@functools.lru_cache(maxsize=_DRAWN)
def _income(rows: tuple, trace: bool) -> str:
    chart = pygal.Bar(**_config())  # grouped: each bar carries its own value label
    chart.x_labels = [str(year) for year, _profits in rows]
    for n, (key, label) in enumerate(INCOME_SERIES):
        if any(_dec(profits[n]) for _year, profits in rows):  # no empty series
            chart.add(label, [_point(f"income.{key}.profit.{year}", _dec(profits[n]), "wan", trace)
                              for year, profits in rows])
    return _render(chart, "income", "各年勤工俭学收益构成（万元）")


def claims_by_type(rows: list[dict], years: list[int], trace: bool = False) -> str:
    return _claims(tuple((r["year"], r["policy_type"], str(r["label"]), _exact(r["paid_total"])) for r in rows),
                   tuple(years), trace)


@functools.lru_cache(maxsize=_DRAWN)
def _claims(rows: tuple, years: tuple, trace: bool) -> str:
    chart = pygal.Bar(**_config())
    years = [y for y in years if any(_dec(paid) for year, _t, _l, paid in rows if year == y)]  # no empty years
    chart.x_labels = [str(y) for y in years]
    types = []
    for _year, policy_type, label, paid in rows:
        if (policy_type, label) not in types and _dec(paid):
            types.append((policy_type, label))
    for policy_type, label in types:
        by_year = {year: _dec(paid) for year, kind, _l, paid in rows if kind == policy_type}
        chart.add(label, [_point(f"claims.{policy_type}.{y}.paid", by_year.get(y) or Decimal(0), "wan", trace)
                          for y in years])
    return _render(chart, "claims", "各年理赔金额（万元）")


# The charts in the order the document shows them; the document numbers them 图1, 图2 … in this order.
ORDER = ("income", "land", "claims")


def all_charts(summary, trace: bool = False) -> dict[str, str]:
    data = summary.data
    charts = {}
    if data.get("finance_rows") and any(r["total_income"] for r in data["finance_rows"]):
        charts["income"] = profit_by_source(data["finance_rows"], trace)
    if data.get("land") and any(r["area_mu"] for r in data["land"]):
        charts["land"] = land_by_type(data["land"], trace)
    if data.get("claims_by_type_year") and any(r["paid_total"] for r in data["claims_by_type_year"]):
        charts["claims"] = claims_by_type(data["claims_by_type_year"], summary.period_years, trace)
    charts["numbers"] = {key: n for n, key in enumerate((k for k in ORDER if k in charts), start=1)}
    return charts
