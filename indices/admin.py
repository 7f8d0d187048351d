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
