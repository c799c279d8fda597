"""Display filters for this app: 元 with 2 decimals and thousands separators, 亩, 万元."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _dec(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def yuan(value):
    """12345.6 -> '12,345.60' (empty for None)."""
    number = _dec(value)
    return "" if number is None else f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def mu(value):
    """Areas in 亩 with 2 decimals, trailing .00 kept for alignment."""
    number = _dec(value)
    return "" if number is None else f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def wan(value):
    """元 -> 万元 with 2 decimals."""
    number = _dec(value)
    return "" if number is None else f"{(number / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def qty(value):
    """Quantities: drop a trailing .00 (120.00 -> 120)."""
    number = _dec(value)
    if number is None:
        return ""
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
