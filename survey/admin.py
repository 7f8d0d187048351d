"""The operator's admin for the organisation, questionnaires and ratings."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .account_admin import StaffAdminPasswordChangeForm, disable_two_factor
from .audit import AuditedModelAdmin, diff, snapshot
from .integrity import clear_config_cache
from .models import (
    AuditEntry,
    Counter,
    CounterBaseline,
    DossierLink,
    IntegrityAlert,
    IntegritySettings,
    KioskToken,
    OfficeNetwork,
    PosterBatch,
    QuarantineDecision,
    Questionnaire,
    QuestionnaireItem,
    Rating,
    RatingAnswer,
    ReasonChip,
    RetiredCounterCode,
    ServiceField,
    Unit,
    UnitGroup,
    User,
)

# The admin's login address is served by the staff login (config/urls.py): one lockout, the second factor.


@admin.register(UnitGroup)
class UnitGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    list_filter = ["position"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "short_name", "group", "kind", "valid_from", "valid_to"]
    list_filter = ["group", "kind", "valid_to"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "successors"]
    list_select_related = ["group"]


@admin.register(ServiceField)
class ServiceFieldAdmin(AuditedModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    list_filter = ["counters__unit__group"]


@admin.register(Counter)
class CounterAdmin(AuditedModelAdmin):
    list_display = ["name", "unit", "code", "is_active", "created_at"]
    list_filter = ["is_active", "unit__group", "unit"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit", "fields"]
    readonly_fields = ["code"]
    list_select_related = ["unit"]


@admin.register(RetiredCounterCode)
class RetiredCounterCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "counter", "retired_at", "retired_by"]
    list_filter = ["retired_at"]
    search_fields = ["code", "counter__name"]
    list_select_related = ["counter__unit", "retired_by"]


@admin.register(User)
class StaffUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ["username", "get_full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__group"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = UserAdmin.fieldsets + ((_("Vai trò"), {"fields": ["role", "unit"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Vai trò"), {"fields": ["role", "unit"]}),)
    change_password_form = StaffAdminPasswordChangeForm
    actions = [disable_two_factor]


class QuestionnaireItemInline(admin.TabularInline):
    model = QuestionnaireItem
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedModelAdmin):
    list_display = ["name", "family", "version", "unit", "is_active", "superseded_by", "created_at"]
    list_filter = ["is_active", "family", "unit"]
    search_fields = ["name", "family"]
    inlines = [QuestionnaireItemInline]
    autocomplete_fields = ["unit"]
    readonly_fields = ["version", "superseded_by"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "family"] if obj is not None else self.readonly_fields

    # Editing goes through `services.revise_questionnaire`: a questionnaire that ratings already use is never
    # changed in place; the edit becomes the family's next version.
    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            super().save_related(request, form, formsets, change)
            return
        items = []
        for formset in formsets:
            for item_form in formset.forms:
                data = getattr(item_form, "cleaned_data", None)
                if not data or data.get("DELETE") or not (item_form.has_changed() or item_form.instance.pk):
                    continue
                items.append({field: data.get(field) or "" for field in services.ITEM_FIELDS})
        original = Questionnaire.objects.get(pk=form.instance.pk)
        before_items = {item.code: item for item in original.items.all()}
        revised = services.revise_questionnaire(
            questionnaire=original,
            items=items,
            name=form.cleaned_data["name"],
            name_en=form.cleaned_data["name_en"],
            unit=form.cleaned_data["unit"],
            is_active=form.cleaned_data["is_active"],
        )
        form.instance = revised
        self._record_item_changes(request, original, revised, before_items)
        for formset in formsets:
            # The service replaced the items; the admin's change message must not list them one by one.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if revised.pk != original.pk:
            messages.info(
                request,
                _("Phiếu đã có đánh giá nên thay đổi được lưu thành phiên bản %(version)s.")
                % {"version": revised.version},
            )

    def _record_item_changes(self, request, original, revised, before_items) -> None:
        """Hand the item changes (matched by code) to the audit mixin, which records them in this change's entry."""
        ignored = {"id", "questionnaire"}
        after_items = {item.code: item for item in revised.items.all()}
        rows = []
        for code in sorted(set(before_items) | set(after_items)):
            before, after = before_items.get(code), after_items.get(code)
            changes = diff(
                {k: v for k, v in snapshot(before).items() if k not in ignored} if before else {},
                {k: v for k, v in snapshot(after).items() if k not in ignored} if after else {},
            )
            if changes:
                kind = "add" if before is None else "delete" if after is None else "change"
                rows.append(self._row(kind, after or before, changes))
        pending = self._pending(request).setdefault((original._meta.label_lower, original.pk), {"rows": []})
        pending["before"] = snapshot(original)
        pending["rows"].extend(rows)
        if revised.pk != original.pk:
            pending["rows"].append(self._row("add", revised, {"version": {"before": None, "after": revised.version}}))


@admin.register(QuestionnaireItem)
class QuestionnaireItemAdmin(AuditedModelAdmin):
    """Items on their own. An item of a questionnaire that ratings already use is read-only here: changing its
    text or element in place would move historic answers to another question or SIPAS element. Such a change is
    made on the questionnaire's page, where it becomes the family's next version (`services.revise_questionnaire`).
    Items are added on the questionnaire's page too."""

    list_display = ["code", "text", "element", "questionnaire", "position"]
    list_filter = ["element", "questionnaire"]
    search_fields = ["code", "text", "text_en"]

    @staticmethod
    def _in_use(obj: QuestionnaireItem | None) -> bool:
        return obj is not None and Rating.objects.filter(questionnaire_id=obj.questionnaire_id).exists()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


