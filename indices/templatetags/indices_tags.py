"""Display of figures: 2 decimals for display only, "N/A" for an empty denominator (never 0)."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def figure(value):
    if value is None:
        return gettext("N/A")
    if isinstance(value, float):
        return floatformat(value, 2)
    return value


@register.filter
def import_error(error: dict) -> str:
    """An import error stored untranslated, in the page's language."""
    from survey.imports import error_text

    return error_text(error)
