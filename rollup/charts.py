"""The comparison's bar chart: one bar per county for one metric, drawn like the summary's
charts (:mod:`reports.charts`: server-side SVG, no JavaScript, stable ids)."""

from __future__ import annotations

import pygal

from reports.charts import _config, _f, _render


def _point(value, text: str) -> dict:
    return {"value": _f(value) if value is not None else None, "formatter": lambda _x: text}


def bar(comparison, metric) -> str:
    """Horizontal bars, counties top to bottom in the table's order; a county without a value
    gets no bar and the label "—"."""
    from .views import display

    rows = comparison.rows
    chart = pygal.HorizontalBar(**_config(show_legend=False, height=max(160, 60 + 30 * len(rows))))
    chart.x_labels = [r.region.name for r in reversed(rows)]  # pygal draws the first label at the bottom
    values = [r.values[metric.key] for r in reversed(rows)]
    chart.add(str(metric.label), [_point(v, display(metric, v)) for v in values])
    return _render(chart, f"rollup-{metric.key}", f"{metric.label}（{metric.unit}）")
