"""The province report: CCHC scores beside citizens' satisfaction, one table per unit group, as in the seed.

`build_province_report(year=..., quarter=None)` reads stored rows only (CCHC scores and index snapshots, never
ratings) in a fixed, small number of queries, and returns plain data that the page, the exports and the charts
share. Figures keep full precision; rounding to 2 decimals happens only when they are displayed.

Formulas (DESIGN.md section 6, docs/methodology.md), each defined once in `aggregation`: a unit's CCHC index =
points / maximum x 100, banded on the value it is shown with; satisfaction = the unit's stored `sipas` snapshot,
ranked only when it is counted (adequate sample, every element answered); a group's and the province's
satisfaction are the stored group and province snapshots (the mean over counted units, then over groups, with k of
n units counted), never recomputed here; a group's CCHC figure is `aggregation.mean_of_counted` over its units;
the composite at every level is `aggregation.composite` of that level's CCHC and satisfaction. A unit's history
follows its predecessors (merged or renamed units): a unit without a figure of its own in a past period takes the
mean of its predecessors' figures.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from survey.models import Element, Unit, UnitGroup

from . import aggregation
from .aggregation import composite, mean_of_counted, round_half_up
from .cchc import Band, bands_of, cchc_percent, classify, scheme_for_year
from .methodology import method_statement
from .models import CchcScore, IndexSnapshot, ReportScheme

TREND_YEARS = 5
# A unit whose CCHC index and satisfaction differ by this many points stands out on the scatter and in the text.
DISCREPANCY_POINTS = 15.0
BAND_COLOURS = {
    Band.EXCELLENT: "#0b5cad",
    Band.GOOD: "#1f7a3a",
    Band.FAIR: "#6b8e23",
    Band.AVERAGE: "#b26a00",
    Band.WEAK: "#b3261e",
    None: "#6b7682",
}


def vn_number(value: float | None, decimals: int = 2, *, trim: bool = False, sign: bool = False) -> str:
    """A figure for display in the active language: 75.3 -> "75,30" in Vietnamese ("75.30" in English), or "75,3"
    with trim. None is "N/A". Only for text (pages, narrative, PDF); exports and chart data keep machine numbers."""
    rounded = round_half_up(value, decimals)
    if rounded is None:
        return _("N/A")
    text = f"{rounded:+f}" if sign else f"{rounded:f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0", "-0.00", "+0.00"):
        text = text[1:]
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def rank(values: dict[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 1, 3), highest first, on the displayed value (half up); None takes no rank."""
    ranked = sorted(((round_half_up(v), key) for key, v in values.items() if v is not None), reverse=True)
    result: dict[int, int] = {}
    for position, (value, key) in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        result[key] = result[previous[1]] if previous and previous[0] == value else position
    return result


@dataclass
class UnitRow:
    unit_id: int
    code: str
    name: str
    short_name: str
    cchc: float | None = None
    band: Band | None = None
    cchc_previous: float | None = None
    satisfaction: float | None = None  # only when counted: adequate sample, every element answered
    satisfaction_raw: float | None = None
    n: int = 0  # answers of the least-answered element (what adequacy tests)
    ballots: int = 0  # citizens who rated
    status: str = aggregation.NO_DATA
    ci_low: float | None = None
    ci_high: float | None = None
    adequate: bool = False
    has_satisfaction: bool = False
    satisfaction_previous: float | None = None
    composite: float | None = None
    cchc_rank: int | None = None
    satisfaction_rank: int | None = None
    composite_rank: int | None = None
    meets_target: bool | None = None

    @property
    def cchc_change(self) -> float | None:
        return None if self.cchc is None or self.cchc_previous is None else self.cchc - self.cchc_previous

    @property
    def satisfaction_change(self) -> float | None:
        if self.satisfaction is None or self.satisfaction_previous is None:
            return None
        return self.satisfaction - self.satisfaction_previous

    @property
    def band_label(self) -> str:
        return str(self.band.label) if self.band else ""

    @property
    def incomplete(self) -> bool:
        return self.status == aggregation.INCOMPLETE

    @property
    def satisfaction_status(self) -> str:
        """Why the satisfaction is not ranked nor counted in the group's mean (empty when it is)."""
        if not self.has_satisfaction:
            return _("Chưa có dữ liệu")
        if not self.adequate:
            return _("Chưa đủ dữ liệu")
        if self.incomplete:
            return _("Thiếu yếu tố: có yếu tố không có câu trả lời nào, nên không xếp hạng và không tính vào khối")
        return ""