@admin.register(ReasonChip)
class ReasonChipAdmin(AuditedModelAdmin):
    list_display = ["label", "code", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label", "label_en", "code"]


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records that are evidence or an append-only log: shown in the admin, never added, edited or deleted there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RatingAnswerInline(admin.TabularInline):
    model = RatingAnswer
    extra = 0
    fields = readonly_fields = ["item", "value"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # answers come from the citizen only


@admin.register(Rating)
class RatingAdmin(ReadOnlyModelAdmin):
    """Ratings are the evidence every index is computed from (where and when one was given is copied into its
    answers and rollups); a status changes only through the audited quarantine review."""

    list_display = ["id", "created_at", "unit", "counter", "score", "channel", "verified", "status"]
    list_filter = ["status", "channel", "verified", "score", "unit__group", "created_at"]
    search_fields = ["counter__name", "unit__name", "dossier_code", "idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = ["unit", "counter"]
    inlines = [RatingAnswerInline]


@admin.register(DossierLink)
class DossierLinkAdmin(admin.ModelAdmin):
    list_display = ["dossier_code", "counter", "created_at", "expires_at", "used_at"]
    list_filter = ["used_at", "counter__unit"]
    search_fields = ["dossier_code", "token"]
    raw_id_fields = ["counter"]


@admin.register(KioskToken)
class KioskTokenAdmin(admin.ModelAdmin):
    list_display = ["counter", "label", "is_active", "created_by", "created_at"]
    list_filter = ["is_active", "counter__unit"]
    search_fields = ["label", "counter__name", "token"]
    raw_id_fields = ["counter", "created_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """The audit log, for administrators only, and read-only for everyone (there is no add, change or delete)."""

    list_display = ["created_at", "actor_name", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["actor_name", "action", "target_repr", "target_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at",
        "actor",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
        "ip_hash",
    ]
    fields = readonly_fields

    def _is_administrator(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.role == User.Role.ADMIN)

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)


# --- Rating integrity (issue 4) -----------------------------------------------------------------------------------


@admin.register(IntegritySettings)
class IntegritySettingsAdmin(AuditedModelAdmin):
    list_display = [
        "__str__",
        "device_cooldown_minutes",
        "ip_flag_limit",
        "ip_hard_limit",
        "burst_multiple",
        "updated_at",
    ]
    list_filter = ["updated_at"]
    search_fields = ["id"]
    fieldsets = [
        (_("Thiết bị"), {"fields": ["device_cooldown_minutes"]}),
        (
            _("Địa chỉ IP"),
            {"fields": ["ip_window_minutes", "ip_flag_limit", "ip_hard_limit"]},
        ),
        (
            _("Dồn phiếu tại quầy"),
            {
                "fields": [
                    "burst_window_minutes",
                    "burst_multiple",
                    "burst_minimum",
                    "counter_hard_limit",
                    "opening_minutes_per_day",
                    "baseline_days",
                ]
            },
        ),
        (_("Cảnh báo không hài lòng"), {"fields": ["unhappy_window_minutes", "unhappy_min_votes", "unhappy_share"]}),
    ]

    def has_add_permission(self, request) -> bool:
        # One row holds the configuration.
        return not IntegritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        clear_config_cache()


@admin.register(OfficeNetwork)
class OfficeNetworkAdmin(AuditedModelAdmin):
    list_display = ["label", "cidr", "unit", "is_active", "created_at"]
    list_filter = ["is_active", "unit"]
    search_fields = ["label", "cidr", "unit__name"]
    autocomplete_fields = ["unit"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        clear_config_cache()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        clear_config_cache()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        clear_config_cache()


@admin.register(CounterBaseline)
class CounterBaselineAdmin(admin.ModelAdmin):
    list_display = ["counter", "daily_ratings", "daily_dossiers", "computed_at"]
    list_filter = ["computed_at", "counter__unit"]
    search_fields = ["counter__name", "counter__unit__name"]
    list_select_related = ["counter__unit"]
    readonly_fields = ["counter", "daily_ratings", "daily_dossiers", "computed_at"]

    def has_add_permission(self, request) -> bool:
        # Computed daily by refresh_counter_baselines.
        return False


@admin.register(QuarantineDecision)
class QuarantineDecisionAdmin(ReadOnlyModelAdmin):
    """Decisions are an append-only log, made on the review page through the service."""

    list_display = ["decided_at", "unit", "decision", "rating_count", "decided_by"]
    list_filter = ["decision", "unit", "decided_at"]
    search_fields = ["reason", "unit__name", "decided_by__username"]
    list_select_related = ["unit", "decided_by"]
    raw_id_fields = ["ratings"]


@admin.register(IntegrityAlert)
class IntegrityAlertAdmin(admin.ModelAdmin):
    list_display = ["window_end", "kind", "unit", "counter", "vote_count", "unhappy_count", "notified_at"]
    list_filter = ["kind", "unit", "window_end"]
    search_fields = ["counter__name", "unit__name"]
    list_select_related = ["unit", "counter"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PosterBatch)
class PosterBatchAdmin(admin.ModelAdmin):
    list_display = ["unit", "status", "done", "total", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "unit__group"]
    search_fields = ["unit__name", "error"]
    list_select_related = ["unit", "requested_by"]
    raw_id_fields = ["unit", "requested_by"]


from .models import RatingImport  # noqa: E402


@admin.register(RatingImport)
class RatingImportAdmin(ReadOnlyModelAdmin):
    """Import batches are evidence of where ratings came from: they change only through the import pages."""

    list_display = ["file_name", "channel", "status", "row_count", "error_count", "created_by", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["file_name", "digest"]
    exclude = ["errors"]
