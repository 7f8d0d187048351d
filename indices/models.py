"""Stored index snapshots (what pages and the API read) and the one-stop system's dossier statistics."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from survey.models import Unit


class SnapshotRun(models.Model):
    """One computation of snapshots: when, over how many ratings, with which formula version."""

    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    rating_count = models.PositiveBigIntegerField(_("số đánh giá"), default=0)
    formula_version = models.CharField(_("phiên bản công thức"), max_length=20)
    periods = models.CharField(_("kỳ tính"), max_length=200, blank=True)
    trigger = models.CharField(_("nguồn"), max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("lần tính chỉ số")
        verbose_name_plural = _("lần tính chỉ số")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.formula_version})"


class IndexSnapshot(models.Model):
    """One figure: an index of one entity (counter, unit, group or the province) over one period.

    `entity_id` is the counter, unit or group id, and 0 for the province. `value` is null when the
    denominator is empty ("N/A", never 0). Index names: `sipas`, `element:<element>`, `criterion:<item code>`,
    `overall`, `mean_score`, `dissatisfaction`, `pooled_sipas`, and the Decision 766 figures.

    Counts (docs/methodology.md): `ballots` is the number of citizens who rated (for a group or the province: of
    its counted units; pooled figures: of all its units); `n` the answers the figure rests on (SIPAS: those of its
    least-answered element), which adequacy tests. Group and province figures carry `units_counted` of
    `units_total` ("k of n units counted"); `status` says why a unit's figure is or is not counted in its group.
    """

    class Level(models.TextChoices):
        COUNTER = "counter", _("Quầy")
        UNIT = "unit", _("Đơn vị")
        GROUP = "group", _("Khối")
        PROVINCE = "province", _("Toàn tỉnh")

    class Status(models.TextChoices):
        COUNTED = "counted", _("Được tính")
        INSUFFICIENT = "insufficient", _("Chưa đủ mẫu")
        INCOMPLETE = "incomplete", _("Thiếu yếu tố")
        INACTIVE = "inactive", _("Không còn hoạt động")
        NO_DATA = "no_data", _("Chưa có dữ liệu")

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Tháng")
        QUARTER = "quarter", _("Quý")
        YEAR = "year", _("Năm")
        CUSTOM = "custom", _("Tùy chọn")

    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    entity_id = models.PositiveBigIntegerField(_("đối tượng"))
    period_kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    index = models.CharField(_("chỉ số"), max_length=60)
    value = models.FloatField(_("giá trị"), null=True, blank=True)
    n = models.PositiveIntegerField(_("cỡ mẫu"), default=0)
    ci_low = models.FloatField(_("cận dưới 95%"), null=True, blank=True)
    ci_high = models.FloatField(_("cận trên 95%"), null=True, blank=True)
    adequate = models.BooleanField(_("đủ mẫu"), default=False)
    ballots = models.PositiveIntegerField(
        _("số phiếu"), default=0, help_text=_("Số người dân đã đánh giá (mỗi phiếu trả lời câu hỏi chung một lần).")
    )
    units_counted = models.PositiveIntegerField(_("số đơn vị được tính"), null=True, blank=True)
    units_total = models.PositiveIntegerField(_("số đơn vị"), null=True, blank=True)
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices, default=Status.COUNTED)
    run = models.ForeignKey(SnapshotRun, on_delete=models.PROTECT, related_name="snapshots")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["level", "entity_id", "period_start", "index"]
        verbose_name = _("chỉ số đã tính")
        verbose_name_plural = _("chỉ số đã tính")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "entity_id", "period_kind", "period_start", "period_end", "index"],
                name="one_snapshot_per_entity_period_index",
            )
        ]
        indexes = [
            # Dashboards and reports read one period's figures for a level at once.
            models.Index(fields=["level", "period_kind", "period_start", "index"], name="snapshot_level_period"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.entity_id} {self.period_start} {self.index}={self.value}"


class DossierStat(models.Model):
    """Dossiers handled and resolved late by a unit in a month, from the one-stop system."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dossier_stats", verbose_name=_("đơn vị"))
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    handled = models.PositiveIntegerField(_("số hồ sơ đã giải quyết"))
    late = models.PositiveIntegerField(_("số hồ sơ trễ hạn"))
    imported_at = models.DateTimeField(_("nhập lúc"), auto_now=True)

    class Meta:
        ordering = ["-month", "unit"]
        verbose_name = _("thống kê hồ sơ")
        verbose_name_plural = _("thống kê hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_dossier_stat_per_unit_month"),
            models.CheckConstraint(condition=models.Q(late__lte=models.F("handled")), name="late_within_handled"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%m/%Y}: {self.late}/{self.handled}"


