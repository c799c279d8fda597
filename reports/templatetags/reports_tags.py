"""Template helpers for the summary: one way to print a figure, one way to print money."""

from django import template
from django.utils.html import format_html

from reports import wording

register = template.Library()


@register.simple_tag(takes_context=True)
def fig(context, key, show="text"):
    """Print figure ``key`` of the summary; in HTML it links to the rows it was computed from.

    A missing figure prints a visible 〔待补：…〕 marker (it is also in the gap list), never "XX".
    """
    summary = context["summary"]
    figure = summary.figures.get(key)
    if figure is None or figure.missing:
        label = figure.label if figure else key
        return format_html('<span class="gap">〔待补：{}〕</span>', label)
    text = figure.text if show == "text" else str(figure.value)
    if context.get("pdf") or not figure.url:
        return format_html('<span class="fig">{}</span>', text)
    return format_html(
        '<a class="fig" href="{}" title="{}">{}</a>', figure.url, f"{figure.label}：{figure.formula}", text
    )


@register.simple_tag(takes_context=True)
def rowlink(context, url, text):
    """A value that links to its rows in HTML, plain text in the PDF."""
    if context.get("pdf") or not url:
        return format_html("{}", text)
    return format_html('<a class="fig" href="{}">{}</a>', url, text)


register.filter("wan", wording.wan)
register.filter("yuan", wording.yuan)
register.filter("num", wording.num)
register.filter("approx_count", wording.approx_count)
register.filter("approx_yuan", wording.approx_yuan)
register.filter("named", wording.named)
register.filter("has_more", wording.has_more)


@register.filter
def cn(value, liang=False):
    return "" if value is None else wording.cn_int(value, liang=bool(liang))


@register.filter
def pct(value):
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{value}%"


@register.filter
def paragraphs(text):
    from reports.models import paragraphs as split

    return split(text)


@register.filter
def joincn(values, sep="、"):
    return sep.join(str(v) for v in values if v not in (None, ""))


@register.filter
def pluck(rows, key):
    return [row.get(key) if isinstance(row, dict) else getattr(row, key) for row in rows or []]
