"""PAKN pages: the citizen's submission and tracking pages, and the staff inbox, case page and overview.

Citizen pages need no account. A tracking code that does not exist, whatever its shape, gets the same 404 page;
misses are counted per client and past `PAKN_LOOKUP_LIMIT` (default 20 per 15 minutes) every lookup answers 429.
Submissions are limited per client too (`PAKN_SUBMIT_LIMIT` per `PAKN_SUBMIT_WINDOW_SECONDS`); see `throttles`.
Staff pages scope every lookup with `Case.objects.for_user`: another unit's case is a 404. The case page offers
only the moves `workflow.allowed_moves` allows; a refused action (a stale page, a role that may not approve)
redirects back to the case page, which shows the reason and the form as filled in (400, or 403 for the role).
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from survey import integrity
from survey.models import Counter, Rating, Unit

from . import forms, retention, selectors, services, throttles, workflow
from .filters import CaseFilter
from .models import Attachment, Case, CaseContact, Delivery, Status

# Citizen pages ---------------------------------------------------------------------------------------------------


def _origin(request: HttpRequest) -> tuple[Counter | None, Rating | None]:
    """The counter and rating carried from the rating flow, when both are valid and match; else what is valid."""
    code = request.GET.get("counter", "").strip()
    counter = None
    if code:
        counter = (
            Counter.objects.select_related("unit")
            .filter(code=code, is_active=True)
            .filter(unit__in=Unit.objects.active())
            .first()
        )
    rating = None
    if counter is not None:
        try:
            key = uuid.UUID(request.GET.get("rating", ""))
        except ValueError:
            key = None
        if key is not None:
            rating = Rating.objects.filter(idempotency_key=key, counter=counter).first()
    return counter, rating


def _device_hash(device_id: str) -> str:
    """The device cookie as the case stores it: a keyed hash, enough to recognise a resubmission, nothing more."""
    return salted_hmac("hailong.pakn.device", device_id, algorithm="sha256").hexdigest()[:32]


def _submitted_case(request: HttpRequest) -> Case | None:
    """The case already filed with this form's one-time key (the form sent again: back, then submit)."""
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None
    return Case.objects.filter(idempotency_key=key).first()


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """The complaint form. It carries a one-time key, so sending it again returns the case it filed (as does the
    same text sent again from the same device within 30 minutes: a browser that fetches the form again on "back"
    gives it a new key); a likely duplicate of a case of the last day (same device or contact, same unit, similar
    text) is shown to the citizen, who may still file it (it is then linked to the first for the officer)."""
    if request.method == "POST" and (first := _submitted_case(request)) is not None:
        messages.info(request, _("Phản ánh này đã được gửi trước đó. Đây là phản ánh ông/bà đã gửi."))
        return redirect("feedback:case-track", code=first.tracking_code)
    if request.method == "POST" and throttles.submission_throttled(request):
        return _too_many_submissions(request)
    device_id, issued = integrity.get_or_issue_device_id(request)
    counter, rating = _origin(request)
    fixed_unit = counter.unit if counter else None
    # Bound on every POST, even an empty one, so that a refused submission always shows why.
    posted = request.method == "POST"
    initial = {"submission_key": uuid.uuid4()}
    # Coming from a rating's follow-up: what the citizen said there starts the complaint.
    if rating is not None and not posted:
        initial["text"] = selectors.complaint_text_from_rating(rating)
    form = forms.CaseForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        fixed_unit=fixed_unit,
        initial=initial,
    )
    status, duplicate = 200, None
    if request.method == "POST":
        if form.is_valid():
            first = selectors.resubmitted_case(
                unit_id=form.target_unit.pk, text=form.cleaned_data["text"], device_hash=_device_hash(device_id)
            )
            if first is not None:
                messages.info(request, _("Phản ánh này đã được gửi trước đó. Đây là phản ánh ông/bà đã gửi."))
                return redirect("feedback:case-track", code=first.tracking_code)
            contact = form.contact()
            if not form.cleaned_data.get("file_anyway"):
                duplicate = selectors.likely_duplicate(
                    unit_id=form.target_unit.pk,
                    text=form.cleaned_data["text"],
                    device_hash=_device_hash(device_id),
                    email=contact.email if contact.consent_reply else "",
                    phone=contact.phone if contact.consent_reply else "",
                )
            if duplicate is None:
                try:
                    case = services.submit_case(
                        unit=form.target_unit,
                        category=form.cleaned_data["category"],
                        text=form.cleaned_data["text"],
                        counter=counter,
                        rating=rating,
                        files=form.cleaned_data["files"],
                        contact=contact,
                        idempotency_key=form.cleaned_data.get("submission_key"),
                        device_hash=_device_hash(device_id),
                    )
                except services.TransitionError as error:
                    form.add_error(None, error.message)
                else:
                    throttles.count_submission(request)
                    messages.success(request, _("Đã gửi phản ánh. Hãy lưu lại mã tra cứu để theo dõi kết quả."))
                    response = redirect("feedback:case-track", code=case.tracking_code)
                    if issued:
                        integrity.set_device_cookie(response, device_id)
                    return response
        if duplicate is None:
            # A refused form counts too: checking attachments costs the server, and a flood of bad forms is the
            # cheapest way to make it pay that cost.
            throttles.count_submission(request)
            status = 400
    context = {
        "form": form,
        "counter": counter,
        "rating": rating,
        "duplicate": duplicate,
        "notice_version": services.PRIVACY_NOTICE_VERSION,
        "retention": retention.retention_periods(),
    }
    response = render(request, "feedback/case_form.html", context, status=status)
    if issued:
        integrity.set_device_cookie(response, device_id)
    return response


