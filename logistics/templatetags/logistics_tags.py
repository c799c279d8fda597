from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _dec(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def yuan(value):
    """12345.6 -> '12,345.60' (元, 2 decimals)."""
    d = _dec(value)
    return "—" if d is None else f"{d.quantize(Decimal('0.01')):,}"


@register.filter
def wan(value):
    """元 -> 万元 with 2 decimals: 128000 -> '12.80'."""
    d = _dec(value)
    return "—" if d is None else f"{(d / 10000).quantize(Decimal('0.01')):,}"
