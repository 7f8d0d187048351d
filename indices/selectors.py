"""Reads for the indices pages: stored snapshots (never a recomputation) and the hour rollup for the heat map.

`unit_dashboard(unit=..., period=...)` returns every table of the agency dashboard as `Table`s, which the page
renders and `exports.py` writes to CSV or Excel, so what is shown and what is exported cannot drift apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay
from django.utils.translation import gettext as _

from survey.models import Counter, Element, QuestionnaireItem, Unit

from .aggregation import D766_PARAMETERS
from .methodology import method_statement
from .models import IndexSnapshot, RatingHourRollup
from .periods import Period, month

SURVEY_INDICES = ("sipas", "overall", "mean_score", "dissatisfaction")
TREND_INDICES = ("sipas", "overall", "dissatisfaction")
WEAKEST_SHOWN = 2


def _index_labels() -> dict[str, str]:
    return {
        "sipas": _("Chỉ số hài lòng (SIPAS)"),
        "overall": _("Tỷ lệ hài lòng chung"),
        "mean_score": _("Điểm trung bình (1–5)"),
        "dissatisfaction": _("Tỷ lệ không hài lòng"),
        "d766:pakn_on_time": _("Tỷ lệ PAKN trả lời đúng hạn"),
        "d766:pakn_satisfaction": _("Hài lòng với trả lời PAKN"),
        "d766:tthc_satisfaction": _("Hài lòng về giải quyết TTHC"),
    }


@dataclass
class Column:
    label: str
    numeric: bool = False


@dataclass
class Table:
    """A dashboard table: what the page shows and what the exports write. Cells are numbers, text or None."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)

    def cells(self) -> list[list[tuple]]:
        """Rows as (value, numeric) pairs, for templates."""
        return [[(v, c.numeric) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    headline: list[dict]
    tables: dict[str, Table]
    charts: dict
    heat_cells: list[dict]
    has_data: bool
    method: dict = field(default_factory=dict)


def _snapshots(level: str, entity_ids, period: Period, indices=None):
    qs = IndexSnapshot.objects.filter(
        level=level,
        entity_id__in=list(entity_ids),
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
    )
    if indices is not None:
        qs = qs.filter(index__in=list(indices))
    return qs.only(
        "entity_id",
        "index",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "adequate",
        "ballots",
        "units_counted",
        "units_total",
        "status",
    )


def latest_period_with_data(*, unit_id: int, kind: str = "month") -> Period | None:
    start = (
        IndexSnapshot.objects.filter(level="unit", entity_id=unit_id, period_kind=kind, index="overall")
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return month(start.year, start.month) if start and kind == "month" else None


def unit_figures(*, unit_id: int, period: Period) -> dict[str, IndexSnapshot]:
    """Every stored figure of a unit over a period, by index name (one query)."""
    return {s.index: s for s in _snapshots("unit", [unit_id], period)}


def _item_texts(codes) -> dict[str, str]:
    """Each item's wording in the current language (English where the item has it)."""
    texts = {}
    # The newest questionnaire's wording wins when a code appears in several versions.
    for item in (
        QuestionnaireItem.objects.filter(code__in=list(codes))
        .order_by("questionnaire__created_at", "questionnaire_id")
        .only("code", "text", "text_en")
    ):
        texts[item.code] = item.display_text
    return texts


def _heat(unit_id: int, period: Period) -> tuple[Table, list[dict]]:
    rows = (
        RatingHourRollup.objects.filter(unit_id=unit_id, day__gte=period.start, day__lte=period.end)
        .annotate(weekday=ExtractIsoWeekDay("day"))
        .values("weekday", "hour")
        .annotate(ratings=Sum("ratings"), dissatisfied=Sum("dissatisfied"))
        .order_by("hour", "weekday")
    )
    cells = {(r["hour"], r["weekday"]): r for r in rows}
    weekdays = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]
    table = Table(
        "heatmap",
        _("Tỷ lệ không hài lòng theo giờ và ngày trong tuần (%)"),
        [Column(_("Giờ"))] + [Column(w, numeric=True) for w in weekdays],
    )
    hours = sorted({hour for hour, _weekday in cells})
    grid = []
    for hour in hours:
        line, shown = [f"{hour:02d}:00"], []
        for weekday in range(1, 8):
            cell = cells.get((hour, weekday))
            rate = 100 * cell["dissatisfied"] / cell["ratings"] if cell and cell["ratings"] else None
            line.append(rate)
            shown.append({"rate": rate, "n": cell["ratings"] if cell else 0, "level": _heat_level(rate)})
        table.rows.append(line)
        grid.append({"hour": f"{hour:02d}:00", "cells": shown})
    return table, grid


def _heat_level(rate: float | None) -> int | None:
    if rate is None:
        return None
    for level, bound in enumerate((5, 10, 20, 35)):
        if rate < bound:
            return level
    return 4


def unit_dashboard(*, unit: Unit, period: Period) -> Dashboard:
    """Everything the agency dashboard shows for one unit and period, from stored snapshots (a few queries)."""
    labels = _index_labels()
    figures = unit_figures(unit_id=unit.pk, period=period)
    pct = _("Giá trị (%)")

    indices = Table(
        "indices",
        _("Chỉ số hiện tại"),
        [
            Column(_("Chỉ số")),
            Column(pct, True),
            Column(_("Số phiếu"), True),
            Column(_("Số câu trả lời"), True),
            Column(_("Cận dưới 95%"), True),
            Column(_("Cận trên 95%"), True),
            Column(_("Đủ mẫu")),
        ],  # fmt: skip
    )
    for name in SURVEY_INDICES:
        s = figures.get(name)
        if s:
            indices.rows.append(
                [
                    labels[name],
                    s.value,
                    s.ballots,
                    s.n,
                    s.ci_low,
                    s.ci_high,
                    s.get_status_display()
                    if s.status == IndexSnapshot.Status.INCOMPLETE
                    else (_("Có") if s.adequate else _("Chưa đủ dữ liệu")),
                ]
            )

    criteria = sorted(
        (s for name, s in figures.items() if name.startswith("criterion:")),
        key=lambda s: (s.value is None, s.value if s.value is not None else 0),
    )
    texts = _item_texts(s.index.split(":", 1)[1] for s in criteria)
    criteria_table = Table(
        "criteria",
        _("Tiêu chí (yếu nhất trước)"),
        [
            Column(_("Mã")),
            Column(_("Tiêu chí")),
            Column(pct, True),
            Column("n", True),
            Column(_("Cận dưới 95%"), True),
            Column(_("Cận trên 95%"), True),
        ],  # fmt: skip
    )
    for s in criteria:
        code = s.index.split(":", 1)[1]
        criteria_table.rows.append([code, texts.get(code, code), s.value, s.n, s.ci_low, s.ci_high])

    elements = Table(
        "elements",
        _("Năm yếu tố và tiêu chí cần cải thiện trước"),
        [
            Column(_("Yếu tố")),
            Column(pct, True),
            Column("n", True),
            Column(_("Tiêu chí yếu nhất")),
            Column(_("Tỷ lệ của tiêu chí (%)"), True),
        ],  # fmt: skip
    )
    element_of = dict(QuestionnaireItem.objects.filter(code__in=texts).values_list("code", "element"))
    for element in Element:
        s = figures.get(f"element:{element.value}")
        weakest = [c for c in criteria if element_of.get(c.index.split(":", 1)[1]) == element.value]
        weakest = [c for c in weakest if c.value is not None][:WEAKEST_SHOWN]
        names = "; ".join(f"{c.index.split(':', 1)[1]} {texts.get(c.index.split(':', 1)[1], '')}" for c in weakest)
        elements.rows.append(
            [
                str(element.label),
                s.value if s else None,
                s.n if s else 0,
                names or None,
                weakest[0].value if weakest else None,
            ]  # fmt: skip
        )

    # Trend: the 12 months up to the period's end.
    last = month(period.end.year, period.end.month)
    first_year, first_month = last.start.year, last.start.month - 11
    if first_month <= 0:
        first_year, first_month = first_year - 1, first_month + 12
    trend_rows = IndexSnapshot.objects.filter(
        level="unit",
        entity_id=unit.pk,
        period_kind="month",
        period_start__gte=datetime.date(first_year, first_month, 1),
        period_start__lte=last.start,
        index__in=TREND_INDICES,
    ).values_list("period_start", "index", "value", "n")
    by_month: dict[datetime.date, dict] = {}
    for start, name, value, n in trend_rows:
        by_month.setdefault(start, {"n": 0})[name] = value
        if name == "overall":
            by_month[start]["n"] = n
    trend = Table(
        "trend",
        _("Xu hướng theo tháng"),
        [
            Column(_("Tháng")),
            Column(labels["sipas"], True),
            Column(labels["overall"], True),
            Column(labels["dissatisfaction"], True),
            Column("n", True),
        ],  # fmt: skip
    )
    for start in sorted(by_month):
        m = by_month[start]
        trend.rows.append([f"{start:%m/%Y}", m.get("sipas"), m.get("overall"), m.get("dissatisfaction"), m["n"]])

    counters = list(Counter.objects.filter(unit=unit).order_by("name").only("id", "name"))
    counter_figures: dict[int, dict[str, IndexSnapshot]] = {}
    for s in _snapshots("counter", [c.pk for c in counters], period, SURVEY_INDICES):
        counter_figures.setdefault(s.entity_id, {})[s.index] = s
    counter_table = Table(
        "counters",
        _("So sánh các quầy"),
        [
            Column(_("Quầy")),
            Column(labels["sipas"], True),
            Column(labels["overall"], True),
            Column(labels["dissatisfaction"], True),
            Column(labels["mean_score"], True),
            Column("n", True),
            Column(_("Đủ mẫu")),
        ],  # fmt: skip
    )
    for counter in counters:
        f = counter_figures.get(counter.pk, {})
        overall = f.get("overall")
        counter_table.rows.append(
            [counter.name]
            + [f[name].value if name in f else None for name in ("sipas", "overall", "dissatisfaction", "mean_score")]
            + [
                overall.n if overall else 0,
                (_("Có") if overall.adequate else _("Chưa đủ dữ liệu")) if overall else None,
            ]
        )

    d766 = Table(
        "d766",
        _("Nhóm tiêu chí hài lòng theo Quyết định 766"),
        [
            Column(_("Tiêu chí")),
            Column(pct, True),
            Column("n", True),
            Column(_("Điểm"), True),
            Column(_("Điểm tối đa"), True),
        ],  # fmt: skip
    )
    for name, params in D766_PARAMETERS.items():
        s, points = figures.get(f"d766:{name}"), figures.get(f"d766:{name}_points")
        d766.rows.append(
            [
                labels[f"d766:{name}"],
                s.value if s else None,
                s.n if s else 0,
                points.value if points else None,
                params["max_points"],
            ]  # fmt: skip
        )
    total = figures.get("d766:points")
    d766.rows.append(
        [
            _("Tổng điểm"),
            None,
            None,
            total.value if total else None,
            sum(p["max_points"] for p in D766_PARAMETERS.values()),
        ]
    )
    rejected = figures.get("pakn:rejected")
    d766.rows.append(
        [
            _("PAKN không thụ lý (không tính vào tỷ lệ đúng hạn)"),
            None,
            int(rejected.value) if rejected and rejected.value is not None else 0,
            None,
            None,
        ]
    )

    # The unit beside its group and the province: the stored figures the report shows, with k of n units counted.
    benchmarks = benchmark_figures(period=period, index="sipas")
    compare = Table(
        "benchmarks",
        _("So sánh với khối và toàn tỉnh (SIPAS)"),
        [
            Column(_("Cấp")),
            Column(pct, True),
            Column(_("Số đơn vị được tính")),
            Column(_("Số phiếu"), True),
            Column(_("Số câu trả lời (yếu tố ít nhất)"), True),
            Column(_("Tình trạng")),
        ],  # fmt: skip
    )
    own = figures.get("sipas")
    if own:
        compare.rows.append(
            [unit.short_name or unit.name, own.value, None, own.ballots, own.n, own.get_status_display()]
        )
    for label, row in (
        (unit.group.display_name, benchmarks.groups.get(unit.group_id)),
        (_("Toàn tỉnh"), benchmarks.province),
    ):
        if row is not None:
            counted = _("%(k)s/%(n)s đơn vị") % {"k": row.units_counted or 0, "n": row.units_total or 0}
            compare.rows.append([label, row.value, counted, row.ballots, row.n, row.get_status_display()])

    heat_table, heat_cells = _heat(unit.pk, period)
    charts = {
        "trend": {
            "labels": [row[0] for row in trend.rows],
            "series": [
                {"label": labels[name], "data": [_round(row[i]) for row in trend.rows]}
                for i, name in enumerate(TREND_INDICES, start=1)
            ],
        },
        "counters": {
            "labels": [row[0] for row in counter_table.rows],
            "series": [{"label": labels["overall"], "data": [_round(row[2]) for row in counter_table.rows]}],
        },
    }
    tables = {t.key: t for t in (indices, elements, criteria_table, compare, trend, counter_table, heat_table, d766)}
    return Dashboard(
        unit=unit,
        period=period,
        headline=[{"name": n, "label": labels[n], "s": figures[n]} for n in SURVEY_INDICES if n in figures],
        tables=tables,
        charts=charts,
        heat_cells=heat_cells,
        has_data=bool(figures),
        method=method_statement(period_label=period.label),
    )


def _round(value):
    return None if value is None else round(value, 2)


def units_overview(*, period: Period) -> list[dict]:
    """Every unit that existed during the period, with its SIPAS and overall rate (for provincial staff)."""
    units = list(
        Unit.objects.filter(
            Q(valid_from__lte=period.end), Q(valid_to__isnull=True) | Q(valid_to__gte=period.start)
        ).select_related("group")
    )
    figures: dict[int, dict[str, IndexSnapshot]] = {}
    for s in _snapshots("unit", [u.pk for u in units], period, ("sipas", "overall")):
        figures.setdefault(s.entity_id, {})[s.index] = s
    return [{"unit": u, "sipas": figures.get(u.pk, {}).get("sipas"), "overall": figures.get(u.pk, {}).get("overall")}
            for u in units]  # fmt: skip


@dataclass
class Benchmarks:
    """A period's group and province figures of one index, each with its k of n units counted."""

    period: Period
    index: str
    groups: dict[int, IndexSnapshot]
    province: IndexSnapshot | None


def benchmark_figures(*, period: Period, index: str = "sipas") -> Benchmarks:
    """The stored group and province figures of `index` over `period` (2 queries' worth of rows, one query).

    The same rows the report and the API read: a group's figure is the mean over its counted units, with
    `units_counted` of `units_total`, `ballots` and `n`; the province's is the mean of the group figures."""
    rows = IndexSnapshot.objects.filter(
        level__in=[IndexSnapshot.Level.GROUP, IndexSnapshot.Level.PROVINCE],
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        index=index,
    )
    groups, province = {}, None
    for row in rows:
        if row.level == IndexSnapshot.Level.PROVINCE:
            province = row
        else:
            groups[row.entity_id] = row
    return Benchmarks(period=period, index=index, groups=groups, province=province)


def snapshots_visible_to(user) -> QuerySet[IndexSnapshot]:
    """The stored figures `user` may read: everything for provincial staff and administrators; for unit staff
    their own unit's unit-level figures, the figures of their unit's counters, and every group- and province-level
    figure. Group and province figures are means (or pooled rates) over many units, the benchmarks a unit compares
    itself with, and the province publishes them in its yearly report: they are not one unit's private data.
    Anyone else sees nothing."""
    snapshots = IndexSnapshot.objects.all()
    if user is None or not user.is_authenticated:
        return snapshots.none()
    if user.sees_all_units:
        return snapshots
    if not user.is_unit_staff:
        return snapshots.none()
    return snapshots.filter(
        Q(level=IndexSnapshot.Level.UNIT, entity_id=user.unit_id)
        | Q(level=IndexSnapshot.Level.COUNTER, entity_id__in=Counter.objects.filter(unit_id=user.unit_id).values("pk"))
        | Q(level__in=[IndexSnapshot.Level.GROUP, IndexSnapshot.Level.PROVINCE])
    )
