"""Reads of the public results pages: stored snapshots (never a recomputation), published answers, and the few
complaint figures that snapshots do not hold.

Every figure comes from `IndexSnapshot` rows written by the snapshot job; a page's figures are cached under the
latest snapshot run, so a new computation shows at once and a page costs the same whatever the number of ratings.
The group's and the province's "k of n units counted" and ballots are the stored ones (`IndexSnapshot.units_counted`,
`units_total`, `ballots`: the one definition of `indices.aggregation`), so these pages agree with the report, the
dashboard and the API; a unit's figure is shown only when the snapshot job counted it.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter as Tally
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from feedback.models import Case, Category, Status
from feedback.workdays import WorkCalendar
from indices.models import IndexSnapshot, SnapshotRun
from indices.periods import Period, month
from survey.models import Counter, Element, Rating, ReasonChip, Unit, UnitGroup

from .masking import mask_personal_data

CACHE_SECONDS = 60 * 60
TREND_MONTHS = 6
UNIT_TREND_MONTHS = 12
REASONS_SHOWN = 5
ANSWERS_PER_PAGE = 20
UNIT_INDICES = ("sipas", "overall", "d766:pakn_on_time")
PUBLISHED_STATUSES = (Status.ANSWERED, Status.CLOSED)


@dataclass
class Figure:
    """One stored figure as the public pages show it; `value` is None for "N/A"."""

    value: float | None = None
    n: int = 0
    ci_low: float | None = None
    ci_high: float | None = None
    adequate: bool = False
    status: str = IndexSnapshot.Status.COUNTED

    @classmethod
    def of(cls, snapshot: IndexSnapshot | None) -> Figure | None:
        if snapshot is None:
            return None
        return cls(snapshot.value, snapshot.n, snapshot.ci_low, snapshot.ci_high, snapshot.adequate, snapshot.status)

    @property
    def shown(self) -> bool:
        """Whether the value may be shown as a figure: counted by the snapshot job (adequate sample, every element
        answered, unit in force), with a value."""
        return self.adequate and self.value is not None and self.status == IndexSnapshot.Status.COUNTED


@dataclass
class Row:
    """A unit, a group or a counter with its figures for the period."""

    id: int
    name: str
    sipas: Figure | None = None
    ballots: int = 0
    on_time: Figure | None = None
    median_days: float | None = None
    trend: list[tuple[str, float | None]] = field(default_factory=list)
    counted: int = 0
    total: int = 0
    units: list[Row] = field(default_factory=list)


# --- periods and the cache ----------------------------------------------------------------------------------------


def snapshot_version() -> int:
    """The id of the latest snapshot run: part of every cache key, so a new computation is shown at once."""
    return SnapshotRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _cached(key: str, build, version: int | None):
    """`build()`, cached under the snapshot run `version` (read when not given: pages read it once per request)."""
    version = snapshot_version() if version is None else version
    full_key = f"public:{version}:{get_language()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def published_periods(*, version: int | None = None) -> list[Period]:
    """The months, quarters and years that have province figures, newest first."""

    def build():
        rows = (
            IndexSnapshot.objects.filter(level=IndexSnapshot.Level.PROVINCE, entity_id=0, index="sipas")
            .exclude(period_kind=IndexSnapshot.PeriodKind.CUSTOM)
            .values_list("period_start", "period_end", "period_kind")
            .order_by("-period_start", "period_end")
        )
        return [Period(start, end, kind) for start, end, kind in rows]

    return _cached("periods", build, version)


def default_period(*, version: int | None = None) -> Period | None:
    """The latest month with figures, else the latest period of any kind."""
    periods = published_periods(version=version)
    months = [p for p in periods if p.kind == "month"]
    return (months or periods or [None])[0]


def _months_back(period: Period, count: int) -> list[Period]:
    last = month(period.end.year, period.end.month)
    out = [last]
    while len(out) < count:
        first = out[0].start - datetime.timedelta(days=1)
        out.insert(0, month(first.year, first.month))
    return out


def _active_units(period: Period) -> QuerySet[Unit]:
    return Unit.objects.filter(
        Q(valid_from__lte=period.end), Q(valid_to__isnull=True) | Q(valid_to__gte=period.start)
    ).select_related("group")


def _period_snapshots(level: str, ids, period: Period, indices) -> QuerySet[IndexSnapshot]:
    return IndexSnapshot.objects.filter(
        level=level,
        entity_id__in=list(ids),
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        index__in=list(indices),
    ).only(
        "entity_id",
        "index",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "adequate",
        "status",
        "ballots",
        "units_counted",
        "units_total",
    )


def _by_entity(snapshots) -> dict[int, dict[str, IndexSnapshot]]:
    out: dict[int, dict[str, IndexSnapshot]] = {}
    for s in snapshots:
        out.setdefault(s.entity_id, {})[s.index] = s
    return out


def _trends(level: str, ids, period: Period, months: int) -> dict[int, list[tuple[str, float | None]]]:
    """The SIPAS of each entity over the `months` months up to the period's end (None where not adequate)."""
    span = _months_back(period, months)
    rows = IndexSnapshot.objects.filter(
        level=level,
        entity_id__in=list(ids),
        period_kind="month",
        period_start__gte=span[0].start,
        period_start__lte=span[-1].start,
        index="sipas",
    ).values_list("entity_id", "period_start", "value", "adequate")
    values = {(e, start): (v if adequate else None) for e, start, v, adequate in rows}
    return {e: [(f"{m.start:%m/%Y}", values.get((e, m.start))) for m in span] for e in ids}


