"""The operator's admin for the organisation, questionnaires and ratings."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Counter,
    DossierLink,
    KioskToken,
    PosterBatch,
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


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    list_filter = ["position"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "short_name", "group", "kind", "valid_from", "valid_to"]
    list_filter = ["group", "kind", "valid_to"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "successors"]
    list_select_related = ["group"]


@admin.register(ServiceField)
class ServiceFieldAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    list_filter = ["counters__unit__group"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
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
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__group"]
    search_fields = ["username", "first_name", "last_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = UserAdmin.fieldsets + ((_("Vai trò"), {"fields": ["role", "unit"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Vai trò"), {"fields": ["role", "unit"]}),)


class QuestionnaireItemInline(admin.TabularInline):
    model = QuestionnaireItem
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
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
        revised = services.revise_questionnaire(
            questionnaire=original,
            items=items,
            name=form.cleaned_data["name"],
            name_en=form.cleaned_data["name_en"],
            unit=form.cleaned_data["unit"],
            is_active=form.cleaned_data["is_active"],
        )
        form.instance = revised
        for formset in formsets:
            # The service replaced the items; the admin's change message must not list them one by one.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if revised.pk != original.pk:
            messages.info(
                request,
                _("Phiếu đã có đánh giá nên thay đổi được lưu thành phiên bản %(version)s.")
                % {"version": revised.version},
            )


@admin.register(QuestionnaireItem)
class QuestionnaireItemAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "element", "questionnaire", "position"]
    list_filter = ["element", "questionnaire"]
    search_fields = ["code", "text", "text_en"]


@admin.register(ReasonChip)
class ReasonChipAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label", "label_en", "code"]


class RatingAnswerInline(admin.TabularInline):
    model = RatingAnswer
    extra = 0
    readonly_fields = ["item", "value"]
    can_delete = False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "unit", "counter", "score", "channel", "verified", "status"]
    list_filter = ["status", "channel", "verified", "score", "unit__group", "created_at"]
    search_fields = ["counter__name", "unit__name", "dossier_code", "idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = ["unit", "counter"]
    readonly_fields = ["idempotency_key", "ip_hash", "created_at", "updated_at"]
    raw_id_fields = ["counter", "unit", "questionnaire"]
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


@admin.register(PosterBatch)
class PosterBatchAdmin(admin.ModelAdmin):
    list_display = ["unit", "status", "done", "total", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "unit__group"]
    search_fields = ["unit__name", "error"]
    list_select_related = ["unit", "requested_by"]
    raw_id_fields = ["unit", "requested_by"]
