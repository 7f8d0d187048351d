"""Display of figures: rounded half up to 2 decimals for display only (73.125 -> 73,13), "N/A" for an empty
denominator (never 0)."""

from decimal import Decimal

from django import template

from indices.reports import vn_number

register = template.Library()


@register.filter
def figure(value):
    if value is None or isinstance(value, float | Decimal):
        return vn_number(value)
    return value


@register.filter
def signed(value):
    """A change with its sign (+3,26; -1,50), empty when unknown."""
    return "" if value is None else vn_number(value, sign=True)
