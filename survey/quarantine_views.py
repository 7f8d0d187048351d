"""The provincial review page for quarantined ratings, and a unit's integrity history."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import quarantine
from .integrity import client_ip
from .models import IntegrityAlert, QuarantineDecision, Unit
from .quarantine_forms import DecisionForm


def provincial_required(view):
    """Provincial staff and administrators only; anyone else is told the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.sees_all_units:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _render_list(request: HttpRequest, form: DecisionForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "survey/quarantine_list.html",
        {
            "form": form,
            "groups": quarantine.quarantine_clusters(),
            "alerts": IntegrityAlert.objects.select_related("counter", "unit")[:30],
            "decisions": QuarantineDecision.objects.select_related("unit", "decided_by")[:20],
        },
        status=status,
    )


@require_GET
@provincial_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, DecisionForm())


@require_POST
@provincial_required
def quarantine_confirm(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    ids = form.cleaned_data["clusters"]
    summary = quarantine.selection_summary(ids=ids)
    if not summary:
        form.add_error("clusters", _("Không còn đánh giá nào đang cách ly trong lựa chọn này."))
        return _render_list(request, form, status=400)
    return render(
        request,
        "survey/quarantine_confirm.html",
        {
            "form": form,
            "ids": ",".join(str(i) for i in ids),
            "summary": summary,
            "total": sum(row["n"] for row in summary),
            "decision_label": dict(QuarantineDecision.Decision.choices)[form.cleaned_data["decision"]],
        },
    )


@require_POST
@provincial_required
def quarantine_decide(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    try:
        decisions = quarantine.decide_quarantined(
            ratings=form.cleaned_data["clusters"],
            decision=form.cleaned_data["decision"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_list(request, form, status=400)
    count = sum(d.rating_count for d in decisions)
    messages.success(
        request,
        ngettext("Đã ghi quyết định cho %(count)d đánh giá.", "Đã ghi quyết định cho %(count)d đánh giá.", count)
        % {"count": count},
    )
    return redirect("survey:quarantine-list")


@require_GET
@login_required
def unit_integrity_history(request: HttpRequest, unit_code: str) -> HttpResponse:
    """Decisions and counts for one unit. Its officers see THAT ratings were quarantined, never which ones."""
    unit = get_object_or_404(Unit, code=unit_code)
    if not request.user.can_see_unit(unit):
        raise Http404
    return render(
        request,
        "survey/quarantine_history.html",
        {
            "unit": unit,
            "summary": quarantine.unit_integrity_summary(unit=unit),
            "decisions": QuarantineDecision.objects.filter(unit=unit).select_related("decided_by")[:100],
            "alerts": IntegrityAlert.objects.filter(unit=unit).select_related("counter")[:50],
        },
    )