@dataclass
class GroupTable:
    group_id: int
    code: str
    name: str
    rows: list[UnitRow]
    cchc_average: float | None
    satisfaction_average: float | None
    composite_average: float | None
    cchc_average_previous: float | None
    band_counts: list[tuple[Band, int]]
    cchc_counted: int = 0
    satisfaction_counted: int = 0
    units_total: int = 0
    ballots: int = 0
    n: int = 0

    @property
    def cchc_change(self) -> float | None:
        if self.cchc_average is None or self.cchc_average_previous is None:
            return None
        return self.cchc_average - self.cchc_average_previous

    @property
    def satisfaction_k_of_n(self) -> str:
        return _("%(k)s/%(n)s đơn vị") % {"k": self.satisfaction_counted, "n": self.units_total}

    @property
    def cchc_k_of_n(self) -> str:
        return _("%(k)s/%(n)s đơn vị") % {"k": self.cchc_counted, "n": self.units_total}


@dataclass
class ProvinceReport:
    year: int
    quarter: int | None
    scheme: ReportScheme
    bands: list[Band]
    groups: list[GroupTable]
    province_cchc: float | None
    province_satisfaction: float | None
    province_composite: float | None
    pooled_satisfaction: float | None
    weakest_element: tuple[str, float] | None
    trends: dict
    narrative: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    cchc_counted: int = 0
    satisfaction_counted: int = 0
    units_total: int = 0
    ballots: int = 0
    n: int = 0
    method: dict = field(default_factory=dict)

    @property
    def satisfaction_k_of_n(self) -> str:
        return _("%(k)s/%(n)s đơn vị") % {"k": self.satisfaction_counted, "n": self.units_total}

    @property
    def cchc_k_of_n(self) -> str:
        return _("%(k)s/%(n)s đơn vị") % {"k": self.cchc_counted, "n": self.units_total}

    @property
    def period_label(self) -> str:
        if self.quarter:
            return _("Quý %(quarter)s năm %(year)s") % {"quarter": self.quarter, "year": self.year}
        return _("Năm %(year)s") % {"year": self.year}

    @property
    def rows(self) -> list[UnitRow]:
        return [row for group in self.groups for row in group.rows]

    def chart_data(self) -> dict:
        """What the page's charts draw (passed through json_script)."""
        rows = self.rows
        with_composite = [r for r in rows if r.composite is not None]
        by_cchc = not with_composite
        ordered = sorted(
            [r for r in rows if r.cchc is not None] if by_cchc else with_composite,
            key=lambda r: r.cchc if by_cchc else r.composite,
            reverse=True,
        )
        return {
            "bars": {
                "title": _("Chỉ số CCHC theo đơn vị (%)") if by_cchc else _("Điểm tổng hợp theo đơn vị"),
                "labels": [r.short_name for r in ordered],
                "values": [aggregation.shown(r.cchc if by_cchc else r.composite) for r in ordered],
                "colours": [BAND_COLOURS[r.band] for r in ordered],
                "legend": [{"label": str(b.label), "colour": BAND_COLOURS[b]} for b in self.bands],
            },
            "scatter": {
                "title": _("Chỉ số CCHC và mức hài lòng"),
                "x": _("Chỉ số CCHC (%)"),
                "y": _("Mức hài lòng (%)"),
                "near_label": _("Đơn vị"),
                "far_label": _("Chênh lệch từ %(points)s điểm trở lên") % {"points": int(DISCREPANCY_POINTS)},
                "points": [
                    {
                        "x": aggregation.shown(r.cchc),
                        "y": aggregation.shown(r.satisfaction),
                        "label": r.short_name,
                        "far": abs(r.cchc - r.satisfaction) >= DISCREPANCY_POINTS,
                    }
                    for r in rows
                    if r.cchc is not None and r.satisfaction is not None
                ],
            },
            "trends": self.trends,
        }


