"""CCHC scores: classification bands and schemes by year, the import of a year's scores, and the staff entry.

The import is one service (`import_cchc_scores`) used by both `manage.py import_cchc` and the upload page. It
reads the whole file, validates every cell first and reports every problem by row and column; a file with any
error changes nothing. A good file replaces the year's scores. Every attempt is logged in `CchcImport`.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from survey import audit
from survey.models import Unit, User

from .escaping import escape_workbook
from .models import CchcField, CchcFieldScore, CchcImport, CchcScore, ReportScheme

COL_UNIT = "ma_don_vi"
COL_NAME = "ten_don_vi"
COL_POINTS = "diem_dat"
COL_MAX = "diem_toi_da"
REQUIRED_COLUMNS = [COL_UNIT, COL_POINTS, COL_MAX]
FIELD_POINTS_SUFFIX = ":dat"
FIELD_MAX_SUFFIX = ":toi_da"
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


class Band(models.TextChoices):
    EXCELLENT = "xuat-sac", gettext_lazy("Xuất sắc")
    GOOD = "tot", gettext_lazy("Tốt")
    FAIR = "kha", gettext_lazy("Khá")
    AVERAGE = "trung-binh", gettext_lazy("Trung bình")
    WEAK = "yeu", gettext_lazy("Yếu")


def scheme_for_year(year: int) -> ReportScheme:
    """The scheme in force in `year` (the latest one valid from that year or before); the design's defaults
    (an unsaved scheme) when none is configured."""
    scheme = ReportScheme.objects.filter(valid_from_year__lte=year).order_by("-valid_from_year").first()
    return scheme or ReportScheme(valid_from_year=year)


def bands_of(scheme: ReportScheme) -> list[Band]:
    """The bands the scheme uses, best first."""
    bands = [Band.GOOD, Band.FAIR, Band.AVERAGE, Band.WEAK]
    return [Band.EXCELLENT, *bands] if scheme.excellent_min is not None else bands


def classify(percent: Decimal | float | None, scheme: ReportScheme) -> Band | None:
    """The band of a CCHC index in %, compared at full precision (80.00 is Tốt, 79.99 is Khá)."""
    if percent is None:
        return None
    value = Decimal(str(percent)) if isinstance(percent, float) else Decimal(percent)
    if scheme.excellent_min is not None and value >= Decimal(scheme.excellent_min):
        return Band.EXCELLENT
    if value >= Decimal(scheme.good_min):
        return Band.GOOD
    if value >= Decimal(scheme.fair_min):
        return Band.FAIR
    if value >= Decimal(scheme.average_min):
        return Band.AVERAGE
    return Band.WEAK


def has_at_most_two_decimals(value: Decimal) -> bool:
    """CCHC points have at most 2 decimals (DESIGN.md section 6): 79.99 and 80.100 pass, 79.995 does not."""
    return value == value.quantize(Decimal("0.01"))


def cchc_percent(points: Decimal, max_points: Decimal) -> Decimal:
    return Decimal(points) / Decimal(max_points) * 100


# --- Import ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        return _("Dòng %(row)s, cột %(column)s: %(message)s") % self.as_dict()


@dataclass
class _ParsedRow:
    row: int
    unit: Unit
    points: Decimal
    max_points: Decimal
    fields: list[tuple[CchcField, Decimal, Decimal]]


class CchcImportRejected(Exception):
    """Raised by `import_cchc_scores` when the file has errors; `log.errors` lists them all."""

    def __init__(self, log: CchcImport, errors: list[CellError]):
        super().__init__(f"{len(errors)} errors")
        self.log = log
        self.errors = errors


def template_columns() -> list[str]:
    columns = [COL_UNIT, COL_NAME, COL_POINTS, COL_MAX]
    for cchc_field in CchcField.objects.filter(is_active=True):
        columns += [cchc_field.code + FIELD_POINTS_SUFFIX, cchc_field.code + FIELD_MAX_SUFFIX]
    return columns


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The rows of an .xlsx (first sheet) or CSV file as lists of strings (numbers kept as written)."""
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ValueError(_("Không đọc được tệp Excel.")) from error
        sheet = workbook.worksheets[0]
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_("Tệp CSV phải được lưu với mã hóa UTF-8.")) from error
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _number(raw: str) -> Decimal:
    text = raw.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # Vietnamese decimal comma
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value


