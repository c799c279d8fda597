"""Server-side SVG charts (pygal) shared by the HTML page and the PDF.

Charts carry no JavaScript (``js=[]``; the CSP forbids inline and foreign scripts), get
a stable element id instead of pygal's random one and lose pygal's dated comment, so
the same data gives the same SVG bytes.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

from .wording import to_wan

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
_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _config(**extra):
    config = dict(
        js=[], style=STYLE, width=760, height=340, disable_xml_declaration=True, print_values=False,
        legend_at_bottom=True, legend_at_bottom_columns=4, margin=10, margin_bottom=28, spacing=12, show_y_guides=True,
        truncate_legend=-1, truncate_label=-1, pretty_print=False,
    )
    config.update(extra)
    return config


def _render(chart, chart_id: str) -> str:
    title = chart.config.title or chart_id
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", svg)
    svg = _SCRIPT.sub("", svg)
    svg = _ID.sub(f"chart-{chart_id}", svg)
    svg = svg.replace("activate-serie-", f"{chart_id}-serie-")  # ids unique across the charts of one page
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)
    return mark_safe(svg)  # noqa: S308 - built by pygal from numbers and our own labels, escaped by pygal


def _f(value) -> float:
    # pygal plots floats; the tables next to each chart show the exact Decimals.
    return float(value or Decimal(0))


def land_by_type(rows: list[dict]) -> str:
    chart = pygal.HorizontalBar(**_config(show_legend=False, height=300, title="各类劳动基地面积（亩）"))
    chart.x_labels = [r["label"] for r in rows]
    chart.add("面积（亩）", [_f(r["area_mu"]) for r in rows])
    return _render(chart, "land")


def profit_by_source(finance_rows: list[dict]) -> str:
    chart = pygal.StackedBar(**_config(title="各年勤工俭学收益构成（万元）"))
    chart.x_labels = [str(r["year"]) for r in finance_rows]
    for key, label in (("enterprises", "校办企业利润"), ("labor_bases", "劳动基地利润"), ("logistics", "服务中心及中考食宿")):
        chart.add(label, [_f(to_wan(r[key]["profit"])) for r in finance_rows])
    return _render(chart, "income")


def claims_by_type(rows: list[dict], years: list[int]) -> str:
    chart = pygal.Bar(**_config(title="各年理赔金额（万元）"))
    chart.x_labels = [str(y) for y in years]
    labels = []
    for r in rows:
        if r["label"] not in labels:
            labels.append(r["label"])
    for label in labels:
        by_year = {r["year"]: r["paid_total"] for r in rows if r["label"] == label}
        chart.add(label, [_f(to_wan(by_year.get(y))) if by_year.get(y) is not None else 0 for y in years])
    return _render(chart, "claims")


def all_charts(summary) -> dict[str, str]:
    data = summary.data
    charts = {}
    if data.get("land"):
        charts["land"] = land_by_type(data["land"])
    if data.get("finance_rows"):
        charts["income"] = profit_by_source(data["finance_rows"])
    if data.get("claims_by_type_year"):
        charts["claims"] = claims_by_type(data["claims_by_type_year"], summary.period_years)
    return charts