def _period(year: int, quarter: int | None) -> tuple[str, datetime.date, datetime.date]:
    if quarter:
        start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        end_month = start.month + 2
        end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
        return IndexSnapshot.PeriodKind.QUARTER, start, end
    return IndexSnapshot.PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class _History:
    """Figures by (unit, period key), followed back through predecessors when a unit has none of its own."""

    def __init__(self, values: dict[tuple[int, object], float], predecessors: dict[int, list[int]]):
        self.values = values
        self.predecessors = predecessors

    def get(self, unit_id: int, key: object, _seen: frozenset = frozenset()) -> float | None:
        if (unit_id, key) in self.values:
            return self.values[(unit_id, key)]
        found = [
            value
            for pred in self.predecessors.get(unit_id, [])
            if pred not in _seen and (value := self.get(pred, key, _seen | {unit_id})) is not None
        ]
        return _mean(found)


def _mean(values) -> float | None:
    return mean_of_counted(values)[0]


class _Snapshot(NamedTuple):
    entity_id: int
    period_start: datetime.date
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    adequate: bool
    ballots: int
    status: str
    units_counted: int | None
    units_total: int | None


def build_province_report(*, year: int, quarter: int | None = None) -> ProvinceReport:
    """The report of `year` (satisfaction of quarter `quarter` when given). Reads stored rows only."""
    scheme = scheme_for_year(year)
    weight_cchc, weight_sat = float(scheme.cchc_weight), float(scheme.satisfaction_weight)
    target = float(scheme.satisfaction_target)
    kind, start, end = _period(year, quarter)
    first_year = year - TREND_YEARS + 1

    units = list(Unit.objects.select_related("group").order_by("group__position", "name"))
    predecessors: dict[int, list[int]] = defaultdict(list)
    for from_id, to_id in Unit.successors.through.objects.values_list("from_unit_id", "to_unit_id"):
        predecessors[to_id].append(from_id)

    cchc_values: dict[tuple[int, int], float] = {}
    cchc_exact = {}
    for unit_id, score_year, points, maximum in CchcScore.objects.filter(
        year__gte=first_year - 1, year__lte=year
    ).values_list("unit_id", "year", "points", "max_points"):
        exact = cchc_percent(points, maximum)
        cchc_exact[(unit_id, score_year)] = exact
        cchc_values[(unit_id, score_year)] = float(exact)
    cchc = _History(cchc_values, predecessors)

    # Satisfaction: the yearly figures for the trend and the previous year, the quarter's when asked for.
    # The range on period_start (not __year) lets the (level, period_kind, period_start, index) index serve it.
    fields = _Snapshot._fields
    yearly = IndexSnapshot.objects.filter(
        level=IndexSnapshot.Level.UNIT,
        period_kind=IndexSnapshot.PeriodKind.YEAR,
        period_start__gte=datetime.date(first_year - 1, 1, 1),
        period_start__lte=datetime.date(year, 1, 1),
        index="sipas",
    )
    sat_values: dict[tuple[int, object], float] = {}
    current: dict[int, _Snapshot] = {}
    for snap in map(_Snapshot._make, yearly.values_list(*fields)):
        if snap.status == aggregation.COUNTED:
            sat_values[(snap.entity_id, snap.period_start.year)] = snap.value
        if not quarter and snap.period_start == start:
            current[snap.entity_id] = snap
    if quarter:
        previous_start = start.replace(year=year - 1)
        quarterly = IndexSnapshot.objects.filter(
            level=IndexSnapshot.Level.UNIT, period_kind=kind, period_start__in=[start, previous_start], index="sipas"
        )
        for snap in map(_Snapshot._make, quarterly.values_list(*fields)):
            if snap.period_start == start:
                current[snap.entity_id] = snap
            elif snap.status == aggregation.COUNTED:
                sat_values[(snap.entity_id, "previous-quarter")] = snap.value
    satisfaction = _History(sat_values, predecessors)
    previous_key = "previous-quarter" if quarter else year - 1

    # Group and province satisfaction: the stored figures (aggregation.group_means / province_means), read, never
    # recomputed; the yearly ones also feed the trend. The weakest element is the province's (a mean of groups).
    benchmarks: dict[tuple[str, int, str, str, datetime.date], _Snapshot] = {}
    wanted = Q(period_kind=IndexSnapshot.PeriodKind.YEAR, index="sipas") & Q(
        period_start__gte=datetime.date(first_year, 1, 1), period_start__lte=datetime.date(year, 1, 1)
    )
    wanted |= Q(period_kind=kind, period_start=start, period_end=end) & (
        Q(index="sipas") | Q(index="pooled_sipas") | Q(index__startswith="element:")
    )
    for level, index, period_kind, *row in (
        IndexSnapshot.objects.filter(level__in=[IndexSnapshot.Level.GROUP, IndexSnapshot.Level.PROVINCE])
        .filter(wanted)
        .values_list("level", "index", "period_kind", *fields)
    ):
        snap = _Snapshot._make(row)
        benchmarks[(level, snap.entity_id, index, period_kind, snap.period_start)] = snap

    def benchmark(level: str, entity_id: int, index: str, period_start: datetime.date, period_kind=kind):
        return benchmarks.get((level, entity_id, index, period_kind, period_start))

    element_values = {
        index.removeprefix("element:"): snap.value
        for (level, _entity, index, period_kind, period_start), snap in benchmarks.items()
        if level == IndexSnapshot.Level.PROVINCE
        and index.startswith("element:")
        and (period_kind, period_start) == (kind, start)
        and snap.value is not None
    }
    pooled_snap = benchmark(IndexSnapshot.Level.PROVINCE, 0, "pooled_sipas", start)
    pooled = pooled_snap.value if pooled_snap else None

    bands = bands_of(scheme)
    groups: list[GroupTable] = []
    by_group: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        if unit.is_active_on(end):
            by_group[unit.group_id].append(unit)
    group_objects = {u.group_id: u.group for u in units}
    for group_id, members in sorted(by_group.items(), key=lambda item: (group_objects[item[0]].position, item[0])):
        rows = []
        for unit in members:
            row = UnitRow(unit.pk, unit.code, unit.name, unit.short_name)
            exact = cchc_exact.get((unit.pk, year))
            row.cchc = cchc.get(unit.pk, year)
            # Banded on the value it is shown with (79.995 shows 80,00 and is Tốt).
            row.band = classify(round_half_up(exact if exact is not None else row.cchc), scheme)
            row.cchc_previous = cchc.get(unit.pk, year - 1)
            snap = current.get(unit.pk)
            if snap is not None:
                row.has_satisfaction = snap.value is not None
                row.adequate = snap.adequate and snap.value is not None
                row.satisfaction_raw, row.n, row.ballots, row.status = snap.value, snap.n, snap.ballots, snap.status
                row.ci_low, row.ci_high = snap.ci_low, snap.ci_high
                if snap.status == aggregation.COUNTED:
                    row.satisfaction = snap.value
                    row.meets_target = round_half_up(snap.value) >= round_half_up(target)
            row.satisfaction_previous = satisfaction.get(unit.pk, previous_key)
            row.composite = composite(
                row.cchc, row.satisfaction, cchc_weight=weight_cchc, satisfaction_weight=weight_sat
            )
            rows.append(row)
        for attribute, ranks in (
            ("cchc_rank", rank({r.unit_id: r.cchc for r in rows})),
            ("satisfaction_rank", rank({r.unit_id: r.satisfaction for r in rows})),
            ("composite_rank", rank({r.unit_id: r.composite for r in rows})),
        ):
            for r in rows:
                setattr(r, attribute, ranks.get(r.unit_id))
        group = group_objects[group_id]
        cchc_average, cchc_counted = mean_of_counted(r.cchc for r in rows)
        sat = benchmark(IndexSnapshot.Level.GROUP, group_id, "sipas", start)
        sat_average = sat.value if sat else None
        groups.append(
            GroupTable(
                group_id=group_id,
                code=group.code,
                name=group.display_name,
                rows=rows,
                cchc_average=cchc_average,
                satisfaction_average=sat_average,
                composite_average=composite(
                    cchc_average, sat_average, cchc_weight=weight_cchc, satisfaction_weight=weight_sat
                ),
                cchc_average_previous=_mean(r.cchc_previous for r in rows),
                band_counts=[(b, sum(1 for r in rows if r.band == b)) for b in bands],
                cchc_counted=cchc_counted,
                satisfaction_counted=sat.units_counted or 0 if sat else 0,
                units_total=len(rows),
                ballots=sat.ballots if sat else 0,
                n=sat.n if sat else 0,
            )
        )

    # Trends: each year's group and province averages over the units active at that year's end.
    years = list(range(first_year, year + 1))
    group_list = [g for g in UnitGroup.objects.all() if g.pk in {u.group_id for u in units}]
    trend_groups = []
    province_cchc_by_year, province_sat_by_year = [], []
    per_year_group: dict[int, dict[int, tuple[float | None, float | None]]] = {}
    for trend_year in years:
        day = datetime.date(trend_year, 12, 31)
        per_group = {}
        for g in group_list:
            members = [u for u in units if u.group_id == g.pk and u.is_active_on(day)]
            group_sat = benchmark(IndexSnapshot.Level.GROUP, g.pk, "sipas", datetime.date(trend_year, 1, 1), "year")
            per_group[g.pk] = (
                _mean(cchc.get(u.pk, trend_year) for u in members),
                group_sat.value if group_sat else None,
            )
        per_year_group[trend_year] = per_group
        province_cchc_by_year.append(_mean(v[0] for v in per_group.values()))
        province_sat = benchmark(IndexSnapshot.Level.PROVINCE, 0, "sipas", datetime.date(trend_year, 1, 1), "year")
        province_sat_by_year.append(province_sat.value if province_sat else None)
    for g in group_list:
        values = [per_year_group[y][g.pk][0] for y in years]
        if any(v is not None for v in values):
            trend_groups.append({"label": g.display_name, "values": [aggregation.shown(v) for v in values]})
    trends = {
        "title": _("Diễn biến qua các năm (%)"),
        "years": years,
        "series": [
            {"label": _("Chỉ số CCHC toàn tỉnh"), "values": [_round(v) for v in province_cchc_by_year]},
            {"label": _("Mức hài lòng toàn tỉnh"), "values": [_round(v) for v in province_sat_by_year]},
            *trend_groups,
        ],
    }

    weakest = None
    if element_values:
        code, value = min(element_values.items(), key=lambda item: item[1])
        weakest = (str(dict(Element.choices).get(code, code)), value)

    province_cchc, _groups_with_cchc = mean_of_counted(g.cchc_average for g in groups)
    province_sat = benchmark(IndexSnapshot.Level.PROVINCE, 0, "sipas", start)
    province_satisfaction = province_sat.value if province_sat else None
    report = ProvinceReport(
        year=year,
        quarter=quarter,
        scheme=scheme,
        bands=bands,
        groups=groups,
        province_cchc=province_cchc,
        province_satisfaction=province_satisfaction,
        province_composite=composite(
            province_cchc, province_satisfaction, cchc_weight=weight_cchc, satisfaction_weight=weight_sat
        ),
        pooled_satisfaction=pooled,
        weakest_element=weakest,
        trends=trends,
        cchc_counted=sum(g.cchc_counted for g in groups),
        satisfaction_counted=province_sat.units_counted or 0 if province_sat else 0,
        units_total=sum(g.units_total for g in groups),
        ballots=province_sat.ballots if province_sat else 0,
        n=province_sat.n if province_sat else 0,
    )
    report.method = method_statement(scheme=scheme, period_label=report.period_label)
    report.narrative = _narrative(report)
    report.findings = _findings(report)
    return report


