"""Respondent-level rating files: the template, checking a file (the dry run), and a batch's ratings written or
deleted all at once.

A file (xlsx or csv, UTF-8) has one header row, then one row per respondent:

- `unit`: the unit's code; `date` (YYYY-MM-DD or DD/MM/YYYY) or `period` (2025, 2025-Q3, 2025-07): when the
  respondent was served. A period's ratings are dated on its first day on which the unit was active, so that a unit
  that ended (or began) during the period keeps them within its own life;
- `questionnaire` (the family, e.g. `sipas-full`) and `version` (empty: the latest version);
- `overall`: the overall satisfaction, 1..5;
- one column per item code of the questionnaire (A1..F3 for the full SIPAS block): 1..5, or "no opinion"
  (`KYK`, `không ý kiến`, `no opinion`, `na`), stored as a null answer; empty means the item was not asked;
- optional respondent profile: `age_band` (AGE_BANDS), `sex` (SEXES), `submission` (SUBMISSIONS).

Checking never writes ratings; every problem is reported with its spreadsheet row (the header is row 1) and column.
Rows become ratings of the batch's channel (`survey` or `import`) at the unit's import counter (inactive, so no
live path reaches it), accepted as they are: the live integrity layers are for anonymous taps, not for a file that
provincial staff vouch for. Batches (`RatingImport`) are staged, checked, imported and rolled back through the
functions at the end of this module; `indices.rating_imports` drives them with rollups and progress.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import uuid
import zoneinfo
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from . import audit
from .models import Counter, Questionnaire, QuestionnaireItem, Rating, RatingAnswer, RatingImport, Unit, User

FIXED_COLUMNS = ("unit", "date", "period", "questionnaire", "version", "overall")
PROFILE_COLUMNS = ("age_band", "sex", "submission")
NO_OPINION = {"kyk", "không ý kiến", "khong y kien", "no opinion", "na", "n/a"}
AGE_BANDS = ("18-29", "30-44", "45-59", "60+")
SEXES = {"nam": "male", "nữ": "female", "nu": "female", "male": "male", "female": "female"}
SUBMISSIONS = {
    "trực tiếp": "in_person",
    "truc tiep": "in_person",
    "in_person": "in_person",
    "bưu chính": "post",
    "buu chinh": "post",
    "post": "post",
    "trực tuyến": "online",
    "truc tuyen": "online",
    "online": "online",
}
# Errors kept per file: enough to fix a file, bounded so that a wrong file cannot fill the database.
MAX_ERRORS = 2000
# Rows written per statement and between two progress reports.
CHUNK = 5000


def error_text(error: dict) -> str:
    """A stored error's message in the current language."""
    message = _(error.get("message", ""))
    params = error.get("params")
    return message % params if params else message


class ImportRefused(Exception):
    """The file cannot be staged or the batch cannot change state; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class CheckedRow:
    unit_id: int
    day: datetime.date
    questionnaire_id: int
    score: int
    answers: list[tuple[int, int | None]]
    respondent: dict


@dataclass
class CheckResult:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    row_count: int = 0

    def add_error(self, row: int, column: str, message: str, **params) -> None:
        """Keep the message untranslated (with its parameters): each reader shows it in its own language."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message), "params": params})

    def summary(self) -> dict:
        """What would be imported: rows per unit, the first and last day, the days touched."""
        per_unit = Tally(r.unit_id for r in self.rows)
        names = dict(Unit.objects.filter(pk__in=per_unit).values_list("pk", "name"))
        days = sorted({r.day for r in self.rows})
        return {
            "units": [
                {"unit_id": unit_id, "name": names.get(unit_id, ""), "rows": count}
                for unit_id, count in sorted(per_unit.items(), key=lambda kv: names.get(kv[0], ""))
            ],
            "first_day": days[0].isoformat() if days else None,
            "last_day": days[-1].isoformat() if days else None,
            "answers": sum(len(r.answers) for r in self.rows),
        }


