"""Light charts for the public pages: inline SVG drawn on the server (no script, no library, a few hundred bytes).

Each chart is decorative (`aria-hidden`): the figures it draws are always in the text or table beside it. The SVG
is built from numbers and month labels that the code formats itself, never from text a person typed.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

BAR_WIDTH = 100
SPARK_WIDTH, SPARK_HEIGHT = 60, 18
SVG = '<svg class="{cls}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" focusable="false">'


def _clip(value: float) -> float:
    return max(0.0, min(float(value), 100.0))


@register.simple_tag
def bar(figure) -> SafeString | str:
    """A horizontal 0-100% bar with its 95% interval as a line; nothing for a figure that is not shown."""
    if figure is None or not figure.shown:
        return ""
    svg = SVG.format(cls="bar", w=BAR_WIDTH, h=16)
    svg += f'<rect class="bar-bg" width="{BAR_WIDTH}" height="10" y="3"></rect>'
    svg += f'<rect class="bar-fill" width="{_clip(figure.value):.1f}" height="10" y="3"></rect>'
    if figure.ci_low is not None and figure.ci_high is not None:
        low, high = _clip(figure.ci_low), _clip(figure.ci_high)
        svg += f'<path class="bar-ci" d="M{low:.1f} 8H{high:.1f}M{low:.1f} 4V12M{high:.1f} 4V12"></path>'
    return mark_safe(svg + "</svg>")  # noqa: S308 (numbers only)


@register.simple_tag
def sparkline(trend) -> SafeString | str:
    """The monthly values as a small line (months without a figure are skipped)."""
    points = [(i, v) for i, (_label, v) in enumerate(trend) if v is not None]
    if not points:
        return ""
    step = SPARK_WIDTH / max(len(trend) - 1, 1)
    coords = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 1 - _clip(v) / 100 * (SPARK_HEIGHT - 2):.1f}" for i, v in points
    )
    svg = SVG.format(cls="spark", w=SPARK_WIDTH, h=SPARK_HEIGHT)
    return mark_safe(f'{svg}<polyline points="{coords}"></polyline></svg>')  # noqa: S308 (numbers only)


@register.simple_tag
def columns(trend) -> SafeString | str:
    """Vertical monthly bars (0-100%), the month under each bar."""
    if not any(v is not None for _label, v in trend):
        return ""
    width, height, gap = 24, 80, 6
    svg = SVG.format(cls="columns", w=len(trend) * (width + gap), h=height + 16)
    for i, (label, value) in enumerate(trend):
        x = i * (width + gap)
        if value is not None:
            h = _clip(value) / 100 * height
            svg += f'<rect class="bar-fill" x="{x}" y="{height - h:.1f}" width="{width}" height="{h:.1f}"></rect>'
        svg += f'<text x="{x + width / 2:.0f}" y="{height + 13}">{escape(label[:2])}</text>'
    return mark_safe(svg + "</svg>")  # noqa: S308 (numbers and escaped month labels)


def _percent(value: float | None, separator: str) -> str:
    if value is None:
        return gettext("N/A")
    rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", separator)


@register.simple_tag
def trend(months) -> SafeString | str:
    """The sparkline of `months` ((label, value) pairs), and the values as text for screen readers."""
    separator = get_format("DECIMAL_SEPARATOR")
    text = "; ".join(f"{label}: {_percent(value, separator)}" for label, value in months)
    return mark_safe(f'{sparkline(months)}<span class="visually-hidden">{escape(text)}</span>')  # noqa: S308
