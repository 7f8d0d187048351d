"""Stored index snapshots (what pages and the API read) and the one-stop system's dossier statistics."""

from django.db import models
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
    """

    class Level(models.TextChoices):
        COUNTER = "counter", _("Quầy")
        UNIT = "unit", _("Đơn vị")
        GROUP = "group", _("Khối")
        PROVINCE = "province", _("Toàn tỉnh")

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
