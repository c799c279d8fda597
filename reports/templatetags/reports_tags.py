"""Template helpers for the summary: one way to print a figure, one way to print money."""

from decimal import Decimal
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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
    if context.get("trace"):
        return trace_mark(key, figure.value)
    if show == "text":
        text = figure.text
    else:
        text = wording.count(figure.value) if isinstance(figure.value, int) else wording.num(figure.value)
    if context.get("pdf") or not figure.url:
        return format_html('<span class="fig">{}</span>', text)
    return format_html(
        '<a class="fig" href="{}" title="{}">{}</a>', figure.url, f"{figure.label}：{figure.formula}", text
    )


# How ``q`` prints a quantity, by unit.
FORMATS = {
    "wan": wording.wan,  # 元 printed as 万元, 2 decimals
    "yuan": wording.yuan,  # 元, 2 decimals
    "num": wording.num,  # 亩, kg …: no trailing zeros
    "count": wording.count,  # people, items, times
    "decimal": lambda value: f"{wording.dec(value):,.2f}",  # a figure already in 万元
}


def trace_mark(key, value) -> str:
    """A printed quantity as the document-checking tests read it back: ``[#key=value#]``."""
    if isinstance(value, (Decimal, float)):
        raw = str(wording.dec(value).quantize(wording.CENT))
    else:
        raw = "" if value is None else str(value)
    return format_html("[#{}={}#]", key, raw)


@register.simple_tag(takes_context=True)
def q(context, key, value, unit="num", *parts, empty="—"):
    """Print a quantity that the document may print more than once (text, tables, appendix,
    sheets), under its key: ``{% q "income.labor_bases.revenue" r.labor_bases.revenue "wan" r.year %}``.

    Every print of one key must show one value; rendered with ``trace`` (the tests), it prints
    ``[#key=value#]`` instead, so a test reading the PDF back collects every quantity with its key.
    """
    key = ".".join([key, *map(str, parts)])
    if context.get("trace"):
        return trace_mark(key, value)
    return empty if value is None else FORMATS[unit](value)


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
register.filter("count", wording.count)
register.filter("tight", wording.tight)
register.filter("prose", wording.prose)
register.filter("unique", wording.unique)
register.simple_tag(wording.product_name, name="product_name")
register.simple_tag(wording.plot_name, name="plot_name")


@register.filter
def cn(value, liang=False):
    return "" if value is None else wording.cn_int(value, liang=bool(liang))


@register.filter
def pct(value):
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{value:,}%"


@register.filter
def paragraphs(text):
    from reports.models import paragraphs as split

    return split(text)


@register.filter
def joincn(values, sep="、"):
    """The items joined, each once (a list never names one twice)."""
    return sep.join(str(v) for v in wording.unique(values))


@register.filter
def pluck(rows, key):
    return [row.get(key) if isinstance(row, dict) else getattr(row, key) for row in rows or []]


@register.simple_tag
def sheet_rows(rows, link_label):
    """The summary page's table of the schools' sheets, one ``<tr>`` a school: a county lists
    hundreds, and the template language took a fifth of the page's time to print them.
    ``rows``: (code, name, status, url, issued sha256 or None), each text escaped here."""
    label = escape(str(link_label))
    return mark_safe("\n".join(  # noqa: S308 - each value is escaped in the f-string
        f'<tr><td>{escape(code)}</td><td>{escape(name)}</td><td>{escape(status)}</td>'
        f'<td><a href="{escape(url)}">{label}</a></td><td class="mono">{escape(sha256 or "—")}</td></tr>'
        for code, name, status, url, sha256 in rows))
