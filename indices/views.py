"""The agency dashboard: stored snapshots only, never a recomputation on a request.

Unit staff see their own unit; provincial staff and administrators can open any unit; any other unit answers 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from config.db_router import reads_from_replica
from survey.audit import record_audit
from survey.integrity import client_ip
from survey.models import Unit

from . import exports, selectors
from .periods import Period, PeriodError, parse_period, year

EXPORT_FORMATS = ("csv", "xlsx")


def _get_unit_for_user(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("group"), pk=unit_id)
    if not request.user.can_see_unit(unit):
        raise Http404
    return unit


def _period(request: HttpRequest, unit: Unit | None) -> Period:
    """The `ky` parameter, else the unit's latest month with figures, else the current month."""
    text = request.GET.get("ky", "").strip()
    if text:
        return parse_period(text)
    today = timezone.localdate()
    latest = selectors.latest_period_with_data(unit_id=unit.pk) if unit else None
    return latest or parse_period(f"{today:%Y-%m}")


def _bad_period(request: HttpRequest, error: PeriodError) -> HttpResponse:
    return render(request, "indices/bad_period.html", {"error": str(error)}, status=400)


@login_required
@reads_from_replica
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Unit staff go straight to their unit; provincial staff choose a unit."""
    if request.user.is_unit_staff:
        return redirect("indices:unit-dashboard", unit_id=request.user.unit_id)
    if not request.user.sees_all_units:
        raise Http404
    try:
        period = parse_period(request.GET["ky"]) if request.GET.get("ky") else year(timezone.localdate().year)
    except PeriodError as error:
        return _bad_period(request, error)
    rows = selectors.units_overview(period=period)
    has_figures = any(row["overall"] or row["sipas"] for row in rows)
    return render(request, "indices/units.html", {"rows": rows, "period": period, "has_figures": has_figures})


@login_required
@reads_from_replica
def unit_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _get_unit_for_user(request, unit_id)
    try:
        period = _period(request, unit)
    except PeriodError as error:
        return _bad_period(request, error)
    dashboard = selectors.unit_dashboard(unit=unit, period=period)
    return render(request, "indices/dashboard.html", {"dashboard": dashboard, "period_text": str(period)})


@login_required
@reads_from_replica
def table_export(request: HttpRequest, unit_id: int, table: str, fmt: str) -> HttpResponse:
    unit = _get_unit_for_user(request, unit_id)
    if fmt not in EXPORT_FORMATS:
        return render(
            request, "indices/bad_period.html", {"error": _("Định dạng xuất không được hỗ trợ.")}, status=400
        )
    try:
        period = _period(request, unit)
    except PeriodError as error:
        return _bad_period(request, error)
    dashboard = selectors.unit_dashboard(unit=unit, period=period)
    if table not in dashboard.tables:
        raise Http404
    selected = dashboard.tables[table]
    filename = f"{unit.code}-{table}-{period}"
    record_audit(
        actor=request.user,
        action="dashboard.export",
        target=unit,
        changes={"table": table, "period": str(period), "format": fmt},
        ip_address=client_ip(request),
    )
    if fmt == "csv":
        return exports.table_csv(selected, filename=filename)
    return exports.table_xlsx(selected, filename=filename, subtitle=f"{unit.name} · {period.label}")
