"""The operator's admin for PAKN. Events are append-only here too: they can be read, never edited."""

from django.contrib import admin

from survey.admin import ReadOnlyModelAdmin

from .models import Attachment, CalendarDay, Case, CaseContact, CaseEvent, DataRequest, Delivery, PurgeLog


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "created_at"]
    exclude = ["file"]
    can_delete = False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    readonly_fields = ["created_at", "kind", "actor", "from_status", "to_status", "note", "is_public"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "unit", "category", "status", "due_date", "answer_due", "escalated_at"]
    list_filter = ["status", "category", "escalation_reason", "unit__group", "unit"]
    search_fields = ["tracking_code", "text", "unit__name"]
    date_hierarchy = "created_at"
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "counter", "rating", "assigned_to", "approved_by", "duplicate_of"]
    readonly_fields = ["tracking_code", "created_at", "updated_at"]
    inlines = [AttachmentInline, CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "created_at", "kind", "actor", "from_status", "to_status", "is_public"]
    list_filter = ["kind", "is_public", "to_status"]
    search_fields = ["note", "case__tracking_code"]
    list_select_related = ["case", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseContact)
class CaseContactAdmin(admin.ModelAdmin):
    list_display = ["case", "consent_reply", "consent_publish", "notice_version", "consented_at"]
    list_filter = ["consent_reply", "consent_publish", "notice_version"]
    search_fields = ["case__tracking_code", "email", "phone", "name"]
    raw_id_fields = ["case"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "case", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "case__tracking_code"]
    exclude = ["file"]
    readonly_fields = ["case", "original_name", "content_type", "size"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are recorded and handled through `feedback.retention`, which also audits them."""

    list_display = ["case", "kind", "channel", "received_at", "due_at", "handled_at", "outcome"]
    list_filter = ["kind", "channel", "outcome"]
    search_fields = ["case__tracking_code", "note"]
    list_select_related = ["case"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PurgeLog)
class PurgeLogAdmin(ReadOnlyModelAdmin):
    """Read-only record of every retention purge."""

    list_display = ["ran_at", "trigger", "contacts_removed", "attachments_removed", "rating_ip_hashes_cleared"]
    list_filter = ["trigger"]
    search_fields = ["trigger"]
    date_hierarchy = "ran_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Messages to citizens: failed ones are filtered out at a glance (status "failed", with the last error)."""

    list_display = ["id", "created_at", "case", "kind", "channel", "recipient", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["case__tracking_code", "recipient", "last_error"]
    date_hierarchy = "created_at"
    list_select_related = ["case"]
    raw_id_fields = ["case"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]