# ---------------------------------------------------------------------------------------------------------------
# CCHC scores, report schemes and report exports (the reporting module: indices/cchc.py, indices/reports.py).
# ---------------------------------------------------------------------------------------------------------------


class CchcField(models.Model):
    """A field of the provincial CCHC index (direction of reform, institutions...), with its usual maximum."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    default_max = models.DecimalField(_("điểm tối đa mặc định"), max_digits=7, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("lĩnh vực chỉ số CCHC")
        verbose_name_plural = _("lĩnh vực chỉ số CCHC")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class CchcScore(models.Model):
    """A unit's CCHC score for one year: points achieved out of a maximum (the index is their ratio in %)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cchc_scores", verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    points = models.DecimalField(_("điểm đạt"), max_digits=7, decimal_places=2)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-year", "unit"]
        verbose_name = _("điểm CCHC")
        verbose_name_plural = _("điểm CCHC")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_cchc_score_per_unit_year"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0, max_points__gt=0, points__lte=models.F("max_points")),
                name="cchc_points_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.points}/{self.max_points}"

    @property
    def percent(self) -> float:
        return float(self.points / self.max_points * 100)


class CchcFieldScore(models.Model):
    score = models.ForeignKey(CchcScore, on_delete=models.CASCADE, related_name="fields")
    field = models.ForeignKey(CchcField, on_delete=models.PROTECT, related_name="scores", verbose_name=_("lĩnh vực"))
    points = models.DecimalField(_("điểm đạt"), max_digits=7, decimal_places=2)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["score", "field"]
        verbose_name = _("điểm CCHC theo lĩnh vực")
        verbose_name_plural = _("điểm CCHC theo lĩnh vực")
        constraints = [
            models.UniqueConstraint(fields=["score", "field"], name="one_cchc_field_score"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0, max_points__gt=0, points__lte=models.F("max_points")),
                name="cchc_field_points_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.points}/{self.max_points}"

    @property
    def percent(self) -> float:
        return float(self.points / self.max_points * 100)


class CchcImport(models.Model):
    """The log of every CCHC import, successful or refused."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Đã nhập")
        REJECTED = "rejected", _("Bị từ chối")

    imported_by = models.ForeignKey(
        "survey.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("người nhập")
    )
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm"))
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    source = models.CharField(_("nguồn"), max_length=20, default="upload")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lần nhập điểm CCHC")
        verbose_name_plural = _("lần nhập điểm CCHC")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year}): {self.outcome}"


class ReportScheme(models.Model):
    """Bands, composite weights and the satisfaction target, valid from a year until the next scheme."""

    valid_from_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"), unique=True)
    excellent_min = models.DecimalField(
        _("ngưỡng Xuất sắc"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Để trống nếu không dùng loại Xuất sắc."),
    )
    good_min = models.DecimalField(_("ngưỡng Tốt"), max_digits=5, decimal_places=2, default=80)
    fair_min = models.DecimalField(_("ngưỡng Khá"), max_digits=5, decimal_places=2, default=70)
    average_min = models.DecimalField(_("ngưỡng Trung bình"), max_digits=5, decimal_places=2, default=50)
    cchc_weight = models.DecimalField(_("trọng số CCHC"), max_digits=4, decimal_places=3, default=0.65)
    satisfaction_weight = models.DecimalField(_("trọng số hài lòng"), max_digits=4, decimal_places=3, default=0.35)
    satisfaction_target = models.DecimalField(_("mục tiêu hài lòng (%)"), max_digits=5, decimal_places=2, default=90)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from_year"]
        verbose_name = _("cấu hình xếp loại")
        verbose_name_plural = _("cấu hình xếp loại")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(average_min__lt=models.F("fair_min"), fair_min__lt=models.F("good_min")),
                name="scheme_bands_increasing",
            ),
            models.CheckConstraint(
                condition=models.Q(excellent_min__isnull=True) | models.Q(excellent_min__gt=models.F("good_min")),
                name="scheme_excellent_above_good",
            ),
        ]

    def __str__(self) -> str:
        return str(self.valid_from_year)


class ReportExport(models.Model):
    """A report file generated in the background; its file lives privately under MEDIA_ROOT."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    requested_by = models.ForeignKey(
        "survey.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("người yêu cầu")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    format = models.CharField(_("định dạng"), max_length=4, choices=Format.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    file = models.FileField(_("tệp"), upload_to="exports/reports/", blank=True)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")

    def __str__(self) -> str:
        return f"{self.year} {self.format} ({self.status})"


