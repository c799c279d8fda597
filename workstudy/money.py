"""Money, areas and quantities: the one rounding helper and the one way to print them.

Money is ``Decimal`` in 元 with 2 places, rounded half-up; summaries show 万元
(元 / 10,000, 2 places). Never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
WAN = Decimal(10000)
EMPTY = "—"


def to_decimal(value) -> Decimal | None:
    """``value`` as a Decimal, or None when empty or not a number (floats go through str)."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def round_money(value) -> Decimal:
    """Round to 元 with 2 places, half-up (empty counts as 0)."""
    number = to_decimal(value)
    return (number if number is not None else ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def to_wan(value) -> Decimal | None:
    """元 -> 万元 with 2 places, half-up."""
    number = to_decimal(value)
    return None if number is None else (number / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(value, empty: str = EMPTY) -> str:
    """12345.6 -> '12,345.60'."""
    number = to_decimal(value)
    return empty if number is None else f"{round_money(number):,.2f}"


def format_wan(value, empty: str = EMPTY) -> str:
    """1234567 -> '123.46' (万元)."""
    number = to_wan(value)
    return empty if number is None else f"{number:,.2f}"


def format_area(value, empty: str = EMPTY) -> str:
    """亩 with 2 places: 12 -> '12.00'."""
    number = to_decimal(value)
    return empty if number is None else f"{number.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_quantity(value, empty: str = EMPTY) -> str:
    """Quantities without a needless .00: 120.00 -> '120', 12.5 -> '12.50'."""
    number = to_decimal(value)
    if number is None:
        return empty
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def pct_change(old, new) -> Decimal | None:
    """Year-over-year change in % (1 decimal, half-up); None when there is no base."""
    old, new = to_decimal(old), to_decimal(new)
    if old is None or new is None or old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_percent_change(value, empty: str = EMPTY) -> str:
    """12.345 -> '+12.3%'."""
    number = to_decimal(value)
    return empty if number is None else f"{number:+.1f}%"
