"""Pages of the reporting module: the province report, its exports, CCHC scores entry and import.

Provincial staff and administrators only: everyone else gets 403.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.db_router import reads_from_replica
from survey.models import Rating

from . import channels
from .cchc import (
    CchcImportRejected,
    build_template_xlsx,
    import_cchc_scores,
    save_cchc_score,
    save_report_scheme,
    scheme_for_year,
)
from .exports_report import request_report_export
from .models import CchcImport, CchcScore, ReportExport, ReportScheme
from .report_forms import CchcImportForm, CchcScoreForm, ExportForm, ReportFilterForm, ReportSchemeForm
from .reports import build_province_report


def province_staff_required(view):
    """Logged in, and provincial staff or administrator."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.sees_all_units:
            raise PermissionDenied(_("Chỉ cán bộ cấp tỉnh được xem báo cáo này."))
        return view(request, *args, **kwargs)

    return wrapper


def _default_year() -> int:
    return CchcScore.objects.aggregate(latest=Max("year"))["latest"] or timezone.localdate().year - 1


@province_staff_required
@reads_from_replica
def report_show(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("year", str(_default_year()))
    form = ReportFilterForm(data)
    if not form.is_valid():
        return render(request, "indices/report_show.html", {"form": form, "report": None}, status=400)
    report = build_province_report(year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"])
    export_form = ExportForm(initial={"year": report.year, "quarter": report.quarter or "", "file_format": "xlsx"})
    return render(
        request,
        "indices/report_show.html",
        {
            "form": form,
            "report": report,
            "export_form": export_form,
            "chart_data": report.chart_data(),
            "channel_rows": channels.report_comparison(year=report.year, quarter=report.quarter),
            "channel_labels": [Rating.Channel(c).label for c in channels.CHANNELS],
        },
    )


@require_POST
@province_staff_required
def export_create(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "indices/report_export.html", {"form": form, "export": None}, status=400)
    export = request_report_export(
        by=request.user,
        year=form.cleaned_data["year"],
        quarter=form.cleaned_data["quarter"],
        file_format=form.cleaned_data["file_format"],
    )
    return redirect("reports:export-show", pk=export.pk)


@province_staff_required
def export_show(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(ReportExport, pk=pk)
    return render(request, "indices/report_export.html", {"export": export, "form": None})


@province_staff_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(ReportExport, pk=pk, status=ReportExport.Status.DONE)
    if not export.file:
        raise Http404
    suffix = f"-quy{export.quarter}" if export.quarter else ""
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"bao-cao-cchc-hai-long-{export.year}{suffix}.{export.format}",
    )


@province_staff_required
def cchc_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm({"year": request.GET.get("year") or _default_year()})
    year = form.cleaned_data["year"] if form.is_valid() else _default_year()
    scores = (
        CchcScore.objects.filter(year=year)
        .select_related("unit", "unit__group")
        .order_by("unit__group__position", "unit__name")
    )
    scheme = scheme_for_year(year)
    return render(
        request,
        "indices/cchc_list.html",
        {
            "form": form,
            "year": year,
            "scores": scores,
            "scheme": scheme,
            "imports": CchcImport.objects.select_related("imported_by")[:10],
        },
        status=200 if form.is_valid() else 400,
    )


@require_http_methods(["GET", "POST"])
@province_staff_required
def cchc_edit(request: HttpRequest) -> HttpResponse:
    initial = _score_initial(request.GET.get("unit", ""), request.GET.get("year", ""))
    form = CchcScoreForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            save_cchc_score(
                unit=data["unit"],
                year=data["year"],
                points=data["points"],
                max_points=data["max_points"],
                field_scores=data["field_scores"],
                by=request.user,
            )
            messages.success(
                request,
                _("Đã lưu điểm CCHC của %(unit)s năm %(year)s.") % {"unit": data["unit"], "year": data["year"]},
            )
            return redirect(f"{reverse('reports:cchc-list')}?year={data['year']}")
        return render(request, "indices/cchc_form.html", {"form": form}, status=400)
    return render(request, "indices/cchc_form.html", {"form": form})


def _is_year(text: str) -> bool:
    """Four ASCII digits ("³" is a digit to `str.isdigit`, and a longer number would overflow the column)."""
    return len(text) == 4 and text.isascii() and text.isdigit()


def _score_initial(unit_code: str, year: str) -> dict:
    """The form's initial values for editing an existing score (`?unit=<code>&year=<year>`)."""
    if not (unit_code and _is_year(year)):
        return {}
    score = CchcScore.objects.filter(unit__code=unit_code, year=int(year)).first()
    if score is None:
        return {}
    initial = {"unit": score.unit, "year": score.year, "points": score.points, "max_points": score.max_points}
    for field_score in score.fields.select_related("field"):
        initial[f"f_{field_score.field.code}"] = field_score.points
        initial[f"m_{field_score.field.code}"] = field_score.max_points
    return initial


@require_http_methods(["GET", "POST"])
@province_staff_required
def cchc_import(request: HttpRequest) -> HttpResponse:
    form = CchcImportForm(request.POST or None, request.FILES or None, initial={"year": _default_year()})
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "indices/cchc_import.html", {"form": form}, status=400)
        upload = form.cleaned_data["file"]
        try:
            log = import_cchc_scores(
                content=upload.read(), file_name=upload.name, year=form.cleaned_data["year"], by=request.user
            )
        except CchcImportRejected as rejected:
            return render(
                request,
                "indices/cchc_import.html",
                {"form": form, "errors": rejected.errors, "log": rejected.log},
                status=400,
            )
        messages.success(request, _("Đã nhập %(rows)s điểm CCHC năm %(year)s.") % {"rows": log.rows, "year": log.year})
        return redirect(f"{reverse('reports:cchc-list')}?year={log.year}")
    return render(request, "indices/cchc_import.html", {"form": form})


@province_staff_required
def cchc_template(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm({"year": request.GET.get("year") or timezone.localdate().year - 1})
    if not form.is_valid():
        return HttpResponse(_("Năm không hợp lệ."), status=400, content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    response = HttpResponse(
        build_template_xlsx(year=year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="mau-diem-cchc-{year}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@province_staff_required
def scheme_edit(request: HttpRequest) -> HttpResponse:
    """The schemes in force by year, and a form to add one (or replace a year's, with `?year=`)."""
    year = request.GET.get("year", "")
    existing = ReportScheme.objects.filter(valid_from_year=int(year)).first() if _is_year(year) else None
    form = ReportSchemeForm(request.POST or None, instance=existing or ReportScheme(valid_from_year=_default_year()))
    if request.method == "POST":
        if not form.is_valid():
            context = {"form": form, "schemes": ReportScheme.objects.all()}
            return render(request, "indices/report_scheme.html", context, status=400)
        values = {name: value for name, value in form.cleaned_data.items() if name != "valid_from_year"}
        scheme = save_report_scheme(valid_from_year=form.cleaned_data["valid_from_year"], by=request.user, **values)
        messages.success(request, _("Đã lưu cấu hình áp dụng từ năm %(year)s.") % {"year": scheme.valid_from_year})
        return redirect("reports:scheme-edit")
    return render(request, "indices/report_scheme.html", {"form": form, "schemes": ReportScheme.objects.all()})