def _validate(rows: list[list[str]], year: int) -> tuple[list[_ParsedRow], list[CellError]]:
    errors: list[CellError] = []
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [CellError(1, "-", _("Tệp trống hoặc thiếu dòng tiêu đề."))]
    header = [cell.strip().lower() for cell in rows[0]]
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.append(CellError(1, column, _("Thiếu cột bắt buộc.")))
    fields = {f.code: f for f in CchcField.objects.all()}
    for column in header:
        if column and column not in (COL_UNIT, COL_NAME, COL_POINTS, COL_MAX):
            code = column.removesuffix(FIELD_POINTS_SUFFIX).removesuffix(FIELD_MAX_SUFFIX)
            if code not in fields or code == column:
                errors.append(CellError(1, column, _("Cột không được hỗ trợ.")))
    if errors:
        return [], errors
    position = {column: index for index, column in enumerate(header)}
    field_columns = [
        (fields[code], position[code + FIELD_POINTS_SUFFIX], position.get(code + FIELD_MAX_SUFFIX))
        for code in fields
        if code + FIELD_POINTS_SUFFIX in position
    ]
    year_start, year_end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    units = {u.code: u for u in Unit.objects.all()}
    seen: dict[str, int] = {}
    parsed: list[_ParsedRow] = []

    def cell(row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    def number(row_number: int, row: list[str], column: str, index: int | None, required: bool) -> Decimal | None:
        raw = cell(row, index)
        if not raw:
            if required:
                errors.append(CellError(row_number, column, _("Thiếu giá trị.")))
            return None
        try:
            value = _number(raw)
        except (InvalidOperation, ValueError):
            errors.append(CellError(row_number, column, _("“%(value)s” không phải là số.") % {"value": raw}))
            return None
        if value < 0:
            errors.append(CellError(row_number, column, _("Điểm không được âm.")))
            return None
        if not has_at_most_two_decimals(value):
            # Rounding here would be a choice the province did not make (79.995 -> 80.00 is Tốt, 79.99 Khá).
            errors.append(CellError(row_number, column, _("“%(value)s” có quá 2 chữ số thập phân.") % {"value": raw}))
            return None
        if value >= Decimal("100000"):
            errors.append(CellError(row_number, column, _("Điểm quá lớn.")))
            return None
        return value

    data_rows = rows[1:]
    if len(data_rows) > MAX_IMPORT_ROWS:
        return [], [CellError(1, "-", _("Tệp có quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_IMPORT_ROWS})]
    for row_number, row in enumerate(data_rows, start=2):
        if not any(value.strip() for value in row):
            continue
        before = len(errors)
        code = cell(row, position[COL_UNIT])
        unit = units.get(code)
        if not code:
            errors.append(CellError(row_number, COL_UNIT, _("Thiếu mã đơn vị.")))
        elif unit is None:
            errors.append(CellError(row_number, COL_UNIT, _("Không có đơn vị mã “%(code)s”.") % {"code": code}))
        elif not (unit.valid_from <= year_end and (unit.valid_to is None or unit.valid_to >= year_start)):
            errors.append(
                CellError(row_number, COL_UNIT, _("Đơn vị “%(code)s” không hoạt động trong năm này.") % {"code": code})
            )
        elif code in seen:
            errors.append(
                CellError(
                    row_number,
                    COL_UNIT,
                    _("Đơn vị “%(code)s” đã có ở dòng %(row)s.") % {"code": code, "row": seen[code]},
                )
            )
        if code and code not in seen:
            seen[code] = row_number
        points = number(row_number, row, COL_POINTS, position[COL_POINTS], True)
        maximum = number(row_number, row, COL_MAX, position[COL_MAX], True)
        if maximum is not None and maximum == 0:
            errors.append(CellError(row_number, COL_MAX, _("Điểm tối đa phải lớn hơn 0.")))
        elif points is not None and maximum is not None and points > maximum:
            errors.append(CellError(row_number, COL_POINTS, _("Điểm đạt lớn hơn điểm tối đa.")))
        field_scores = []
        for cchc_field, points_index, max_index in field_columns:
            points_column = cchc_field.code + FIELD_POINTS_SUFFIX
            field_points = number(row_number, row, points_column, points_index, False)
            max_column = cchc_field.code + FIELD_MAX_SUFFIX
            field_max = number(row_number, row, max_column, max_index, False)
            if field_points is None:
                continue
            field_max = cchc_field.default_max if field_max is None else field_max
            if field_max == 0:
                errors.append(CellError(row_number, max_column, _("Điểm tối đa phải lớn hơn 0.")))
            elif field_points > field_max:
                errors.append(CellError(row_number, points_column, _("Điểm đạt lớn hơn điểm tối đa.")))
            field_scores.append((cchc_field, field_points, field_max))
        if len(errors) == before:
            parsed.append(_ParsedRow(row_number, unit, points, maximum, field_scores))
    if not parsed and not errors:
        errors.append(CellError(2, "-", _("Tệp không có dòng dữ liệu nào.")))
    return parsed, errors


def import_cchc_scores(
    *, content: bytes, file_name: str, year: int, by: User | None = None, source: str = "upload"
) -> CchcImport:
    """Validate the whole file, then replace the year's CCHC scores with it, atomically.

    Returns the import log. Raises `CchcImportRejected` (after logging the refusal) when any cell is wrong; then
    no score changes.
    """
    errors: list[CellError] = []
    parsed: list[_ParsedRow] = []
    rows: list[list[str]] = []
    if not 2000 <= year <= 2100:
        errors.append(CellError(0, "-", _("Năm không hợp lệ.")))
    elif len(content) > MAX_IMPORT_BYTES:
        errors.append(CellError(0, "-", _("Tệp quá lớn (tối đa 5 MB).")))
    else:
        try:
            rows = read_table(content, file_name)
        except ValueError as error:
            errors.append(CellError(0, "-", str(error)))
        else:
            parsed, errors = _validate(rows, year)
    if errors:
        log = CchcImport.objects.create(
            imported_by=by,
            file_name=file_name[:255],
            year=year if 0 <= year <= 32767 else 0,
            rows=max(len(rows) - 1, 0),
            outcome=CchcImport.Outcome.REJECTED,
            errors=[e.as_dict() for e in errors],
            source=source,
        )
        raise CchcImportRejected(log, errors)
    with transaction.atomic():
        CchcScore.objects.filter(year=year).delete()
        scores = CchcScore.objects.bulk_create(
            [CchcScore(unit=r.unit, year=year, points=r.points, max_points=r.max_points) for r in parsed]
        )
        if not scores or scores[0].pk is None:
            # Backends that cannot return ids from a bulk insert: read them back.
            by_unit = dict(CchcScore.objects.filter(year=year).values_list("unit_id", "pk"))
            for score in scores:
                score.pk = by_unit[score.unit_id]
        CchcFieldScore.objects.bulk_create(
            [
                CchcFieldScore(score=score, field=cchc_field, points=points, max_points=maximum)
                for score, r in zip(scores, parsed, strict=True)
                for cchc_field, points, maximum in r.fields
            ]
        )
        audit.record_audit(
            actor=by,
            action="cchc.import",
            changes={"year": year, "file_name": file_name[:255], "rows": len(parsed), "source": source},
        )
        return CchcImport.objects.create(
            imported_by=by,
            file_name=file_name[:255],
            year=year,
            rows=len(parsed),
            outcome=CchcImport.Outcome.IMPORTED,
            source=source,
        )


@transaction.atomic
def save_cchc_score(
    *,
    unit: Unit,
    year: int,
    points: Decimal,
    max_points: Decimal,
    field_scores: dict[CchcField, tuple[Decimal, Decimal]] | None = None,
    by: User | None = None,
) -> CchcScore:
    """Create or replace one unit's score for a year (the staff form and the API). Field scores given replace the
    old ones. Every call writes one `cchc.save_score` audit entry with the points before and after (the unit's
    totals and each field's), also when nothing changed: a score re-entered is a decision worth tracing."""
    if max_points <= 0 or points < 0 or points > max_points:
        raise ValueError(_("Điểm đạt phải từ 0 đến điểm tối đa."))
    if not all(map(has_at_most_two_decimals, (points, max_points))):
        raise ValueError(_("Điểm có tối đa 2 chữ số thập phân."))
    existing = CchcScore.objects.select_for_update().filter(unit=unit, year=year).first()
    before = _score_figures(existing) if existing else {}
    score, _created = CchcScore.objects.update_or_create(
        unit=unit, year=year, defaults={"points": points, "max_points": max_points}
    )
    score.fields.all().delete()
    CchcFieldScore.objects.bulk_create(
        [
            CchcFieldScore(score=score, field=cchc_field, points=field_points, max_points=field_max)
            for cchc_field, (field_points, field_max) in (field_scores or {}).items()
        ]
    )
    after = _score_figures(score)
    audit.record_audit(
        actor=by,
        action="cchc.save_score",
        target=score,
        changes={
            "unit": unit.code,
            "year": year,
            **{
                name: {"before": before.get(name), "after": after.get(name)}
                for name in sorted(before.keys() | after.keys())
            },
        },
    )
    return score


def _score_figures(score: CchcScore) -> dict[str, str]:
    """A score's points as text ("points", "max_points" and "field:<code>" = "points/max"), for the audit log."""
    figures = {"points": str(score.points), "max_points": str(score.max_points)}
    for field_score in CchcFieldScore.objects.filter(score=score).select_related("field"):
        figures[f"field:{field_score.field.code}"] = f"{field_score.points}/{field_score.max_points}"
    return figures


def build_template_xlsx(*, year: int) -> bytes:
    """An import template: the header row and one row per unit active in `year`, points left empty."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"CCHC {year}"
    columns = template_columns()
    sheet.append(columns)
    maxima = {f.code + FIELD_MAX_SUFFIX: float(f.default_max) for f in CchcField.objects.filter(is_active=True)}
    for unit in Unit.objects.active_on(datetime.date(year, 12, 31)).select_related("group"):
        sheet.append([unit.code, unit.name, None, 100.0] + [maxima.get(column) for column in columns[4:]])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 50
    buffer = io.BytesIO()
    escape_workbook(workbook)
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def save_report_scheme(*, valid_from_year: int, by: User | None = None, **values) -> ReportScheme:
    """Create the scheme valid from `valid_from_year`, or replace the one that exists for that year.

    Bands, weights and the target are configuration: the change is written to the audit log (before and after).
    """
    existing = ReportScheme.objects.select_for_update().filter(valid_from_year=valid_from_year).first()
    before = audit.snapshot(existing) if existing else {}
    scheme, _created = ReportScheme.objects.update_or_create(valid_from_year=valid_from_year, defaults=values)
    scheme.refresh_from_db()  # compare stored values (Decimal places), not the form's
    changes = audit.diff(before, audit.snapshot(scheme))
    if changes:
        audit.record_audit(actor=by, action="report_scheme.save", target=scheme, changes=changes)
    return scheme
