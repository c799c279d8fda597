from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    """1234.5 -> 1,234.50 (元, 2 places); empty -> —."""
    number = _dec(value)
    if number is None:
        return "—"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@register.filter
def wan(value):
    """元 -> 万元 with 2 places."""
    number = _dec(value)
    if number is None:
        return "—"
    return f"{(number / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