def _too_many_submissions(request: HttpRequest) -> HttpResponse:
    minutes = max(1, throttles.submit_window_seconds() // 60)
    response = render(request, "429.html", {"retry_after_minutes": minutes}, status=429)
    response["Retry-After"] = str(throttles.submit_window_seconds())
    return response


def _throttled_response(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/track_throttled.html", status=429)


def _not_found_response(request: HttpRequest) -> HttpResponse:
    throttles.count_lookup_miss(request)
    return _lookup_page(request, status=404, not_found=True)


@require_POST
def case_code_request(request: HttpRequest) -> HttpResponse:
    """ "Send me my code": the tracking codes of the citizen's recent cases go to the email or phone they type, if
    they gave it with their case. The answer is the same whether or not any case matched; requests are limited per
    client and per contact (`PAKN_CODE_REQUEST_LIMIT` an hour)."""
    form = forms.CodeRequestForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, status=400, code_form=form)
    contact = form.cleaned_data["contact"]
    if throttles.code_request_throttled(request, contact):
        return _too_many_code_requests(request)
    throttles.count_code_request(request, contact)
    services.request_tracking_codes(contact=contact)
    messages.success(
        request,
        _(
            "Nếu email hoặc số điện thoại này đã được dùng khi gửi phản ánh, mã tra cứu sẽ được gửi đến đó trong "
            "ít phút."
        ),
    )
    return redirect("feedback:case-lookup")


def _too_many_code_requests(request: HttpRequest) -> HttpResponse:
    response = render(
        request, "429.html", {"retry_after_minutes": throttles.CODE_REQUEST_WINDOW_SECONDS // 60}, status=429
    )
    response["Retry-After"] = str(throttles.CODE_REQUEST_WINDOW_SECONDS)
    return response


def _find_case_by_code(code: str) -> Case | None:
    code = "".join(code.split()).lower()
    # Control characters never get here: ControlCharacterMiddleware refuses them in the address, the form in a body.
    if not code or len(code) > 64:
        return None
    return Case.objects.select_related("unit", "counter").filter(tracking_code=code).first()


def tracking_page(view):
    """A page opened with a tracking code: never sends the code to another site in a Referer (the address holds
    it), and tells search engines not to index it (the templates also carry `noindex`). `same-origin`, not
    `no-referrer`: under `no-referrer` Chromium posts the page's own forms with `Origin: null`, which Django's CSRF
    check refuses (the lookup, the rating of the answer and the appeal all post from these pages)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _lookup_page(request: HttpRequest, status: int = 200, **context) -> HttpResponse:
    context.setdefault("form", forms.LookupForm())
    context.setdefault("code_form", forms.CodeRequestForm())
    return render(request, "feedback/track_lookup.html", context, status=status)


@tracking_page
@require_http_methods(["GET", "POST"])
def case_lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _lookup_page(request)
    if throttles.lookup_throttled(request):
        return _throttled_response(request)
    form = forms.LookupForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, status=400, form=form)
    case = _find_case_by_code(form.cleaned_data["code"])
    if case is None:
        return _not_found_response(request)
    return redirect("feedback:case-track", code=case.tracking_code)


def _track_context(case: Case, **forms_in_use) -> dict:
    return {
        "case": case,
        "events": case.events.filter(is_public=True),
        "rating_form": forms_in_use.get("rating_form") or forms.AnswerRatingForm(),
        "appeal_form": forms_in_use.get("appeal_form") or forms.AppealForm(),
        "information_form": forms_in_use.get("information_form") or forms.InformationForm(),
        "error": forms_in_use.get("error"),
    }


@tracking_page
@require_http_methods(["GET"])
def case_track(request: HttpRequest, code: str) -> HttpResponse:
    if throttles.lookup_throttled(request):
        return _throttled_response(request)
    case = _find_case_by_code(code)
    if case is None:
        return _not_found_response(request)
    response = render(request, "feedback/case_track.html", _track_context(case))
    response["Cache-Control"] = "private, no-store"
    return response


def _citizen_action(request: HttpRequest, code: str, form_class, form_key: str, perform) -> HttpResponse:
    if throttles.lookup_throttled(request):
        return _throttled_response(request)
    case = _find_case_by_code(code)
    if case is None:
        return _not_found_response(request)
    form = form_class(request.POST)
    error = None
    if form.is_valid():
        try:
            message = perform(case, form.cleaned_data)
        except services.TransitionError as exc:
            error = exc.message
        else:
            messages.success(request, message)
            return redirect("feedback:case-track", code=case.tracking_code)
    else:
        # Also when the page does not show this form (the action is not open for the case now).
        error = _("Vui lòng kiểm tra lại thông tin đã nhập.")
    return render(
        request, "feedback/case_track.html", _track_context(case, **{form_key: form}, error=error), status=400
    )


@tracking_page
@require_POST
def case_rate(request: HttpRequest, code: str) -> HttpResponse:
    def perform(case, data):
        services.rate_answer(case=case, satisfied=data["satisfied"])
        return _("Cảm ơn ông/bà đã đánh giá trả lời.")

    return _citizen_action(request, code, forms.AnswerRatingForm, "rating_form", perform)


@tracking_page
@require_POST
def case_appeal(request: HttpRequest, code: str) -> HttpResponse:
    def perform(case, data):
        services.appeal_case(case=case, text=data["text"])
        return _("Đề nghị xem xét lại đã được chuyển đến cán bộ cấp tỉnh.")

    return _citizen_action(request, code, forms.AppealForm, "appeal_form", perform)


@tracking_page
@require_POST
def case_inform(request: HttpRequest, code: str) -> HttpResponse:
    def perform(case, data):
        services.add_citizen_information(case=case, text=data["text"])
        return _("Đã gửi thông tin bổ sung.")

    return _citizen_action(request, code, forms.InformationForm, "information_form", perform)


# Staff pages -----------------------------------------------------------------------------------------------------


# What the provincial inspectorate may do on the cases it sees: read them and add internal notes; the unit answers.
INSPECTOR_ACTIONS = {"note_form"}


def staff_required(view):
    """Logged-in unit staff, provincial staff or the provincial inspectorate; anyone else logged in gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not (request.user.is_unit_staff or request.user.sees_all_units or request.user.is_inspector):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _get_case_for_user(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.for_user(request.user).select_related("unit", "counter", "approved_by"), pk=pk
    )


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = (
        Case.objects.for_user(request.user)
        .select_related("unit", "counter", "assigned_to")
        .order_by(F("due_date").asc(nulls_last=True), "created_at")
    )
    if not request.GET.get("status"):
        cases = cases.open()
    case_filter = CaseFilter(request.GET or None, queryset=cases, user=request.user)
    page = Paginator(case_filter.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/case_list.html",
        {"filter": case_filter, "page": page, "today": timezone.localdate(), "query": query.urlencode()},
        status=400 if case_filter.is_bound and not case_filter.is_valid() else 200,
    )


def _duplicates(request: HttpRequest, case: Case) -> list[dict]:
    """The cases linked to this one as likely duplicates, both ways; a link only to those the user may open."""
    linked = Case.objects.filter(Q(pk=case.duplicate_of_id) | Q(duplicate_of=case)).order_by("created_at")
    visible = set(Case.objects.for_user(request.user).filter(pk__in=linked).values_list("pk", flat=True))
    return [{"case": other, "visible": other.pk in visible} for other in linked]


def _staff_forms(request: HttpRequest, case: Case, moves: set[str], data=None) -> dict:
    """Every form of the case page, unbound, or the one named by `data` ("form key", fields) bound to them."""
    builders = {
        "transition_form": lambda d: forms.TransitionForm(d, moves=moves),
        # A returned draft is offered again for revision.
        "answer_form": lambda d: forms.AnswerForm(d, initial={"text": case.draft_answer}),
        "approve_form": lambda d: forms.ApproveForm(d, initial={"text": case.draft_answer}),
        "return_form": lambda d: forms.ReturnAnswerForm(d),
        "publish_form": lambda d: forms.PublishForm(d),
        "note_form": lambda d: forms.NoteForm(d),
        "assign_form": lambda d: forms.AssignForm(d, unit=case.unit),
        "transfer_form": lambda d: forms.TransferForm(d, current_unit=case.unit),
    }
    bound_key, bound_data = data or (None, None)
    return {key: build(bound_data if key == bound_key else None) for key, build in builders.items()}


def _refusal_key(pk: int) -> str:
    return f"pakn-case-refusal:{pk}"


@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    moves = workflow.allowed_moves(case, request.user)
    # A refused action redirected here (post/redirect/get): show its reason with the form as it was filled in, once.
    refusal = request.session.pop(_refusal_key(case.pk), None)
    data = (refusal["form"], MultiValueDict(refusal["data"])) if refusal else None
    page_forms = _staff_forms(request, case, moves, data)
    if refusal:
        page_forms[refusal["form"]].is_valid()
    deliveries = list(case.deliveries.all())
    context = {
        "duplicates": _duplicates(request, case),
        "deliveries": deliveries,
        "failed_deliveries": [item for item in deliveries if item.status == Delivery.Status.FAILED],
        "case": case,
        "today": timezone.localdate(),
        "attachments": case.attachments.all(),
        "events": case.events.select_related("actor"),
        "contact": CaseContact.objects.filter(case=case).first(),
        "moves": moves,
        "answer_needs_approval": services.answer_needs_approval(case=case, by=request.user),
        "error": refusal["error"] if refusal else None,
        **page_forms,
    }
    return render(request, "feedback/case_detail.html", context, status=refusal["status"] if refusal else 200)


@staff_required
def case_events(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    return render(request, "feedback/case_events.html", {"case": case, "events": case.events.select_related("actor")})


def _staff_action(request: HttpRequest, pk: int, form_key: str, perform) -> HttpResponse:
    """Validate the posted form, call one service, then go back to the case page (post/redirect/get), also when
    the action is refused: the page then shows the reason and the form as it was filled in."""
    case = _get_case_for_user(request, pk)
    if request.user.is_inspector and form_key not in INSPECTOR_ACTIONS:
        raise PermissionDenied(_("Thanh tra tỉnh chỉ xem và ghi chú nội bộ; đơn vị xử lý phản ánh."))
    form = _staff_forms(request, case, workflow.allowed_moves(case, request.user), (form_key, request.POST))[form_key]
    error, status = None, 400
    if form.is_valid():
        try:
            message = perform(case, form.cleaned_data)
        except services.TransitionError as exc:
            error = exc.message
        except PermissionDenied as exc:
            error, status = str(exc) or _("Tài khoản này không có quyền thực hiện thao tác này."), 403
        else:
            messages.success(request, message)
            return redirect("feedback:case-detail", pk=case.pk)
    else:
        error = _("Vui lòng kiểm tra lại thông tin đã nhập.")
    fields = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    request.session[_refusal_key(case.pk)] = {"form": form_key, "data": fields, "error": error, "status": status}
    return redirect("feedback:case-detail", pk=case.pk)


@require_POST
@staff_required
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.change_case_status(case=case, by=request.user, to=data["to"], note=data["note"])
        return _("Đã cập nhật trạng thái.")

    return _staff_action(request, pk, "transition_form", perform)


@require_POST
@staff_required
def case_answer(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        case = services.answer_case(case=case, by=request.user, text=data["text"])
        if case.status == Status.AWAITING_APPROVAL:
            return _("Đã gửi dự thảo trả lời; trả lời được công khai sau khi lãnh đạo đơn vị phê duyệt.")
        return _("Đã trả lời và công bố trên trang tra cứu.")

    return _staff_action(request, pk, "answer_form", perform)


@require_POST
@staff_required
def case_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.approve_answer(case=case, by=request.user, text=data["text"], publish=data["publish"])
        if data["publish"]:
            return _("Đã phê duyệt và công bố trả lời trên trang tra cứu.")
        return _("Đã phê duyệt trả lời. Hãy công bố trả lời trước hạn công bố.")

    return _staff_action(request, pk, "approve_form", perform)


@require_POST
@staff_required
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.return_answer(case=case, by=request.user, note=data["note"])
        return _("Đã trả lại dự thảo để cán bộ chỉnh sửa.")

    return _staff_action(request, pk, "return_form", perform)


@require_POST
@staff_required
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.publish_answer(case=case, by=request.user)
        return _("Đã công bố trả lời trên trang tra cứu.")

    return _staff_action(request, pk, "publish_form", perform)


@require_POST
@staff_required
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.add_internal_note(case=case, by=request.user, note=data["note"])
        return _("Đã thêm ghi chú nội bộ.")

    return _staff_action(request, pk, "note_form", perform)


@require_POST
@staff_required
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.assign_case(case=case, by=request.user, officer=data["officer"])
        return _("Đã phân công cán bộ xử lý.")

    return _staff_action(request, pk, "assign_form", perform)


@require_POST
@staff_required
def case_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case, data):
        services.transfer_case(case=case, by=request.user, unit=data["unit"], reason=data["reason"])
        return _("Đã chuyển phản ánh sang đơn vị khác.")

    response = _staff_action(request, pk, "transfer_form", perform)
    # After a transfer to another unit, unit staff may no longer see the case: send them back to their inbox.
    if response.status_code == 302 and not Case.objects.for_user(request.user).filter(pk=pk).exists():
        return redirect("feedback:case-list")
    return response


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment.objects.filter(case__in=Case.objects.for_user(request.user)), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    is_pdf = attachment.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=is_pdf,
        filename=attachment.original_name if is_pdf else None,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@staff_required
def case_overview(request: HttpRequest) -> HttpResponse:
    if not request.user.sees_all_units:
        raise PermissionDenied
    today = timezone.localdate()
    cases = Case.objects.open().select_related("unit", "assigned_to").order_by("created_at")
    page = Paginator(cases, 100).get_page(request.GET.get("page"))
    overview = selectors.open_cases_overview()
    return render(
        request,
        "feedback/overview.html",
        {
            "page": page,
            "today": today,
            "per_unit": overview["per_unit"],
            "per_category": overview["per_category"],
            "escalated": Case.objects.open().filter(escalated_at__isnull=False).select_related("unit"),
        },
    )
