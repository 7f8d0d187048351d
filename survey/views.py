"""Public and staff pages of the survey app.

Citizen pages (`/r/<code>`, `/r/d/<token>`, `/kiosk/<token>/` and the steps after the tap) are plain HTML forms
that work without JavaScript. Staff pages (`/quay/...`) are scoped: unit staff reach only their unit's counters,
anything else answers 404.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import integrity, qrcodes, selectors, services
from .forms import AnswerForm, DossierLinkForm, KioskTokenForm, RatingForm
from .models import Counter, DossierLink, KioskToken, PosterBatch, Rating, RetiredCounterCode, Score, Unit

# The faces of the one-tap step, best first, each with its words (the Score labels).
# Unicode 6.0 faces only (2010): older phones' fonts lack the later 🙂 and 🙁, and would show an empty box.
FACES = {5: "😄", 4: "😊", 3: "😐", 2: "😟", 1: "😠"}
# Kiosk pages go back to the first step on their own after these many seconds.
KIOSK_RESET_AFTER_RATING = 5
KIOSK_RESET_AFTER_LOW_RATING = 20
KIOSK_IDLE_RESET = 20


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the platform is, and for staff the way to their area."""
    return render(
        request,
        "survey/home.html",
        {"unit_count": Unit.objects.active().count()},
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`settings.CSRF_FAILURE_VIEW`: a friendly Vietnamese page (an old form, or cookies blocked) in the site's
    style, in the visitor's language, with a way back to the page the form came from. The technical reason is
    never shown."""
    referer = request.META.get("HTTP_REFERER", "")
    back_url = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else None
    )
    return render(request, "403_csrf.html", {"back_url": back_url}, status=403)


# Citizen flow ---------------------------------------------------------------------------------------------------


def _faces():
    return [(value, FACES[value], label) for value, label in sorted(Score.choices, reverse=True)]


def _rate_page(request, *, counter: Counter, action: str, kiosk: KioskToken | None = None, form=None, status=200):
    key = form.cleaned_data.get("key") if form is not None and hasattr(form, "cleaned_data") else None
    context = {
        "counter": counter,
        "unit": counter.unit,
        "action": action,
        "faces": _faces(),
        "key": key or uuid.uuid4(),
        "form": form,
        "kiosk": kiosk,
        # Where the page's script goes after sending a tap itself (the key replaces the zeros).
        "answer_url": _answer_url_for_key(ZERO_KEY, kiosk),
    }
    return render(request, "survey/rate.html", context, status=status)


ZERO_KEY = uuid.UUID(int=0)


def _answer_url_for_key(key: uuid.UUID, kiosk: KioskToken | None) -> str:
    if kiosk is not None:
        return reverse("survey:kiosk-answer", kwargs={"token": kiosk.token, "key": key})
    return reverse("survey:rating-answer", kwargs={"key": key})


def _message_page(request, *, title: str, message: str, status: int, counter: Counter | None = None):
    return render(
        request, "survey/message.html", {"title": title, "message": message, "counter": counter}, status=status
    )


def _answer_url(rating: Rating, kiosk: KioskToken | None) -> str:
    if kiosk is not None:
        return reverse("survey:kiosk-answer", kwargs={"token": kiosk.token, "key": rating.idempotency_key})
    return reverse("survey:rating-answer", kwargs={"key": rating.idempotency_key})


def _submit(request, *, counter, action, channel, dossier_link=None, kiosk=None) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rate_page(request, counter=counter, action=action, kiosk=kiosk, form=form, status=400)
    # A kiosk tablet is shared by every citizen at its counter by design: its cookie identifies no one, so the
    # device layer does not apply there (the address and counter layers still do).
    device_id, new_device = (None, False) if kiosk is not None else integrity.get_or_issue_device_id(request)
    try:
        rating = services.submit_rating(
            counter=counter,
            score=form.cleaned_data["score"],
            idempotency_key=form.cleaned_data["key"],
            channel=channel,
            dossier_link=dossier_link,
            client=integrity.client_info(request, device_id),
            given_at=form.given_at(),
        )
    except services.RatingThrottled as error:
        return integrity.throttled_response(request, error.verdict)
    except services.DossierLinkUsed as error:
        return _message_page(request, title=_("Hồ sơ đã được đánh giá"), message=error.message, status=409)
    except services.DossierLinkExpired as error:
        return _message_page(request, title=_("Liên kết đã hết hạn"), message=error.message, status=410)
    except services.SurveyError as error:
        form.add_error(None, error.message)
        return _rate_page(request, counter=counter, action=action, kiosk=kiosk, form=form, status=400)
    # A replayed key returns the first rating, whatever this request carried: its next step is shown again.
    response = redirect(_answer_url(rating, kiosk))
    if new_device:
        integrity.set_device_cookie(response, device_id)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The page a counter's QR code opens: five faces; one tap records the rating."""
    counter = selectors.counter_for_code(code)
    if counter is None:
        if RetiredCounterCode.objects.filter(code=code).exists():
            return render(request, "survey/code_replaced.html", status=410)
        return _message_page(
            request,
            title=_("Không tìm thấy quầy"),
            message=_("Mã QR này không đúng hoặc quầy đã ngừng hoạt động. Xin vui lòng hỏi cán bộ tại quầy."),
            status=404,
        )
    action = reverse("survey:rate", kwargs={"code": counter.code})
    if request.method == "POST":
        return _submit(request, counter=counter, action=action, channel=Rating.Channel.QR)
    return _rate_page(request, counter=counter, action=action)


@never_cache
@require_http_methods(["GET", "POST"])
def rate_dossier(request: HttpRequest, token: str) -> HttpResponse:
    """A dossier receipt's single-use link: the same faces; the rating is verified."""
    link = DossierLink.objects.select_related("counter__unit").filter(token=token).first()
    if link is None or not link.counter.unit.is_active_on(timezone.localdate()):
        return _message_page(
            request,
            title=_("Liên kết không hợp lệ"),
            message=_("Không tìm thấy liên kết đánh giá này. Xin kiểm tra lại giấy biên nhận."),
            status=404,
        )
    if request.method == "GET" and link.used_at is not None:
        return _message_page(
            request, title=_("Hồ sơ đã được đánh giá"), message=services.DossierLinkUsed.message, status=409
        )
    if link.expires_at is not None and link.expires_at <= timezone.now():
        return _message_page(
            request, title=_("Liên kết đã hết hạn"), message=services.DossierLinkExpired.message, status=410
        )
    action = reverse("survey:rate-dossier", kwargs={"token": link.token})
    if request.method == "POST":
        return _submit(request, counter=link.counter, action=action, channel=Rating.Channel.WEB, dossier_link=link)
    return _rate_page(request, counter=link.counter, action=action)


def _kiosk_or_404(token: str) -> KioskToken:
    kiosk = KioskToken.objects.select_related("counter__unit").filter(token=token, is_active=True).first()
    if kiosk is None or not kiosk.counter.is_active or not kiosk.counter.unit.is_active_on(timezone.localdate()):
        raise Http404(_("Máy tính bảng này chưa được kích hoạt."))
    return kiosk


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """A counter's tablet: the faces again after every rating; ratings carry the channel `kiosk`."""
    kiosk = _kiosk_or_404(token)
    action = reverse("survey:kiosk", kwargs={"token": kiosk.token})
    if request.method == "POST":
        return _submit(request, counter=kiosk.counter, action=action, channel=Rating.Channel.KIOSK, kiosk=kiosk)
    return _rate_page(request, counter=kiosk.counter, action=action, kiosk=kiosk)


def _rating_for_step(key: uuid.UUID, token: str | None) -> tuple[Rating, KioskToken | None]:
    rating = get_object_or_404(Rating.objects.select_related("counter", "unit", "questionnaire"), idempotency_key=key)
    kiosk = _kiosk_or_404(token) if token else None
    if kiosk is not None and kiosk.counter_id != rating.counter_id:
        raise Http404
    return rating, kiosk


def _thanks_url(rating: Rating, kiosk: KioskToken | None) -> str:
    if kiosk is not None:
        return reverse("survey:kiosk-thanks", kwargs={"token": kiosk.token, "key": rating.idempotency_key})
    return reverse("survey:rating-thanks", kwargs={"key": rating.idempotency_key})


@never_cache
@require_http_methods(["GET", "POST"])
def rating_answer(request: HttpRequest, key: uuid.UUID, token: str | None = None) -> HttpResponse:
    """The optional step after the tap, one phone screen: "Bỏ qua" first, the "why" chips for a low rating, a
    short comment, and the questionnaire's items behind "Trả lời thêm"."""
    rating, kiosk = _rating_for_step(key, token)
    items = list(rating.questionnaire.items.all())
    chips = list(selectors.active_reason_chips()) if rating.score <= 3 else []
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, items=items, chips=chips)
        if form.is_valid():
            try:
                services.answer_rating(
                    rating=rating,
                    answers=form.answers(),
                    reasons=form.cleaned_data.get("reasons", []),
                    comment=form.cleaned_data.get("comment", ""),
                )
            except services.SurveyError as error:
                form.add_error(None, error.message)
                status = 400 if not isinstance(error, services.RatingClosed) else 410
            else:
                return redirect(_thanks_url(rating, kiosk))
        else:
            status = 400
    else:
        initial = {f"item_{a.item_id}": str(a.value) if a.value else "na" for a in rating.answers.all()}
        initial["reasons"] = rating.reasons
        initial["comment"] = rating.comment
        form = AnswerForm(initial=initial, items=items, chips=chips)
    context = {
        "rating": rating,
        "counter": rating.counter,
        "unit": rating.unit,
        "form": form,
        "kiosk": kiosk,
        "skip_url": _thanks_url(rating, kiosk),
        # The full questionnaire waits behind "Trả lời thêm", unless it asks for its items up front, or some were
        # answered or refused already.
        "items_open": rating.questionnaire.items_up_front
        or any(field.errors or field.value() for field in form.item_fields()),
        "score_label": rating.get_score_display(),
        "face": FACES[rating.score],
        "reset_seconds": KIOSK_IDLE_RESET,
    }
    return render(request, "survey/answer.html", context, status=status)


