"""Personal-data pages: the citizen's request to see or erase their contact details, and the provincial staff's
list of data requests.

The citizen proves the data is theirs with the tracking code plus the email or phone they gave. Every other pair
(unknown code, a case without contact details, another contact) gets the same 404 page and counts as a lookup miss
in the tracking lookup's throttle, so codes and contacts cannot be probed here either. A matching request is
handled at once (see `retention.answer_web_data_request` for why) and its answer is never cached.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import forms, retention, selectors, throttles
from .models import Case, DataRequest
from .views import staff_required


def _form_page(request: HttpRequest, form: forms.DataRequestForm, *, status: int = 200, not_found: bool = False):
    context = {"form": form, "not_found": not_found, "retention": retention.retention_periods()}
    return render(request, "feedback/data_request_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def data_request_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form_page(request, forms.DataRequestForm())
    if throttles.lookup_throttled(request):
        return render(request, "feedback/track_throttled.html", status=429)
    form = forms.DataRequestForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    case = selectors.case_for_data_request(code=form.cleaned_data["code"], contact=form.cleaned_data["contact"])
    if case is None:
        throttles.count_lookup_miss(request)
        return _form_page(request, forms.DataRequestForm(), status=404, not_found=True)
    data_request, contact = retention.answer_web_data_request(case=case, kind=form.cleaned_data["kind"])
    response = render(
        request,
        "feedback/data_request_result.html",
        {"case": case, "data_request": data_request, "contact": contact},
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _provincial(request: HttpRequest) -> None:
    if not request.user.sees_all_units:
        raise PermissionDenied


def _list_page(request: HttpRequest, record_form: forms.RecordDataRequestForm, *, status: int = 200, error=None):
    now = timezone.now()
    related = ("case", "case__unit", "recorded_by", "handled_by")
    context = {
        "now": now,
        "pending": DataRequest.objects.pending().select_related(*related).order_by("due_at", "pk"),
        "overdue_count": DataRequest.objects.overdue(now).count(),
        "handled": DataRequest.objects.filter(handled_at__isnull=False).select_related(*related)[:50],
        "record_form": record_form,
        "error": error,
        "deadline_hours": retention.retention_periods().request_deadline_hours,
    }
    return render(request, "feedback/data_request_list.html", context, status=status)


@staff_required
def data_request_list(request: HttpRequest) -> HttpResponse:
    _provincial(request)
    return _list_page(request, forms.RecordDataRequestForm())


@require_POST
@staff_required
def data_request_record(request: HttpRequest) -> HttpResponse:
    _provincial(request)
    form = forms.RecordDataRequestForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    case = Case.objects.filter(tracking_code=form.cleaned_data["code"]).first()
    if case is None:
        form.add_error("code", _("Không có phản ánh nào với mã tra cứu này."))
        return _list_page(request, form, status=400)
    retention.record_data_request(
        case=case, kind=form.cleaned_data["kind"], by=request.user, note=form.cleaned_data["note"]
    )
    messages.success(request, _("Đã ghi nhận yêu cầu. Hãy xử lý trước hạn."))
    return redirect("feedback:data-request-list")


@require_POST
@staff_required
def data_request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    _provincial(request)
    data_request = get_object_or_404(DataRequest, pk=pk)
    try:
        handled = retention.complete_data_request(data_request=data_request, by=request.user)
    except retention.DataRequestError as error:
        return _list_page(request, forms.RecordDataRequestForm(), status=400, error=error.message)
    messages.success(request, _("Đã xử lý yêu cầu: %(outcome)s.") % {"outcome": handled.get_outcome_display()})
    return redirect("feedback:data-request-list")
