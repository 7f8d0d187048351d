"""Figures per channel: which stored figures a year's report reads, and the side-by-side comparison of the
official survey with the continuous feedback for each unit, group and the province.

The figures of all channels together are `IndexSnapshot` rows; those of a set of channels are `ChannelSnapshot`
rows with the same fields (see `indices.services`). Both are read, never recomputed, here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from survey.models import Rating, Unit

from .models import ChannelSnapshot, IndexSnapshot, ReportScheme
from .services import LIVE_CHANNELS, channel_key

# The columns of the comparison, in the order a reader meets the channels.
CHANNELS = [
    Rating.Channel.QR,
    Rating.Channel.WEB,
    Rating.Channel.KIOSK,
    Rating.Channel.API,
    Rating.Channel.SURVEY,
    Rating.Channel.IMPORT,
]
LIVE = channel_key(LIVE_CHANNELS)


def channel_labels(channels) -> str:
    """The channels as words, in the usual order ("mọi kênh" for none, which means all)."""
    labels = dict(Rating.Channel.choices)
    chosen = [str(labels[c]) for c in CHANNELS if c in set(channels or [])]
    return ", ".join(chosen) if chosen else _("mọi kênh")


def satisfaction_figures(scheme: ReportScheme):
    """The stored figures a report with this scheme counts: all channels, or the channels its settings name."""
    if not scheme.channels:
        return IndexSnapshot.objects.all()
    return ChannelSnapshot.objects.filter(channels=channel_key(scheme.channels))


@dataclass
class Figure:
    value: float | None
    n: int
    adequate: bool


@dataclass
class ComparisonRow:
    level: str
    name: str
    all: Figure | None
    by_channel: list[Figure | None] = field(default_factory=list)
    live: Figure | None = None

    @property
    def survey(self) -> Figure | None:
        return self.by_channel[CHANNELS.index(Rating.Channel.SURVEY)]

    @property
    def difference(self) -> float | None:
        """The survey's figure less the continuous feedback's, when both have a value."""
        if self.survey is None or self.live is None or self.survey.value is None or self.live.value is None:
            return None
        return self.survey.value - self.live.value


def channel_comparison(*, kind: str, start, index: str = "sipas") -> list[ComparisonRow]:
    """One row per unit that has a figure in the period (grouped, groups after their units) and the province: the
    figure of all channels, of each channel, of the continuous feedback together, and the survey's difference.
    Three queries: the figures of all channels, those per channel, the units with their groups."""
    period = {"period_kind": kind, "period_start": start, "index": index}
    everything = {
        (s.level, s.entity_id): Figure(s.value, s.n, s.adequate) for s in IndexSnapshot.objects.filter(**period)
    }
    per_channel = {
        (s.level, s.entity_id, s.channels): Figure(s.value, s.n, s.adequate)
        for s in ChannelSnapshot.objects.filter(**period)
    }

    def row(level: str, entity_id: int, name: str) -> ComparisonRow:
        return ComparisonRow(
            level=level,
            name=name,
            all=everything.get((level, entity_id)),
            by_channel=[per_channel.get((level, entity_id, str(c))) for c in CHANNELS],
            live=per_channel.get((level, entity_id, LIVE)),
        )

    rows = []
    units = list(Unit.objects.select_related("group").order_by("group__position", "group__name", "name"))
    groups = list({u.group_id: u.group for u in units}.values())
    for group in groups:
        members = [row("unit", u.pk, u.name) for u in units if u.group_id == group.pk]
        members = [r for r in members if r.all is not None or any(r.by_channel)]
        if members:
            rows += members
            rows.append(row("group", group.pk, group.display_name))
    if rows:
        rows.append(row("province", 0, _("Toàn tỉnh")))
    return rows


def report_comparison(*, year: int, quarter: int | None = None) -> list[ComparisonRow]:
    """The comparison for a report's period: the year, or one of its quarters."""
    if quarter:
        return channel_comparison(kind="quarter", start=datetime.date(year, 3 * (quarter - 1) + 1, 1))
    return channel_comparison(kind="year", start=datetime.date(year, 1, 1))