# --- complaint figures that snapshots do not hold -----------------------------------------------------------------


def median_answer_days(*, period: Period) -> dict[int, float]:
    """Per unit, the median number of working days from receipt to the first published answer, over the cases
    first answered in the period. Reads cases (never ratings): its cost follows the number of complaints."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = Case.objects.filter(first_answered_at__gte=start, first_answered_at__lt=end).values_list(
        "unit_id", "received_on", "first_answered_at"
    )
    calendar = WorkCalendar()
    days: dict[int, list[int]] = {}
    for unit_id, received_on, answered_at in rows:
        answered_on = timezone.localtime(answered_at).date()
        days.setdefault(unit_id, []).append(calendar.working_days_between(received_on, answered_on))
    return {unit_id: statistics.median(values) for unit_id, values in days.items()}


# --- the province page --------------------------------------------------------------------------------------------


@dataclass
class ProvinceResults:
    period: Period
    province: Row
    groups: list[Row]

    @property
    def has_data(self) -> bool:
        return self.province.sipas is not None or any(u.sipas for g in self.groups for u in g.units)


def province_results(*, period: Period, version: int | None = None) -> ProvinceResults:
    """Every group and active unit with its figures for the period (a fixed number of queries, cached)."""
    return _cached(f"province:{period}", lambda: _province_results(period), version)


def _unit_row(unit: Unit, figures: dict[str, IndexSnapshot], medians: dict, trends: dict) -> Row:
    overall = figures.get("overall")
    return Row(
        id=unit.pk,
        name=unit.name,
        sipas=Figure.of(figures.get("sipas")),
        ballots=overall.n if overall else 0,
        on_time=Figure.of(figures.get("d766:pakn_on_time")),
        median_days=medians.get(unit.pk),
        trend=trends.get(unit.pk, []),
    )


def _province_results(period: Period) -> ProvinceResults:
    units = list(_active_units(period))
    figures = _by_entity(_period_snapshots("unit", [u.pk for u in units], period, UNIT_INDICES))
    medians = median_answer_days(period=period)
    trends = _trends("unit", [u.pk for u in units], period, TREND_MONTHS)
    groups = {g.pk: g for g in UnitGroup.objects.filter(pk__in={u.group_id for u in units})}
    group_figures = _by_entity(_period_snapshots("group", groups, period, ("sipas", "pooled_overall")))
    group_trends = _trends("group", list(groups), period, TREND_MONTHS)

    rows: dict[int, Row] = {}
    for group in sorted(groups.values(), key=lambda g: (g.position, g.name)):
        f = group_figures.get(group.pk, {})
        rows[group.pk] = Row(
            id=group.pk,
            name=group.display_name,
            sipas=Figure.of(f.get("sipas")),
            ballots=f["pooled_overall"].n if "pooled_overall" in f else 0,
            trend=group_trends.get(group.pk, []),
        )
    for unit in units:
        row = _unit_row(unit, figures.get(unit.pk, {}), medians, trends)
        group = rows[unit.group_id]
        group.units.append(row)
        group.total += 1
        group.counted += bool(row.sipas and row.sipas.shown)
    for group in rows.values():
        group.ballots = group.ballots or sum(u.ballots for u in group.units)
        stored = group_figures.get(group.id, {}).get("sipas")
        if stored is not None and stored.units_total is not None:
            group.counted, group.total = stored.units_counted or 0, stored.units_total
            group.ballots = stored.ballots if stored.ballots is not None else group.ballots

    province = _by_entity(_period_snapshots("province", [0], period, ("sipas", "pooled_overall"))).get(0, {})
    province_row = Row(
        id=0,
        name="",
        sipas=Figure.of(province.get("sipas")),
        ballots=province["pooled_overall"].n
        if "pooled_overall" in province
        else sum(g.ballots for g in rows.values()),
        trend=_trends("province", [0], period, TREND_MONTHS)[0],
        counted=sum(g.counted for g in rows.values()),
        total=sum(g.total for g in rows.values()),
    )
    stored = province.get("sipas")
    if stored is not None and stored.units_total is not None:
        province_row.counted, province_row.total = stored.units_counted or 0, stored.units_total
        province_row.ballots = stored.ballots if stored.ballots is not None else province_row.ballots
    return ProvinceResults(period=period, province=province_row, groups=list(rows.values()))


# --- the unit page ------------------------------------------------------------------------------------------------


@dataclass
class UnitResults:
    unit: Unit
    period: Period
    row: Row
    elements: list[tuple[str, Figure | None]]
    counters: list[Row]
    reasons: list[tuple[str, int]]
    low_ballots: int


def public_units() -> QuerySet[Unit]:
    """The units the public pages show: every unit, including merged ones (their history stays public)."""
    return Unit.objects.select_related("group")


def unit_results(*, unit: Unit, period: Period, version: int | None = None) -> UnitResults:
    return _cached(f"unit:{unit.pk}:{period}", lambda: _unit_results(unit, period), version)


def _unit_results(unit: Unit, period: Period) -> UnitResults:
    element_names = [f"element:{e.value}" for e in Element]
    figures = _by_entity(_period_snapshots("unit", [unit.pk], period, (*UNIT_INDICES, *element_names))).get(
        unit.pk, {}
    )
    row = _unit_row(
        unit,
        figures,
        {unit.pk: median_answer_days(period=period).get(unit.pk)},
        _trends("unit", [unit.pk], period, UNIT_TREND_MONTHS),
    )
    counters = list(Counter.objects.filter(unit=unit).order_by("name").only("id", "name"))
    counter_figures = _by_entity(_period_snapshots("counter", [c.pk for c in counters], period, ("sipas", "overall")))
    counter_rows = []
    for counter in counters:
        f = counter_figures.get(counter.pk)
        if f is None:
            continue  # a counter without a ballot in the period (or retired before it)
        counter_rows.append(
            Row(
                id=counter.pk,
                name=counter.name,
                sipas=Figure.of(f.get("sipas")),
                ballots=f["overall"].n if "overall" in f else 0,
            )
        )
    reasons, low = reason_counts(unit=unit, period=period)
    return UnitResults(
        unit=unit,
        period=period,
        row=row,
        elements=[(str(e.label), Figure.of(figures.get(f"element:{e.value}"))) for e in Element],
        counters=counter_rows,
        reasons=reasons,
        low_ballots=low,
    )


def reason_counts(*, unit: Unit, period: Period) -> tuple[list[tuple[str, int]], int]:
    """The "what was not good" reasons most chosen with the unit's low ratings (1-2) in the period, with how many
    low ratings gave any reason. Snapshots do not hold reasons: this reads the unit's low ratings of the period
    (through the unit/time index), and the pages cache it under the snapshot run."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    chosen = (
        Rating.objects.counted()
        .filter(unit=unit, created_at__gte=start, created_at__lt=end, score__lte=2)
        .exclude(reasons=[])
        .values_list("reasons", flat=True)
    )
    tally: Tally[str] = Tally()
    low = 0
    for reasons in chosen:
        if isinstance(reasons, list) and reasons:
            low += 1
            tally.update(str(code) for code in set(reasons))
    labels = {chip.code: chip.display_label for chip in ReasonChip.objects.filter(code__in=list(tally))}
    return [(labels.get(code, code), count) for code, count in tally.most_common(REASONS_SHOWN)], low