# --- Rollups (issue 6) -------------------------------------------------------------------------------------------
# Counts of counted ratings per counter x local day, kept up to date incrementally from `Rating.updated_at` and
# rebuildable from the raw ratings at any time (raw ratings stay the source of truth).

from survey.models import Counter, QuestionnaireItem  # noqa: E402


class RatingRollup(models.Model):
    """How many counted ratings of a counter on a (local) day gave `value` to `item`.

    `item` null is the overall question (`value` is then the overall score 1..5); for a questionnaire item,
    `value` 0 stands for "no opinion" (kept so that response counts stay visible; excluded from every rate).
    """

    # Rollups are derived from ratings, whose own foreign keys already guarantee integrity: no database
    # constraints or single-column indexes here, so that a full rebuild of millions of rows stays one fast INSERT.
    counter = models.ForeignKey(
        Counter, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    # Denormalised from the counter so that a unit's figures never need a join.
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    day = models.DateField(_("ngày"))
    item = models.ForeignKey(
        QuestionnaireItem,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    value = models.PositiveSmallIntegerField(_("mức"))
    count = models.PositiveIntegerField(_("số lượng"))

    class Meta:
        ordering = ["day", "counter", "item", "value"]
        verbose_name = _("số liệu gộp theo ngày")
        verbose_name_plural = _("số liệu gộp theo ngày")
        # The unit is part of the key: a rating keeps the unit it was given, so a counter moved to another unit
        # (or a rating corrected in the admin) has ratings of two units on one day, each counted for its unit.
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "day", "unit", "item", "value"],
                condition=models.Q(item__isnull=False),
                name="one_rollup_per_bucket_item_value",
            ),
            models.UniqueConstraint(
                fields=["counter", "day", "unit", "value"],
                condition=models.Q(item__isnull=True),
                name="one_rollup_per_bucket_overall_value",
            ),
            models.CheckConstraint(condition=models.Q(value__lte=5), name="rollup_value_0_to_5"),
        ]
        # No other index: the incremental refresh deletes (counter, day) buckets through the two unique indexes,
        # and snapshot computation reads whole date ranges (a sequential scan); every extra index would slow
        # down the full rebuild.

    def __str__(self) -> str:
        return f"{self.counter_id} {self.day} {self.item_id or 'overall'}={self.value}: {self.count}"


class RatingHourRollup(models.Model):
    """Counted ratings and dissatisfied ones (overall score 1-2) of a counter per local day and hour."""

    counter = models.ForeignKey(
        Counter, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False)
    day = models.DateField(_("ngày"))
    hour = models.PositiveSmallIntegerField(_("giờ"))
    ratings = models.PositiveIntegerField(_("số đánh giá"))
    dissatisfied = models.PositiveIntegerField(_("số không hài lòng"))

    class Meta:
        ordering = ["day", "counter", "hour"]
        verbose_name = _("số liệu gộp theo giờ")
        verbose_name_plural = _("số liệu gộp theo giờ")
        constraints = [
            models.UniqueConstraint(fields=["counter", "day", "unit", "hour"], name="one_hour_rollup_per_bucket_hour"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="hour_rollup_hour_0_to_23"),
        ]
        indexes = [
            # The dashboard's hour x weekday heat map reads one unit's rows over a period.
            models.Index(fields=["unit", "day"], name="hour_rollup_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.counter_id} {self.day} {self.hour}h: {self.dissatisfied}/{self.ratings}"


class RollupState(models.Model):
    """The single row that remembers up to when rollups were refreshed (the watermark)."""

    watermark = models.DateTimeField(_("mốc cập nhật"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("làm mới lúc"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("dựng lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái số liệu gộp")
        verbose_name_plural = _("trạng thái số liệu gộp")

    def __str__(self) -> str:
        return f"{self.watermark}"


# --- end of rollups (issue 6) ------------------------------------------------------------------------------------
