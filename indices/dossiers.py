"""Dossier statistics from the one-stop system: dossiers handled and handled late, per unit and month.

They feed the adequate-sample rule (N = dossiers handled) and the TTHC satisfaction component of Decision 766
(late-dossier %). One row per unit and month (`DossierStat`); sending a unit and month again replaces it.
"""

import datetime
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from survey.audit import record_audit
from survey.models import Unit, User

from .models import DossierStat
from .periods import periods_containing

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_COUNT = 2**31 - 1
# The error code of a row whose unit does not exist (callers may answer "not found" rather than "invalid").
UNKNOWN_UNIT = "unknown_unit"


def _month(value) -> datetime.date | None:
    """The first day of the month of a `datetime.date` or a "YYYY-MM" string; None when it is neither."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = MONTH.match(str(value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def _count(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def upsert_dossier_stats(*, rows: Iterable[Mapping], by: User | None = None, source: str = "api") -> int:
    """Store the figures of each row, replacing those already stored for the same unit and month; return the
    number of rows written.

    Each row maps `unit` (a `Unit` or its stable code), `month` (a date in the month, or "YYYY-MM"; not in the
    future), `handled` and `late` (whole numbers, late <= handled). Every row is checked before anything is
    written, and then all are written in one transaction: all or nothing. Errors raise `ValidationError` with one
    entry per faulty row and field, keyed "<row index>.<field>" (e.g. "3.late"); an unknown unit's error has the
    code `UNKNOWN_UNIT`. A unit and month given twice in the same batch is an error too.

    A batch written leaves one `dossier_stats.push` audit entry (who, from where, which units and months, and the
    figures before and after); a refused batch writes nothing.
    """
    rows = list(rows)
    codes = {row.get("unit") for row in rows if isinstance(row.get("unit"), str)}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    current_month = timezone.localdate().replace(day=1)
    errors: dict[str, list[str]] = {}
    clean: dict[tuple[int, datetime.date], dict] = {}
    for index, row in enumerate(rows):
        unit = row.get("unit")
        unit = unit if isinstance(unit, Unit) else units.get(unit)
        month = _month(row.get("month"))
        handled, late = _count(row.get("handled")), _count(row.get("late"))
        if unit is None:
            errors[f"{index}.unit"] = [
                ValidationError(
                    _("Không có đơn vị mã “%(code)s”.") % {"code": str(row.get("unit") or "")[:40]}, code=UNKNOWN_UNIT
                )
            ]
        if month is None:
            errors[f"{index}.month"] = [_("Tháng phải có dạng YYYY-MM (năm 2000 đến 2100).")]
        elif month > current_month:
            errors[f"{index}.month"] = [_("Không nhận số liệu của tháng chưa đến.")]
        if handled is None:
            errors[f"{index}.handled"] = [_("Số hồ sơ đã giải quyết phải là số nguyên không âm.")]
        if late is None:
            errors[f"{index}.late"] = [_("Số hồ sơ trễ hạn phải là số nguyên không âm.")]
        elif handled is not None and late > handled:
            errors[f"{index}.late"] = [_("Số hồ sơ trễ hạn không được lớn hơn số hồ sơ đã giải quyết.")]
        if unit is None or month is None:
            continue
        if (unit.pk, month) in clean:
            errors[f"{index}.month"] = [_("Đơn vị và tháng này đã có ở một dòng trước trong cùng lần gửi.")]
            continue
        clean[(unit.pk, month)] = {"handled": handled, "late": late}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changes = {}
        for (unit_id, month), figures in clean.items():
            stat = DossierStat.objects.select_for_update().filter(unit_id=unit_id, month=month).first()
            before = {"handled": stat.handled, "late": stat.late} if stat else None
            DossierStat.objects.update_or_create(unit_id=unit_id, month=month, defaults=figures)
            changes[f"{unit_id}:{month:%Y-%m}"] = {"before": before, "after": figures}
        record_audit(actor=by, action="dossier_stats.push", changes={"source": source, "rows": changes})
        # The months' figures (sample adequacy, Decision 766) are recomputed in the background once this commits.
        periods = sorted({str(p) for _unit, month in clean for p in periods_containing(month)})
        if periods:
            from config.celery import enqueue_on_commit

            from .tasks import compute_indices_task

            enqueue_on_commit(compute_indices_task, periods)
    return len(clean)
