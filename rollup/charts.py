"""The comparison's bar chart: one bar per county for one metric, drawn like the summary's
charts (:mod:`reports.charts`: server-side SVG, no JavaScript, stable ids)."""

from __future__ import annotations

import pygal
from django.utils.translation import gettext as _
from pygal.util import decorate

from reports.charts import _config, _f, _render

# Space between a bar's end (or the axis) and its value label, in px.
_GAP = 6


def _text_width(text: str, font_size: float) -> float:
    """A label's width: pygal's own estimate for digits, signs and separators (0.6 em), a full
    em for anything wider ("—", Chinese)."""
    return sum((0.6 if ch.isascii() else 1.0) * font_size for ch in text)


class _ValuesAfterBars(pygal.HorizontalBar):
    """Horizontal bars whose value labels sit just past each bar's end, on the bar's row and
    away from the bar (right of a positive bar, left of a negative one), never on a bar, an
    axis or another label: pygal's own labels are centred on the bar's end, so a short bar's
    label covers the axis and the county's name, and a long bar's half covers the bar.

    The value range is widened so that the widest label on each side fits inside the plot:
    the bars are drawn between a band as wide as the widest negative label (left) and one as
    wide as the widest positive label (right). A county without a value gets "—" at the axis."""

    def _compute_margin(self):
        # pygal sizes the county names' column at 0.6 em a character; a Chinese character is a
        # full em, so a long name (南昌经济技术开发区) ran off the chart's left edge.
        super()._compute_margin()
        if self._y_labels and self.show_y_labels:
            size = self.style.label_font_size
            names = [str(label) for label, _position in self._y_labels]
            estimated = 0.6 * size * max(len(name) for name in names)
            self.margin_box.left += max(0.0, max(_text_width(name, size) for name in names) - estimated)

    def _room(self, negative: bool) -> float:
        size, widths = self.style.value_font_size, [0.0]
        for serie in self.series:
            for i, value in enumerate(serie.values):
                if value is None:
                    text, below = "—", False
                else:
                    text, below = self._format(serie, i), value < self.zero
                if below == negative:
                    widths.append(_GAP + _text_width(text, size))
        return max(widths)

    def _set_view(self):
        # The box is still in the vertical chart's frame: ymin/ymax are values. pygal pads it
        # by 2 % on each side afterwards (only more room).
        plot = self.width - self.margin_box.x
        left, right = self._room(negative=True), self._room(negative=False)
        values = [v for serie in self.series for v in serie.values if v is not None]
        low, high = min([*values, self.zero]), max([*values, self.zero])
        usable = max(plot - left - right, 1.0)
        span = (high - low) or 1.0
        per_px = span / usable
        self._box.ymin = low - left * per_px
        self._box.ymax = low + span + right * per_px
        super()._set_view()

    def _tooltip_and_print_values(self, serie_node, serie, parent, i, val, metadata, x, y, width, height):
        # Horizontal bars come in the vertical chart's frame: ``y`` is the screen x of the bar's
        # end, ``y + height`` the axis's, ``x + width / 2`` the screen y of the bar's middle.
        value = serie.values[i]
        negative = value is not None and value < self.zero
        end = y - _GAP if negative else y + _GAP
        self._static_value(serie_node, val, end, x + width / 2, metadata, "end" if negative else "start")

    def bar(self, serie, rescale=False):
        """pygal's bar loop (bars, then labels), with "—" at the axis for a missing value."""
        serie_node = self.svg.serie(serie)
        bars = self.svg.node(serie_node["plot"], class_="bars")
        slot = (self.view.x(1) - self.view.x(0)) / self._len
        for i, (x, y) in enumerate(serie.points):
            if x is None:
                continue
            if y is None:
                self._static_value(serie_node, "—", self.view.y(self.zero) + _GAP, self.view.x(x) + slot / 2,
                                   None, "start")
                continue
            metadata = serie.metadata.get(i)
            bar = decorate(self.svg, self.svg.node(bars, class_="bar"), metadata)
            x_, y_, width, height = self._bar(serie, bar, x, y, i, self.zero)
            self._tooltip_and_print_values(
                serie_node, serie, bar, i, self._format(serie, i), metadata, x_, y_, width, height
            )


def _point(value, text: str) -> dict:
    return {"value": _f(value) if value is not None else None, "formatter": lambda _x: text}


def bar(comparison, metric) -> str:
    """Horizontal bars, counties top to bottom in the table's order, each bar's value printed
    after it; a county without a value gets no bar and the label "—"."""
    from .views import display

    rows = comparison.rows
    # No value axis: every bar prints its value (the axis's numbers ran into each other).
    chart = _ValuesAfterBars(**_config(show_legend=False, height=max(160, 60 + 30 * len(rows)),
                                       show_x_labels=False, no_data_text=_("本年度各县（市、区）均无此项数据")))
    chart.x_labels = [r.region.name for r in reversed(rows)]  # pygal draws the first label at the bottom
    values = [r.values[metric.key] for r in reversed(rows)]
    chart.add(str(metric.label), [_point(v, display(metric, v)) for v in values])
    return _render(chart, f"rollup-{metric.key}", f"{metric.label}（{metric.unit}）")
