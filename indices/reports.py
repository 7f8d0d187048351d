"""The province report: CCHC scores beside citizens' satisfaction, one table per unit group, as in the seed.

`build_province_report(year=..., quarter=None)` reads stored rows only (CCHC scores and index snapshots, never
ratings) in a fixed, small number of queries, and returns plain data that the page, the exports and the charts
share. Figures keep full precision; rounding to 2 decimals happens only when they are displayed.

Formulas (DESIGN.md section 6): a unit's CCHC index = points / maximum x 100; its band from the year's scheme;
satisfaction = the unit's stored `sipas` snapshot, shown only when its sample is adequate; composite = the
scheme's weights x (CCHC, satisfaction) when both exist; a group's figure = the mean of its units' figures; the
province's = the mean of its group figures. A unit's history follows its predecessors (merged or renamed units):
a unit without a figure of its own in a past period takes the mean of its predecessors' figures.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import formats
from django.utils.translation import gettext as _

from survey.models import Element, Unit, UnitGroup

from .cchc import Band, bands_of, cchc_percent, classify, scheme_for_year
from .channels import satisfaction_figures
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
    if value is None:
        return _("N/A")
    text = f"{value:+.{decimals}f}" if sign else f"{value:.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "+0", "-0.00", "+0.00"):
        text = text[1:]
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def rank(values: dict[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 1, 3), highest first, on the displayed precision; None takes no rank."""
    ranked = sorted(((round(v, 2), key) for key, v in values.items() if v is not None), reverse=True)
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
    satisfaction: float | None = None  # only when the sample is adequate
    satisfaction_raw: float | None = None
    n: int = 0
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
    def satisfaction_status(self) -> str:
        if not self.has_satisfaction:
            return _("Chưa có dữ liệu")
        if not self.adequate:
            return _("Chưa đủ dữ liệu")
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

    @property
    def cchc_change(self) -> float | None:
        if self.cchc_average is None or self.cchc_average_previous is None:
            return None
        return self.cchc_average - self.cchc_average_previous


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
                "values": [round(r.cchc if by_cchc else r.composite, 2) for r in ordered],
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
                        "x": round(r.cchc, 2),
                        "y": round(r.satisfaction, 2),
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
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


class _Snapshot(NamedTuple):
    entity_id: int
    period_start: datetime.date
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    adequate: bool


def build_province_report(*, year: int, quarter: int | None = None) -> ProvinceReport:
    """The report of `year` (satisfaction of quarter `quarter` when given). Reads stored rows only."""
    scheme = scheme_for_year(year)
    # All channels, or those the year's report settings count (the same fields either way).
    figures = satisfaction_figures(scheme)
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
    fields = ("entity_id", "period_start", "value", "n", "ci_low", "ci_high", "adequate")
    yearly = figures.filter(
        level=IndexSnapshot.Level.UNIT,
        period_kind=IndexSnapshot.PeriodKind.YEAR,
        period_start__gte=datetime.date(first_year - 1, 1, 1),
        period_start__lte=datetime.date(year, 1, 1),
        index="sipas",
    )
    sat_values: dict[tuple[int, object], float] = {}
    current: dict[int, _Snapshot] = {}
    for snap in map(_Snapshot._make, yearly.values_list(*fields)):
        if snap.adequate and snap.value is not None:
            sat_values[(snap.entity_id, snap.period_start.year)] = snap.value
        if not quarter and snap.period_start == start:
            current[snap.entity_id] = snap
    if quarter:
        previous_start = start.replace(year=year - 1)
        quarterly = figures.filter(
            level=IndexSnapshot.Level.UNIT, period_kind=kind, period_start__in=[start, previous_start], index="sipas"
        )
        for snap in map(_Snapshot._make, quarterly.values_list(*fields)):
            if snap.period_start == start:
                current[snap.entity_id] = snap
            elif snap.adequate and snap.value is not None:
                sat_values[(snap.entity_id, "previous-quarter")] = snap.value
    satisfaction = _History(sat_values, predecessors)
    previous_key = "previous-quarter" if quarter else year - 1

    element_values: dict[str, list[float]] = defaultdict(list)
    for index, value in figures.filter(
        level=IndexSnapshot.Level.UNIT,
        period_kind=kind,
        period_start=start,
        index__startswith="element:",
        adequate=True,
        value__isnull=False,
    ).values_list("index", "value"):
        element_values[index.removeprefix("element:")].append(value)
    pooled = (
        figures.filter(level=IndexSnapshot.Level.PROVINCE, period_kind=kind, period_start=start, index="pooled_sipas")
        .values_list("value", flat=True)
        .first()
    )

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
            row.band = classify(exact if exact is not None else row.cchc, scheme)
            row.cchc_previous = cchc.get(unit.pk, year - 1)
            snap = current.get(unit.pk)
            if snap is not None:
                row.has_satisfaction = snap.value is not None
                row.adequate = snap.adequate and snap.value is not None
                row.satisfaction_raw, row.n = snap.value, snap.n
                row.ci_low, row.ci_high = snap.ci_low, snap.ci_high
                if row.adequate:
                    row.satisfaction = snap.value
                    row.meets_target = snap.value >= target
            row.satisfaction_previous = satisfaction.get(unit.pk, previous_key)
            if row.cchc is not None and row.satisfaction is not None:
                row.composite = weight_cchc * row.cchc + weight_sat * row.satisfaction
            rows.append(row)
        for attribute, ranks in (
            ("cchc_rank", rank({r.unit_id: r.cchc for r in rows})),
            ("satisfaction_rank", rank({r.unit_id: r.satisfaction for r in rows})),
            ("composite_rank", rank({r.unit_id: r.composite for r in rows})),
        ):
            for r in rows:
                setattr(r, attribute, ranks.get(r.unit_id))
        group = group_objects[group_id]
        groups.append(
            GroupTable(
                group_id=group_id,
                code=group.code,
                name=group.display_name,
                rows=rows,
                cchc_average=_mean(r.cchc for r in rows),
                satisfaction_average=_mean(r.satisfaction for r in rows),
                composite_average=_mean(r.composite for r in rows),
                cchc_average_previous=_mean(r.cchc_previous for r in rows),
                band_counts=[(b, sum(1 for r in rows if r.band == b)) for b in bands],
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
            per_group[g.pk] = (
                _mean(cchc.get(u.pk, trend_year) for u in members),
                _mean(satisfaction.get(u.pk, trend_year) for u in members),
            )
        per_year_group[trend_year] = per_group
        province_cchc_by_year.append(_mean(v[0] for v in per_group.values()))
        province_sat_by_year.append(_mean(v[1] for v in per_group.values()))
    for g in group_list:
        values = [per_year_group[y][g.pk][0] for y in years]
        if any(v is not None for v in values):
            trend_groups.append(
                {"label": g.display_name, "values": [None if v is None else round(v, 2) for v in values]}
            )
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
        code, values = min(element_values.items(), key=lambda item: _mean(item[1]))
        label = dict(Element.choices).get(code, code)
        weakest = (str(label), _mean(values))

    report = ProvinceReport(
        year=year,
        quarter=quarter,
        scheme=scheme,
        bands=bands,
        groups=groups,
        province_cchc=_mean(g.cchc_average for g in groups),
        province_satisfaction=_mean(g.satisfaction_average for g in groups),
        province_composite=_mean(g.composite_average for g in groups),
        pooled_satisfaction=pooled,
        weakest_element=weakest,
        trends=trends,
    )
    report.narrative = _narrative(report)
    report.findings = _findings(report)
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


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