def _round(value: float | None) -> float | None:
    return aggregation.shown(value)


def _group_phrase(name: str) -> str:
    """How the seed names a group inside a sentence: "Cơ quan chuyên môn thuộc UBND tỉnh" -> "cơ quan chuyên
    môn thuộc UBND tỉnh", "UBND huyện, thị xã, thành phố" -> "huyện, thị xã, thành phố" (after "khối các")."""
    return _lower_first(name.removeprefix("UBND "))


def _lower_first(text: str) -> str:
    """ "Cơ quan chuyên môn" -> "cơ quan chuyên môn", but acronyms such as "UBND" stay as they are."""
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _narrative(report: ProvinceReport) -> list[str]:
    """The seed's paragraph: the province average, then each group's average and its units per band."""
    if report.province_cchc is None:
        return [_("Chưa có điểm chỉ số CCHC của năm %(year)s.") % {"year": report.year}]
    parts = []
    for group in report.groups:
        if group.cchc_average is None:
            continue
        counts = [
            _("%(count)s đơn vị xếp loại %(band)s") % {"count": count, "band": str(band.label).lower()}
            for band, count in group.band_counts
            if count
        ]
        parts.append(
            _("khối các %(group)s đạt %(value)s%% (%(bands)s)")
            % {
                "group": _group_phrase(group.name),
                "value": vn_number(group.cchc_average, trim=True),
                "bands": ", ".join(counts),
            }
        )
    sentence = _("Chỉ số CCHC trung bình của toàn tỉnh đạt %(value)s%%; %(groups)s.") % {
        "value": vn_number(report.province_cchc, trim=True),
        "groups": "; ".join(parts),
    }
    paragraphs = [sentence]
    for group in report.groups:
        top = [r for r in group.rows if r.cchc_rank == 1]
        if top and len(group.rows) > 1:
            paragraphs.append(
                _("Dẫn đầu khối %(group)s: %(units)s (%(value)s%%).")
                % {
                    "group": _lower_first(group.name),
                    "units": ", ".join(r.name for r in top),
                    "value": vn_number(top[0].cchc, trim=True),
                }
            )
    return paragraphs


