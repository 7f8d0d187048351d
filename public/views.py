"""Public results pages (no login) and the staff's results posters.

Public pages read stored snapshots through `selectors` (cached under the latest snapshot run) and the complaints
whose citizens consented to publication; they show no personal data. Posters are scoped like the counters' pages:
unit staff reach their own unit, provincial staff any unit, anything else answers 404.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from feedback.models import Category
from feedback.workdays import deadline_days
from indices import exports
from indices.aggregation import MARGIN_OF_ERROR
from indices.periods import Period, PeriodError, parse_period
from indices.selectors import Column, Table
from indices.services import FORMULA_VERSION
from survey.models import Counter, Unit

from . import posters, selectors

UNIT_ANSWERS_SHOWN = 5


def _period(request: HttpRequest, version: int) -> Period | None:
    text = request.GET.get("ky", "").strip()
    return parse_period(text) if text else selectors.default_period(version=version)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "public/bad_request.html", {"error": message}, status=400)


@require_safe
def province(request: HttpRequest) -> HttpResponse:
    version = selectors.snapshot_version()
    try:
        period = _period(request, version)
    except PeriodError as error:
        return _bad_request(request, str(error))
    results = selectors.province_results(period=period, version=version) if period else None
    return render(
        request,
        "public/province.html",
        {
            "results": results,
            "period": period,
            "periods": selectors.published_periods(version=version),
            "version": version,
        },
    )


def _pct(figure) -> float | None:
    return figure.value if figure and figure.shown else None


def _province_table(results: selectors.ProvinceResults) -> Table:
    table = Table(
        "results",
        _("Kết quả đánh giá sự hài lòng"),
        [
            Column(_("Khối")),
            Column(_("Đơn vị")),
            Column(_("Chỉ số hài lòng (%)"), True),
            Column(_("Cận dưới 95%"), True),
            Column(_("Cận trên 95%"), True),
            Column(_("Số phiếu"), True),
            Column(_("Đủ mẫu")),
            Column(_("Số đơn vị được tính"), True),
            Column(_("Số đơn vị"), True),
            Column(_("Tỷ lệ PAKN trả lời đúng hạn (%)"), True),
            Column(_("Thời gian trả lời trung vị (ngày làm việc)"), True),
        ],
    )
    p = results.province
    table.rows.append([_("Toàn tỉnh"), "", _pct(p.sipas), None, None, p.ballots, None, p.counted, p.total, None, None])
    for group in results.groups:
        table.rows.append(
            [
                group.name,
                "",
                _pct(group.sipas),
                None,
                None,
                group.ballots,
                None,
                group.counted,
                group.total,
                None,
                None,
            ]
        )
        for unit in group.units:
            s = unit.sipas
            table.rows.append(
                [
                    group.name,
                    unit.name,
                    _pct(s),
                    s.ci_low if s and s.shown else None,
                    s.ci_high if s and s.shown else None,
                    unit.ballots,
                    _("Có") if s and s.shown else _("Chưa đủ dữ liệu"),
                    None,
                    None,
                    unit.on_time.value if unit.on_time else None,
                    unit.median_days,
                ]
            )
    return table


@require_safe
def province_csv(request: HttpRequest) -> HttpResponse:
    version = selectors.snapshot_version()
    try:
        period = _period(request, version)
    except PeriodError as error:
        return _bad_request(request, str(error))
    if period is None:
        raise Http404
    table = _province_table(selectors.province_results(period=period, version=version))
    return exports.table_csv(table, filename=f"ket-qua-{period}")


@require_safe
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(selectors.public_units(), pk=unit_id)
    version = selectors.snapshot_version()
    try:
        period = _period(request, version)
    except PeriodError as error:
        return _bad_request(request, str(error))
    results = selectors.unit_results(unit=unit, period=period, version=version) if period else None
    published = selectors.search_published(unit_id=unit.pk)
    return render(
        request,
        "public/unit.html",
        {
            "unit": unit,
            "results": results,
            "period": period,
            "periods": selectors.published_periods(version=version),
            "version": version,
            "answers": [selectors.as_published(c) for c in published[:UNIT_ANSWERS_SHOWN]],
            "more_answers": published.count() > UNIT_ANSWERS_SHOWN,
        },
    )


@require_safe
def unit_csv(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(selectors.public_units(), pk=unit_id)
    version = selectors.snapshot_version()
    try:
        period = _period(request, version)
    except PeriodError as error:
        return _bad_request(request, str(error))
    if period is None:
        raise Http404
    results = selectors.unit_results(unit=unit, period=period, version=version)
    table = Table(
        "unit",
        unit.name,
        [
            Column(_("Mục")),
            Column(_("Chỉ số hài lòng (%)"), True),
            Column(_("Cận dưới 95%"), True),
            Column(_("Cận trên 95%"), True),
            Column("n", True),
            Column(_("Đủ mẫu")),
        ],
    )

    def line(label, figure, n=None):
        shown = bool(figure and figure.shown)
        table.rows.append(
            [
                label,
                figure.value if shown else None,
                figure.ci_low if shown else None,
                figure.ci_high if shown else None,
                n if n is not None else (figure.n if figure else 0),
                _("Có") if shown else _("Chưa đủ dữ liệu"),
            ]
        )

    line(_("Chỉ số hài lòng (SIPAS)"), results.row.sipas, results.row.ballots)
    for label, figure in results.elements:
        line(label, figure)
    for counter in results.counters:
        line(counter.name, counter.sipas, counter.ballots)
    return exports.table_csv(table, filename=f"ket-qua-{unit.code}-{period}")


class AnswerSearchForm(forms.Form):
    """The filters of the published answers; every field is optional."""

    don_vi = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị"), queryset=Unit.objects.none(), required=False, empty_label=gettext_lazy("Tất cả")
    )
    loai = forms.ChoiceField(label=gettext_lazy("Loại phản ánh"), required=False)
    ky = forms.CharField(
        label=gettext_lazy("Kỳ (vd. 2025, 2025-Q1, 2025-03)"), required=False, max_length=40, strip=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].queryset = selectors.public_units().order_by("name")
        self.fields["loai"].choices = [("", _("Tất cả")), *Category.choices]

    def clean_ky(self) -> Period | None:
        text = self.cleaned_data["ky"]
        if not text:
            return None
        try:
            return parse_period(text)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error


@require_safe
def answers(request: HttpRequest) -> HttpResponse:
    form = AnswerSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "public/answers.html", {"form": form}, status=400)
    filters = form.cleaned_data if request.GET else {}
    unit = filters.get("don_vi")
    cases = selectors.search_published(
        unit_id=unit.pk if unit else None, category=filters.get("loai") or "", period=filters.get("ky")
    )
    page = Paginator(cases, selectors.ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/answers.html",
        {
            "form": form,
            "show_results": True,
            "page": page,
            "answers": [selectors.as_published(c) for c in page.object_list],
            "query": query.urlencode(),
        },
    )


@require_safe
def method(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/method.html",
        {
            "formula_version": FORMULA_VERSION,
            "margin_value": MARGIN_OF_ERROR,
            "margin_percent": round(MARGIN_OF_ERROR * 100),
            "minimum": getattr(settings, "INDICES_MIN_SAMPLE", 30),
            "answer_days": deadline_days("answer"),
        },
    )


# --- staff: results posters ---------------------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@login_required
def unit_results_poster(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("group"), pk=unit_id)
    if not request.user.can_see_unit(unit):
        raise Http404
    return _pdf(posters.results_poster_pdf(unit=unit), f"ket-qua-{unit.code}")


@login_required
def counter_results_poster(request: HttpRequest, pk: int) -> HttpResponse:
    counter = get_object_or_404(Counter.objects.select_related("unit"), pk=pk, is_active=True)
    if not request.user.can_see_unit(counter.unit_id):
        raise Http404
    return _pdf(posters.results_poster_pdf(unit=counter.unit, counter=counter), f"ket-qua-{counter.code}")