# --- published answers --------------------------------------------------------------------------------------------


@dataclass
class PublishedAnswer:
    """A complaint and its answer as published: no name, contact, attachment or tracking code; typed phone numbers
    and emails masked."""

    id: int
    unit_id: int
    unit_name: str
    category: str
    text: str
    answer: str
    received_on: datetime.date
    answered_on: datetime.date
    citizen_satisfied: bool | None


def published_cases() -> QuerySet[Case]:
    """Answered complaints whose citizen consented to publication. A case without that consent (or whose consent
    was erased) never appears."""
    return (
        Case.objects.filter(
            contact__consent_publish=True, status__in=PUBLISHED_STATUSES, first_answered_at__isnull=False
        )
        .exclude(public_answer="")
        .select_related("unit", "contact")
    )


def search_published(
    *, unit_id: int | None = None, category: str = "", period: Period | None = None
) -> QuerySet[Case]:
    cases = published_cases()
    if unit_id:
        cases = cases.filter(unit_id=unit_id)
    if category:
        cases = cases.filter(category=category)
    if period:
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        cases = cases.filter(first_answered_at__gte=start, first_answered_at__lt=end)
    return cases.order_by("-first_answered_at", "-pk")


def as_published(case: Case) -> PublishedAnswer:
    contact = case.contact
    known = (contact.name, contact.email, contact.phone)
    return PublishedAnswer(
        id=case.pk,
        unit_id=case.unit_id,
        unit_name=case.unit.name,
        category=Category(case.category).label,
        text=mask_personal_data(case.text, known=known),
        answer=mask_personal_data(case.public_answer, known=known),
        received_on=timezone.localtime(case.created_at).date(),
        answered_on=timezone.localtime(case.first_answered_at).date(),
        citizen_satisfied=case.citizen_satisfied,
    )
