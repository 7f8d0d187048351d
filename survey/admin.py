"""The operator's admin for the organisation, questionnaires and ratings."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Counter,
    DossierLink,
    KioskToken,
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