@never_cache
def rating_thanks(request: HttpRequest, key: uuid.UUID, token: str | None = None) -> HttpResponse:
    """Thanks; for a rating of 1-2 an invitation to send a complaint, carrying the counter and the rating."""
    rating, kiosk = _rating_for_step(key, token)
    context = {
        "rating": rating,
        "counter": rating.counter,
        "unit": rating.unit,
        "kiosk": kiosk,
        "reset_seconds": KIOSK_RESET_AFTER_LOW_RATING if rating.is_low else KIOSK_RESET_AFTER_RATING,
    }
    return render(request, "survey/thanks.html", context)


# Staff pages ----------------------------------------------------------------------------------------------------


def _get_unit_for_user(request: HttpRequest, unit_id: int) -> Unit:
    return get_object_or_404(selectors.units_for_user(request.user), pk=unit_id)


def _get_counter_for_user(request: HttpRequest, pk: int) -> Counter:
    counter = get_object_or_404(Counter.objects.select_related("unit"), pk=pk, is_active=True)
    if not request.user.can_see_unit(counter.unit_id):
        raise Http404
    return counter


@login_required
def counter_list(request: HttpRequest) -> HttpResponse:
    """Units whose counters the user may print: unit staff go straight to their own unit."""
    if not request.user.sees_all_units:
        if request.user.is_unit_staff:
            return redirect("survey:unit-counters", unit_id=request.user.unit_id)
        raise Http404
    units = selectors.units_for_user(request.user).filter(pk__in=Unit.objects.active().values("pk"))
    return render(request, "survey/counter_list.html", {"units": units})


