"""Display filters for money (元 / 万元), areas (亩), quantities and percentages.

``{% load money %}`` then ``{{ value|yuan }}``, ``{{ value|wan }}``, ``{{ area|mu }}``,
``{{ quantity|qty }}``, ``{{ change|pct }}``. Empty values print "—".
"""

from django import template

from workstudy import money

register = template.Library()

register.filter("yuan", money.format_yuan)
register.filter("wan", money.format_wan)
register.filter("mu", money.format_area)
register.filter("qty", money.format_quantity)
register.filter("pct", money.format_percent_change)


@register.simple_tag
def limit_high(name: str) -> str:
    """The upper bound of a limit (``{% limit_high "MONEY" %}``), plain digits for a data- attribute."""
    from workstudy.limits import LIMITS

    return f"{LIMITS[name].high:f}"
