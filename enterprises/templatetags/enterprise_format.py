"""Display filters for the enterprise pages: 元 with 2 decimals, 万元, percentages."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def yuan(value):
    """12345.6 -> "12,345.60"; empty -> "—"."""
    number = _decimal(value)
    return "—" if number is None else f"{number:,.2f}"


@register.filter
def wan(value):
    """元 -> 万元 with 2 decimals: 1234567 -> "123.46"."""
    number = _decimal(value)
    return "—" if number is None else f"{number / 10000:,.2f}"


@register.filter
def pct(value):
    number = _decimal(value)
    return "" if number is None else f"{number:+.1f}%"