@login_required
def unit_counters(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_unit_for_user(request, unit_id)
    counters = selectors.counters_of_unit(unit).prefetch_related("kiosk_tokens")
    context = {
        "unit": unit,
        "counters": counters,
        "batches": unit.poster_batches.all()[:5],
        "public_host": qrcodes.public_host(),
    }
    return render(request, "survey/unit_counters.html", context)


@login_required
def unit_comments(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Citizens' follow-up comments for one unit, newest first; personal data was masked when they were stored."""
    unit = _get_unit_for_user(request, unit_id)
    page = Paginator(selectors.comments_of_unit(unit), 50).get_page(request.GET.get("page"))
    chips = {chip.code: chip.display_label for chip in selectors.active_reason_chips()}
    for rating in page:
        rating.reason_labels = [chips.get(code, code) for code in rating.reasons]
    return render(request, "survey/unit_comments.html", {"unit": unit, "page": page, "query": ""})


@login_required
def counter_qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _get_counter_for_user(request, pk)
    response = HttpResponse(qrcodes.qr_png(qrcodes.rating_url(counter.code)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="qr-{counter.code}.png"'
    return response


@login_required
def counter_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _get_counter_for_user(request, pk)
    response = HttpResponse(qrcodes.qr_svg(qrcodes.rating_url(counter.code)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="qr-{counter.code}.svg"'
    return response


@login_required
def counter_poster(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _get_counter_for_user(request, pk)
    response = HttpResponse(qrcodes.poster_pdf([counter]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ap-phich-{counter.code}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def counter_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then give the counter a new code (the printed poster stops working)."""
    counter = _get_counter_for_user(request, pk)
    if request.method == "POST":
        counter = services.rotate_counter_code(counter=counter, by=request.user)
        messages.success(
            request, _("Đã đổi mã của %(counter)s. Hãy in và dán áp phích mới.") % {"counter": counter.name}
        )
        return redirect("survey:unit-counters", unit_id=counter.unit_id)
    return render(request, "survey/counter_rotate.html", {"counter": counter})


@login_required
@require_http_methods(["GET", "POST"])
def kiosk_token_create(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _get_counter_for_user(request, pk)
    form = KioskTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = services.issue_kiosk_token(counter=counter, by=request.user, label=form.cleaned_data["label"])
        url = settings_public_url(reverse("survey:kiosk", kwargs={"token": token.token}))
        return render(request, "survey/kiosk_token_issued.html", {"counter": counter, "token": token, "url": url})
    status = 400 if request.method == "POST" else 200
    return render(request, "survey/kiosk_token_form.html", {"counter": counter, "form": form}, status=status)


@login_required
@require_POST
def kiosk_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(KioskToken.objects.select_related("counter"), pk=pk)
    if not request.user.can_see_unit(token.counter.unit_id):
        raise Http404
    services.revoke_kiosk_token(token=token, by=request.user)
    messages.success(request, _("Đã thu hồi mã máy tính bảng."))
    return redirect("survey:unit-counters", unit_id=token.counter.unit_id)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _get_counter_for_user(request, pk)
    form = DossierLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.mint_dossier_link(
                counter=counter,
                dossier_code=form.cleaned_data["dossier_code"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except services.SurveyError as error:
            form.add_error("dossier_code", error.message)
        else:
            url = settings_public_url(reverse("survey:rate-dossier", kwargs={"token": link.token}))
            return render(request, "survey/dossier_link_minted.html", {"counter": counter, "link": link, "url": url})
    status = 400 if request.method == "POST" else 200
    return render(request, "survey/dossier_link_form.html", {"counter": counter, "form": form}, status=status)


def settings_public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


@login_required
@require_POST
def poster_batch_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_unit_for_user(request, unit_id)
    batch = services.request_poster_batch(unit=unit, by=request.user)
    return redirect("survey:poster-batch-detail", pk=batch.pk)


def _get_batch_for_user(request: HttpRequest, pk: int) -> PosterBatch:
    batch = get_object_or_404(PosterBatch.objects.select_related("unit"), pk=pk)
    if not request.user.can_see_unit(batch.unit_id):
        raise Http404
    return batch


@login_required
def poster_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    return render(request, "survey/poster_batch.html", {"batch": batch, "unit": batch.unit})


@login_required
@never_cache
def poster_batch_status(request: HttpRequest, pk: int) -> JsonResponse:
    batch = _get_batch_for_user(request, pk)
    return JsonResponse(
        {
            "status": batch.status,
            "done": batch.done,
            "total": batch.total,
            "percent": batch.percent,
            "finished": batch.is_finished,
        }
    )


@login_required
def poster_batch_download(request: HttpRequest, pk: int) -> FileResponse:
    batch = _get_batch_for_user(request, pk)
    if batch.status != PosterBatch.Status.DONE or not batch.file:
        raise Http404(_("Tệp áp phích chưa sẵn sàng."))
    return FileResponse(
        batch.file.open("rb"), content_type="application/pdf", filename=f"ap-phich-{batch.unit.code}.pdf"
    )