def _findings(report: ProvinceReport) -> list[str]:
    """The citizens' side: best and worst units, biggest changes, units below target, the weakest element."""
    rows = report.rows
    rated = [r for r in rows if r.satisfaction is not None]
    insufficient = [r for r in rows if r.has_satisfaction and not r.adequate]
    findings = []
    if not rated:
        findings.append(_("Chưa có đơn vị nào đủ dữ liệu đánh giá sự hài lòng trong kỳ này."))
    else:
        best = max(rated, key=lambda r: r.satisfaction)
        worst = min(rated, key=lambda r: r.satisfaction)
        findings.append(
            _(
                "Mức hài lòng của người dân trung bình toàn tỉnh đạt %(value)s%%; cao nhất là %(best)s "
                "(%(best_value)s%%), thấp nhất là %(worst)s (%(worst_value)s%%)."
            )
            % {
                "value": vn_number(report.province_satisfaction, trim=True),
                "best": best.name,
                "best_value": vn_number(best.satisfaction, trim=True),
                "worst": worst.name,
                "worst_value": vn_number(worst.satisfaction, trim=True),
            }
        )
        below = [r for r in rated if not r.meets_target]
        findings.append(
            _("%(met)s/%(total)s đơn vị đạt mục tiêu hài lòng %(target)s%%.")
            % {
                "met": len(rated) - len(below),
                "total": len(rated),
                "target": vn_number(float(report.scheme.satisfaction_target), trim=True),
            }
        )
        changed = [r for r in rated if r.satisfaction_change is not None]
        if changed:
            up = max(changed, key=lambda r: r.satisfaction_change)
            down = min(changed, key=lambda r: r.satisfaction_change)
            if up.satisfaction_change > 0:
                findings.append(
                    _("Tăng nhiều nhất so với kỳ trước: %(unit)s (%(change)s điểm).")
                    % {"unit": up.name, "change": vn_number(up.satisfaction_change, sign=True, trim=True)}
                )
            if down.satisfaction_change < 0:
                findings.append(
                    _("Giảm nhiều nhất so với kỳ trước: %(unit)s (%(change)s điểm).")
                    % {"unit": down.name, "change": vn_number(down.satisfaction_change, sign=True, trim=True)}
                )
        # The five units furthest from the diagonal, largest gap first.
        far = sorted(
            (r for r in rated if r.cchc is not None and abs(r.cchc - r.satisfaction) >= DISCREPANCY_POINTS),
            key=lambda r: -abs(r.cchc - r.satisfaction),
        )[:5]
        if far:
            findings.append(
                _("Chênh lệch lớn giữa chỉ số CCHC và sự hài lòng của người dân: %(units)s.")
                % {
                    "units": "; ".join(
                        _("%(unit)s (CCHC %(cchc)s%%, hài lòng %(sat)s%%)")
                        % {
                            "unit": r.name,
                            "cchc": vn_number(r.cchc, trim=True),
                            "sat": vn_number(r.satisfaction, trim=True),
                        }
                        for r in far
                    )
                }
            )
    if report.weakest_element:
        label, value = report.weakest_element
        findings.append(
            _("Yếu tố có mức hài lòng thấp nhất: %(element)s (%(value)s%%).")
            % {"element": label, "value": vn_number(value, trim=True)}
        )
    if insufficient:
        findings.append(
            _("%(count)s đơn vị chưa đủ số phiếu đánh giá nên chưa được xếp hạng hài lòng: %(units)s.")
            % {"count": len(insufficient), "units": ", ".join(r.name for r in insufficient)}
        )
    return findings