# --- reading ------------------------------------------------------------------------------------------------------


def _read_table(content: bytes, file_name: str) -> list[list]:
    """The file's rows as lists of cell values (the header first). xlsx: the first sheet; anything else: CSV."""
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            raise ImportRefused(_("Không đọc được tệp Excel (.xlsx).")) from error
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(_("Tệp CSV phải được lưu với mã UTF-8.")) from error
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _level(value) -> int | None:
    """1..5 from a cell (3, 3.0 or "3"), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and 1 <= value <= 5 else None
    text = _text(value)
    return int(text) if text in ("1", "2", "3", "4", "5") else None


def _day(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.date.fromisoformat(text)
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _period(value) -> tuple[datetime.date, datetime.date] | None:
    """A year, quarter or month as its first and last day."""
    text = _text(value)
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, first = int(m[1]), 3 * (int(m[2]) - 1) + 1
        return datetime.date(year, first, 1), _month_end(year, first + 2)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return datetime.date(year, month, 1), _month_end(year, month)
    return None


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


# --- checking -----------------------------------------------------------------------------------------------------


def check_rating_file(
    *, content: bytes, file_name: str, today: datetime.date | None = None, on_progress: Callable | None = None
) -> CheckResult:
    """Read and check every row of a file (the dry run): nothing is written. `on_progress(done, total)` is called
    every `CHUNK` rows. A file that cannot be read at all raises `ImportRefused`."""
    today = today or timezone.localdate()
    table = _read_table(content, file_name)
    result = CheckResult()
    while table and not any(_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise ImportRefused(_("Tệp không có dữ liệu."))
    # Fixed and profile columns are matched whatever their case; item codes as written (A1, SA...).
    header = [
        _text(c).lower() if _text(c).lower() in (*FIXED_COLUMNS, *PROFILE_COLUMNS) else _text(c) for c in table[0]
    ]
    missing = [c for c in ("unit", "questionnaire", "overall") if c not in header]
    if "date" not in header and "period" not in header:
        missing.append("date / period")
    if missing:
        result.add_error(1, ", ".join(missing), N_("Thiếu cột bắt buộc."))
        return result
    position = {name: i for i, name in enumerate(header) if name}
    units = {u.code: u for u in Unit.objects.all()}
    questionnaires: dict[tuple[str, int | None], Questionnaire | None] = {}
    items_of: dict[int, dict[str, int]] = {}
    known_items = set(QuestionnaireItem.objects.values_list("code", flat=True))
    item_columns = [h for h in header if h and h not in FIXED_COLUMNS and h not in PROFILE_COLUMNS]
    for name in item_columns:
        if name not in known_items:
            result.add_error(1, name, N_("Cột không có trong mẫu và không phải mã câu hỏi nào."))

    def cell(row: list, name: str):
        index = position.get(name)
        return row[index] if index is not None and index < len(row) else None

    total = len(table) - 1
    for number, row in enumerate(table[1:], start=2):
        if on_progress and (number - 2) % CHUNK == 0:
            on_progress(number - 2, total)
        if not any(_text(c) for c in row):
            continue
        result.row_count += 1
        errors_before = result.error_count

        unit = units.get(_text(cell(row, "unit")))
        if unit is None:
            result.add_error(number, "unit", N_("Không có đơn vị với mã này."))
        day = None
        raw_date, raw_period = cell(row, "date"), cell(row, "period")
        if _text(raw_date):
            day = _day(raw_date)
            if day is None:
                result.add_error(number, "date", N_("Ngày không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)."))
            elif day > today:
                result.add_error(number, "date", N_("Ngày ở tương lai."))
                day = None
            elif unit is not None and not unit.is_active_on(day):
                result.add_error(number, "date", N_("Đơn vị không hoạt động vào ngày này."))
                day = None
        elif _text(raw_period):
            span = _period(raw_period)
            if span is None:
                result.add_error(number, "period", N_("Kỳ không hợp lệ (dùng 2025, 2025-Q1 hoặc 2025-03)."))
            elif span[0] > today:
                result.add_error(number, "period", N_("Kỳ ở tương lai."))
            elif unit is not None:
                first = max(span[0], unit.valid_from)
                last = min(span[1], unit.valid_to or span[1], today)
                if first > last:
                    result.add_error(number, "period", N_("Đơn vị không hoạt động trong kỳ này."))
                else:
                    day = first
        else:
            result.add_error(number, "date", N_("Cần ngày hoặc kỳ khảo sát."))

        family = _text(cell(row, "questionnaire"))
        raw_version = _text(cell(row, "version"))
        version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else None
        questionnaire = None
        if raw_version and version is None:
            result.add_error(number, "version", N_("Phiên bản phải là một số."))
        elif not family:
            result.add_error(number, "questionnaire", N_("Thiếu mã phiếu khảo sát."))
        else:
            key = (family, version)
            if key not in questionnaires:
                versions = Questionnaire.objects.filter(family=family)
                questionnaires[key] = (
                    versions.filter(version=version).first() if version else versions.order_by("-version").first()
                )
            questionnaire = questionnaires[key]
            if questionnaire is None:
                result.add_error(number, "questionnaire", N_("Không có phiếu khảo sát (và phiên bản) này."))
            elif questionnaire.pk not in items_of:
                items_of[questionnaire.pk] = dict(questionnaire.items.values_list("code", "pk"))

        score = _level(cell(row, "overall"))
        if score is None:
            result.add_error(number, "overall", N_("Mức hài lòng chung phải từ 1 đến 5."))

        answers: list[tuple[int, int | None]] = []
        for name in item_columns:
            raw = cell(row, name)
            text = _text(raw)
            if not text:
                continue
            value = None if text.lower() in NO_OPINION else _level(raw)
            if value is None and text.lower() not in NO_OPINION:
                result.add_error(number, name, N_("Câu trả lời phải từ 1 đến 5 hoặc KYK (không ý kiến)."))
                continue
            if questionnaire is not None:
                item_id = items_of[questionnaire.pk].get(name)
                if item_id is None:
                    result.add_error(number, name, N_("Câu hỏi này không thuộc phiếu khảo sát của dòng."))
                else:
                    answers.append((item_id, value))

        respondent = {}
        age = _text(cell(row, "age_band"))
        if age:
            if age in AGE_BANDS:
                respondent["age_band"] = age
            else:
                bands = ", ".join(AGE_BANDS)
                result.add_error(number, "age_band", N_("Nhóm tuổi phải là một trong: %(bands)s."), bands=bands)
        sex = _text(cell(row, "sex")).lower()
        if sex:
            if sex in SEXES:
                respondent["sex"] = SEXES[sex]
            else:
                result.add_error(number, "sex", N_("Giới tính phải là Nam hoặc Nữ."))
        submission = _text(cell(row, "submission")).lower()
        if submission:
            if submission in SUBMISSIONS:
                respondent["submission"] = SUBMISSIONS[submission]
            else:
                result.add_error(
                    number, "submission", N_("Cách nộp hồ sơ phải là: trực tiếp, bưu chính hoặc trực tuyến.")
                )

        if result.error_count == errors_before:
            result.rows.append(
                CheckedRow(
                    unit_id=unit.pk,
                    day=day,
                    questionnaire_id=questionnaire.pk,
                    score=score,
                    answers=answers,
                    respondent=respondent,
                )
            )
    if result.row_count == 0 and not result.errors:
        result.add_error(2, "", N_("Tệp không có dòng dữ liệu nào."))
    if on_progress:
        on_progress(total, total)
    return result


# --- the template -------------------------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The blank file to fill: the header (items of the full SIPAS questionnaire), two example rows, and sheets
    that list the unit codes, the questionnaires and the accepted values."""
    from openpyxl import Workbook

    questionnaire = Questionnaire.objects.filter(family="sipas-full").order_by("-version").first()
    codes = list(questionnaire.items.values_list("code", flat=True)) if questionnaire else []
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Phiếu")
    sheet.append([*FIXED_COLUMNS, *codes, *PROFILE_COLUMNS])
    unit = Unit.objects.order_by("code").first()
    unit_code = unit.code if unit else "ma-don-vi"
    family, version = (questionnaire.family, questionnaire.version) if questionnaire else ("sipas-full", 1)
    sheet.append([unit_code, "2025-03-15", "", family, version, 4, *[4] * len(codes), "30-44", "Nữ", "trực tiếp"])
    sheet.append([unit_code, "", "2025-Q2", family, version, 5, *(["KYK"] + [5] * (len(codes) - 1))[: len(codes)]])
    units = workbook.create_sheet(_("Đơn vị"))
    units.append(["unit", _("Tên"), _("Hiệu lực từ"), _("Hiệu lực đến")])
    for u in Unit.objects.order_by("group__position", "name"):
        units.append([u.code, u.name, u.valid_from, u.valid_to])
    forms = workbook.create_sheet(_("Phiếu khảo sát"))
    forms.append(["questionnaire", "version", _("Tên"), _("Câu hỏi")])
    for q in Questionnaire.objects.prefetch_related("items"):
        forms.append([q.family, q.version, q.name, ", ".join(i.code for i in q.items.all())])
    help_sheet = workbook.create_sheet(_("Hướng dẫn"))
    for line in (
        _("Mỗi dòng của trang đầu là một người trả lời. Dòng 1 là tiêu đề cột, giữ nguyên."),
        _(
            "unit: mã đơn vị (xem trang Đơn vị). date: ngày (YYYY-MM-DD hoặc DD/MM/YYYY) hoặc period: kỳ (2025, "
            "2025-Q1, 2025-03)."
        ),
        _(
            "questionnaire, version: mã và phiên bản phiếu (xem trang Phiếu khảo sát); để trống phiên bản là bản "
            "mới nhất."
        ),
        _(
            "overall: mức hài lòng chung từ 1 đến 5. Mỗi mã câu hỏi: 1 đến 5, hoặc KYK (không ý kiến); để trống nếu "
            "không hỏi."
        ),
        _("age_band: %(ages)s. sex: Nam, Nữ. submission: trực tiếp, bưu chính, trực tuyến (không bắt buộc).")
        % {"ages": ", ".join(AGE_BANDS)},
    ):
        help_sheet.append([line])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- batches ------------------------------------------------------------------------------------------------------


