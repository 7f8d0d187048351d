from django.contrib import admin

from .models import DossierStat, IndexSnapshot, SnapshotRun


@admin.register(SnapshotRun)
class SnapshotRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "rating_count", "formula_version", "trigger"]
    list_filter = ["formula_version", "trigger"]
    search_fields = ["periods", "trigger"]


@admin.register(IndexSnapshot)
class IndexSnapshotAdmin(admin.ModelAdmin):
    list_display = ["level", "entity_id", "period_kind", "period_start", "index", "value", "n", "adequate"]
    list_filter = ["level", "period_kind", "adequate"]
    search_fields = ["index"]
    raw_id_fields = ["run"]


@admin.register(DossierStat)
class DossierStatAdmin(admin.ModelAdmin):
    list_display = ["unit", "month", "handled", "late", "imported_at"]
    list_filter = ["month", "unit__group"]
    search_fields = ["unit__name"]
    list_select_related = ["unit"]


# --- Reporting module: CCHC scores, schemes, imports and exports ---------------------------------------------

from .models import CchcField, CchcFieldScore, CchcImport, CchcScore, ReportExport, ReportScheme  # noqa: E402


@admin.register(CchcField)
class CchcFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "default_max", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_en"]


class CchcFieldScoreInline(admin.TabularInline):
    model = CchcFieldScore
    extra = 0


@admin.register(CchcScore)
class CchcScoreAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "points", "max_points", "updated_at"]
    list_filter = ["year", "unit__group"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit"]
    inlines = [CchcFieldScoreInline]


@admin.register(CchcImport)
class CchcImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "imported_by", "file_name", "year", "rows", "outcome", "source"]
    list_filter = ["outcome", "year", "source"]
    search_fields = ["file_name", "imported_by__username"]
    readonly_fields = ["imported_by", "created_at", "file_name", "year", "rows", "outcome", "errors", "source"]


@admin.register(ReportScheme)
class ReportSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "valid_from_year",
        "excellent_min",
        "good_min",
        "fair_min",
        "average_min",
        "cchc_weight",
        "satisfaction_weight",
        "satisfaction_target",
    ]
    list_filter = ["valid_from_year"]
    search_fields = ["note"]


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "requested_by", "year", "quarter", "format", "status", "progress"]
    list_filter = ["status", "format", "year"]
    search_fields = ["requested_by__username", "error"]


# --- rollups (issue 6) -------------------------------------------------------------------------------------------
from .models import RatingHourRollup, RatingRollup, RollupState  # noqa: E402


@admin.register(RatingRollup)
class RatingRollupAdmin(admin.ModelAdmin):
    list_display = ["day", "counter_id", "unit_id", "item_id", "value", "count"]
    list_filter = ["value", "day"]
    search_fields = ["=counter__id", "=unit__id"]
    show_full_result_count = False


@admin.register(RatingHourRollup)
class RatingHourRollupAdmin(admin.ModelAdmin):
    list_display = ["day", "hour", "counter_id", "unit_id", "ratings", "dissatisfied"]
    list_filter = ["hour", "day"]
    search_fields = ["=counter__id", "=unit__id"]
    show_full_result_count = False


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ["watermark", "refreshed_at", "rebuilt_at"]
    list_filter = ["rebuilt_at"]
    search_fields = ["id"]


# --- end of rollups ----------------------------------------------------------------------------------------------


from .models import ChannelSnapshot  # noqa: E402


@admin.register(ChannelSnapshot)
class ChannelSnapshotAdmin(admin.ModelAdmin):
    list_display = ["level", "entity_id", "channels", "period_kind", "period_start", "index", "value", "n"]
    list_filter = ["level", "channels", "period_kind", "adequate"]
    search_fields = ["index", "channels"]
    raw_id_fields = ["run"]
