"""Pages of rating imports for provincial staff: upload and dry run, confirm, progress, roll back, template."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from survey import imports
from survey.integrity import client_ip
from survey.models import RatingImport

from . import rating_imports
from .report_forms import RatingImportForm
from .report_views import province_staff_required


@require_http_methods(["GET", "POST"])
@province_staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = RatingImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = rating_imports.request_rating_import(
                    content=upload.read(),
                    file_name=upload.name,
                    channel=form.cleaned_data["channel"],
                    by=request.user,
                )
            except imports.ImportRefused as refused:
                form.add_error("file", refused.message)
            else:
                return redirect("reports:import-show", pk=batch.pk)
        status = 400
    batches = RatingImport.objects.select_related("created_by")[:20]
    return render(request, "indices/import_list.html", {"form": form, "batches": batches}, status=status)


@province_staff_required
def import_show(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(RatingImport.objects.select_related("created_by", "rolled_back_by"), pk=pk)
    context = {"batch": batch, "progress": rating_imports.import_progress(batch)}
    return render(request, "indices/import_show.html", context)


@province_staff_required
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = get_object_or_404(RatingImport, pk=pk)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "progress": rating_imports.import_progress(batch),
            "finished": batch.is_finished,
            "rows": batch.row_count,
            "errors": batch.error_count,
        }
    )


@require_POST
@province_staff_required
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(RatingImport, pk=pk)
    try:
        rating_imports.confirm_rating_import(batch=batch, by=request.user)
    except imports.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect("reports:import-show", pk=batch.pk)
    messages.success(request, _("Đang nhập tệp; chỉ số của các kỳ liên quan sẽ được tính lại."))
    return redirect("reports:import-show", pk=batch.pk)


@require_POST
@province_staff_required
def import_roll_back(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(RatingImport, pk=pk)
    try:
        rating_imports.roll_back_rating_import(batch=batch, by=request.user, ip_address=client_ip(request))
    except imports.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect("reports:import-show", pk=batch.pk)
    messages.success(request, _("Đã hủy lô nhập; chỉ số của các kỳ liên quan đang được tính lại."))
    return redirect("reports:import-show", pk=batch.pk)


@province_staff_required
def import_template(request: HttpRequest) -> FileResponse:
    import io

    return FileResponse(
        io.BytesIO(imports.template_xlsx()),
        as_attachment=True,
        filename="mau-nhap-phieu-khao-sat.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