def file_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def stage_rating_import(*, content: bytes, file_name: str, channel: str, by: User | None) -> RatingImport:
    """Store the uploaded file as a new batch waiting to be checked. The same file (by content) already in a batch
    that was not refused, failed or rolled back raises `ImportRefused`."""
    if channel not in dict(RatingImport.CHANNELS):
        raise ImportRefused(_("Kênh không hợp lệ: chọn khảo sát hoặc dữ liệu cũ."))
    if not content:
        raise ImportRefused(_("Tệp rỗng."))
    digest = file_digest(content)
    live = RatingImport.objects.exclude(status__in=_DEAD).filter(digest=digest).first()
    if live is not None:
        raise ImportRefused(
            _("Tệp này đã được tải lên lúc %(when)s (lô số %(pk)s); không nhập một tệp hai lần.")
            % {"when": timezone.localtime(live.created_at).strftime("%d/%m/%Y %H:%M"), "pk": live.pk}
        )
    # The name as the uploader's system gave it, without control characters (a NUL cannot be stored).
    file_name = "".join(c for c in (file_name or "") if c.isprintable())[:255] or "tep"
    batch = RatingImport(channel=channel, file_name=file_name, digest=digest, created_by=by)
    batch.file.save(f"{digest[:16]}.{'xlsx' if content[:2] == b'PK' else 'csv'}", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:
        raise ImportRefused(_("Tệp này vừa được tải lên; không nhập một tệp hai lần.")) from None
    return batch


_DEAD = (RatingImport.Status.INVALID, RatingImport.Status.FAILED, RatingImport.Status.ROLLED_BACK)


def _read_batch_file(batch: RatingImport) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def check_rating_import(*, batch_id: int, on_progress: Callable | None = None) -> RatingImport:
    """The dry run of a staged batch: store its summary and errors; `checked` when it can be imported, `invalid`
    when not (an invalid batch can never be imported)."""
    batch = RatingImport.objects.get(pk=batch_id)
    if batch.status != RatingImport.Status.CHECKING:
        return batch
    try:
        result = check_rating_file(content=_read_batch_file(batch), file_name=batch.file_name, on_progress=on_progress)
    except ImportRefused as refused:
        result = CheckResult()
        result.add_error(1, "", refused.message)
    batch.row_count = result.row_count
    batch.error_count = result.error_count
    batch.errors = result.errors
    batch.summary = result.summary()
    batch.days = sorted({r.day.isoformat() for r in result.rows})
    batch.status = RatingImport.Status.INVALID if result.error_count else RatingImport.Status.CHECKED
    batch.progress = 100
    batch.save(update_fields=["row_count", "error_count", "errors", "summary", "days", "status", "progress"])
    return batch


@transaction.atomic
def confirm_rating_import(*, batch: RatingImport, by: User | None) -> RatingImport:
    """Queue a checked batch for import. Only a `checked` batch can be confirmed."""
    batch = RatingImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != RatingImport.Status.CHECKED:
        raise ImportRefused(_("Chỉ nhập được lô đã kiểm tra và không có lỗi."))
    batch.status = RatingImport.Status.QUEUED
    batch.progress = 0
    batch.save(update_fields=["status", "progress"])
    return batch


def import_counter_ids(unit_ids) -> dict[int, int]:
    """Each unit's import counter (created when missing): inactive, never on a poster, kiosk or QR code."""
    unit_ids = set(unit_ids)
    found = dict(Counter.objects.filter(unit_id__in=unit_ids, kind=Counter.Kind.IMPORT).values_list("unit_id", "pk"))
    for unit_id in unit_ids - set(found):
        counter, _created = Counter.objects.get_or_create(
            unit_id=unit_id,
            kind=Counter.Kind.IMPORT,
            defaults={"name": _("Phiếu khảo sát và dữ liệu nhập từ tệp"), "is_active": False},
        )
        found[unit_id] = counter.pk
    return found


def _local_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def write_batch_ratings(*, batch: RatingImport, on_progress: Callable | None = None) -> int:
    """Check the batch's file again and write all its ratings and answers, or none (any error rolls everything
    back and raises `ImportRefused`). Returns the number of ratings written. On PostgreSQL the rows go over with
    COPY, ids drawn from the sequence first (a few seconds for 100,000 respondents)."""
    result = check_rating_file(content=_read_batch_file(batch), file_name=batch.file_name)
    if result.error_count:
        raise ImportRefused(_("Tệp có lỗi; không nhập dòng nào."))
    rows = result.rows
    counters = import_counter_ids({r.unit_id for r in rows})
    now = timezone.now()
    channel = batch.channel
    times = {day: _local_noon(day) for day in {r.day for r in rows}}
    for offset in range(0, len(rows), CHUNK):
        chunk = rows[offset : offset + CHUNK]
        if connection.vendor == "postgresql":
            _copy_chunk(chunk, batch=batch, counters=counters, times=times, now=now)
        else:
            ratings = Rating.objects.bulk_create(
                Rating(
                    idempotency_key=uuid.uuid4(),
                    counter_id=counters[r.unit_id],
                    unit_id=r.unit_id,
                    questionnaire_id=r.questionnaire_id,
                    score=r.score,
                    channel=channel,
                    created_at=times[r.day],
                    import_batch=batch,
                    respondent=r.respondent,
                )
                for r in chunk
            )
            RatingAnswer.objects.bulk_create(
                RatingAnswer.for_rating(rating, item_id=item_id, value=value)
                for rating, r in zip(ratings, chunk, strict=True)
                for item_id, value in r.answers
            )
        if on_progress:
            on_progress(min(offset + CHUNK, len(rows)), len(rows))
    return len(rows)


_RATING_COPY_COLUMNS = (
    "id, idempotency_key, counter_id, unit_id, questionnaire_id, score, channel, reasons, verified, status, "
    "flags, ip_hash, created_at, updated_at, import_batch_id, respondent, comment"
)


def _copy_chunk(chunk, *, batch, counters, times, now) -> None:
    rating_table, answer_table = Rating._meta.db_table, RatingAnswer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [rating_table, len(chunk)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        stamp = now.isoformat()
        stamps = {day: moment.isoformat() for day, moment in times.items()}
        ratings, answers = [], []
        for rating_id, r in zip(ids, chunk, strict=True):
            counter_id, at = counters[r.unit_id], stamps[r.day]
            respondent = json.dumps(r.respondent, ensure_ascii=False) if r.respondent else "{}"
            ratings.append(
                f"{rating_id}\t{uuid.uuid4()}\t{counter_id}\t{r.unit_id}\t{r.questionnaire_id}\t{r.score}\t"
                f"{batch.channel}\t[]\tf\taccepted\t[]\t\t{at}\t{stamp}\t{batch.pk}\t{respondent}\t\n"
            )
            for item_id, value in r.answers:
                answers.append(
                    f"{rating_id}\t{item_id}\t{value if value is not None else chr(92) + 'N'}\t{counter_id}\t"
                    f"{r.unit_id}\t{at}\t{batch.channel}\n"
                )
        with cursor.cursor.copy(f"COPY {rating_table} ({_RATING_COPY_COLUMNS}) FROM STDIN") as copy:
            copy.write("".join(ratings))
        with cursor.cursor.copy(
            f"COPY {answer_table} (rating_id, item_id, value, counter_id, unit_id, created_at, channel) FROM STDIN"
        ) as copy:
            copy.write("".join(answers))


def batch_buckets(batch: RatingImport) -> dict[datetime.date, set[int]]:
    """The rollup buckets (local day -> import counters) that the batch's ratings fall in."""
    unit_ids = [u["unit_id"] for u in batch.summary.get("units", [])]
    counter_ids = set(
        Counter.objects.filter(unit_id__in=unit_ids, kind=Counter.Kind.IMPORT).values_list("pk", flat=True)
    )
    return {datetime.date.fromisoformat(day): set(counter_ids) for day in batch.days} if counter_ids else {}


@transaction.atomic
def delete_batch_ratings(*, batch: RatingImport, by: User | None, ip_address: str | None = "") -> RatingImport:
    """Roll an imported batch back: delete its ratings and their answers, mark it `rolling_back` (the caller
    refreshes the rollups, then `finish_roll_back`) and write one audit entry. Only a `done` batch can be rolled
    back."""
    batch = RatingImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != RatingImport.Status.DONE:
        raise ImportRefused(_("Chỉ hủy được lô đã nhập xong."))
    ratings = Rating.objects.filter(import_batch=batch)
    RatingAnswer.objects.filter(rating__import_batch=batch)._raw_delete(RatingAnswer.objects.db)
    deleted = ratings._raw_delete(Rating.objects.db)
    batch.status = RatingImport.Status.ROLLING_BACK
    batch.progress = 0
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = by if by is not None and by.is_authenticated else None
    batch.save(update_fields=["status", "progress", "rolled_back_at", "rolled_back_by"])
    audit.record_audit(
        actor=by,
        action="rating_import.roll_back",
        target=batch,
        changes={"ratings": {"before": deleted, "after": 0}, "status": {"before": "done", "after": "rolled_back"}},
        ip_address=ip_address,
    )
    return batch
