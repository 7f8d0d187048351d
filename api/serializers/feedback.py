"""Shapes of PAKN cases: the citizen's submission and tracking view, the staff list and detail, and the inputs of
the workflow actions. Internal notes, contact details and attachments appear only in the staff detail."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.attachments import check_attachments
from feedback.models import Attachment, Case, CaseContact, CaseEvent, Category, Delivery, Status, public_status

from .common import PatternField, StringField, text_field

MAX_ID = 2**63 - 1


def tracking_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + reverse("feedback:case-track", kwargs={"code": case.tracking_code})


class CaseCreateSerializer(serializers.Serializer):
    """A citizen's case, as the PAKN form takes it. JSON, or multipart when attaching files."""

    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The id of the unit concerned.")
    counter = PatternField(
        trim_whitespace=False,
        regex=r"^[a-z0-9]{1,32}$",
        required=False,
        help_text="Optional: the public code of the unit's counter concerned.",
    )
    rating = serializers.UUIDField(
        required=False, help_text="Optional: the idempotency key of the rating this case follows (same counter)."
    )
    category = serializers.ChoiceField(choices=Category.choices)
    text = text_field(min_length=10, max_length=4000, help_text="What happened (10 to 4000 characters).")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Images (JPEG, PNG, WEBP) or PDFs; multipart only."
    )
    name = text_field(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = PatternField(trim_whitespace=False, regex=r"^\+?[0-9 .-]{8,20}$", required=False, allow_blank=True)
    consent_reply = serializers.BooleanField(
        default=False, help_text="Consent to be answered by email/SMS; required to store any contact detail."
    )
    consent_publish = serializers.BooleanField(default=False, help_text="Consent to publish the anonymised answer.")

    def validate_files(self, files: list) -> list:
        try:
            return check_attachments(files)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate(self, data: dict) -> dict:
        if any(data.get(key) for key in ("name", "email", "phone")) and not data["consent_reply"]:
            raise serializers.ValidationError(
                {"consent_reply": [_("Thông tin liên hệ chỉ được lưu khi bạn đồng ý nhận trả lời qua email/SMS.")]}
            )
        if data["consent_reply"] and not (data.get("email") or data.get("phone")):
            raise serializers.ValidationError({"email": [_("Để nhận trả lời, hãy nhập email hoặc số điện thoại.")]})
        return data


class CaseCreatedSerializer(serializers.ModelSerializer):
    tracking_url = serializers.SerializerMethodField(help_text="The citizen's tracking page.")

    class Meta:
        model = Case
        fields = ["tracking_code", "tracking_url", "unit", "category", "status", "answer_due", "created_at"]

    @extend_schema_field(serializers.URLField())
    def get_tracking_url(self, case: Case) -> str:
        return tracking_url(case)


class PublicEventSerializer(serializers.ModelSerializer):
    note = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["kind", "from_status", "to_status", "note", "created_at"]

    @extend_schema_field(StringField())
    def get_note(self, event: CaseEvent) -> str:
        # The answer itself is shown once, as `public_answer`, not again in the history.
        return "" if event.to_status == Status.ANSWERED and event.kind == CaseEvent.Kind.TRANSITION else event.note

    def to_representation(self, event: CaseEvent) -> dict:
        # The approval of an answer is internal: the publication comes "from in progress" for the citizen.
        data = super().to_representation(event)
        for key in ("from_status", "to_status"):
            data[key] = public_status(data[key]) if data[key] else data[key]
        return data


class CaseTrackSerializer(serializers.ModelSerializer):
    """What the citizen's tracking page shows: no internal note, no staff name, no contact detail."""

    unit_name = StringField(source="unit.name")
    status = serializers.ChoiceField(
        choices=Status.choices,
        source="public_status",
        read_only=True,
        help_text="The public state: an answer awaiting approval or publication shows as `in_progress`.",
    )
    deadline = serializers.SerializerMethodField(help_text="The answer deadline that applies now, if any.")
    events = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "tracking_code",
            "unit_name",
            "category",
            "status",
            "text",
            "created_at",
            "deadline",
            "public_answer",
            "answered_at",
            "rejection_reason",
            "citizen_satisfied",
            "can_be_rated",
            "can_be_appealed",
            "appealed_at",
            "events",
        ]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_deadline(self, case: Case):
        deadline = case.public_deadline
        return deadline.isoformat() if deadline else None

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_events(self, case: Case) -> list:
        return PublicEventSerializer(case.events.filter(is_public=True), many=True).data


class CaseSerializer(serializers.ModelSerializer):
    """A case in the staff list."""

    assigned_to_username = StringField(source="assigned_to.username", allow_null=True, default=None)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_code",
            "unit",
            "counter",
            "category",
            "status",
            "text",
            "assigned_to",
            "assigned_to_username",
            "due_date",
            "answer_due",
            "is_overdue",
            "escalated_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, case: Case) -> bool:
        return case.is_overdue()


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseContact
        fields = ["name", "email", "phone", "consent_reply", "consent_publish", "notice_version", "consented_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download address (staff session).")

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "url"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: Attachment) -> str:
        return settings.PUBLIC_BASE_URL + reverse("feedback:attachment-download", args=[attachment.pk])


class EventSerializer(serializers.ModelSerializer):
    actor = StringField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = CaseEvent
        fields = ["kind", "actor", "from_status", "to_status", "note", "is_public", "created_at"]


class DeliverySerializer(serializers.ModelSerializer):
    """A message to the citizen: the receipt, the answer, the request to rate it, a resent code. The address is
    masked once the outcome is final."""

    class Meta:
        model = Delivery
        fields = ["kind", "channel", "recipient", "status", "attempts", "last_error", "created_at", "sent_at"]


class CaseDetailSerializer(CaseSerializer):
    """A case as the staff case page shows it: with the answer (and a draft awaiting approval or publication), the
    citizen's rating and appeal, the contact the citizen consented to give, attachments and the whole event log
    (internal notes included)."""

    contact = serializers.SerializerMethodField()
    approved_by_username = StringField(
        source="approved_by.username",
        allow_null=True,
        default=None,
        help_text="Who approved the answer (a unit lead, provincial staff or an administrator).",
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)
    tracking_url = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "tracking_url",
            "rating",
            "public_answer",
            "draft_answer",
            "approved_by_username",
            "approved_at",
            "rejection_reason",
            "first_answered_at",
            "answered_at",
            "citizen_satisfied",
            "citizen_rated_at",
            "appeal_text",
            "appealed_at",
            "escalation_reason",
            "classify_due",
            "information_due",
            "duplicate_of",
            "contact",
            "attachments",
            "events",
            "deliveries",
        ]
        extra_kwargs = {
            "duplicate_of": {
                "help_text": "A likely earlier copy of this case (same device or contact, same unit, "
                "similar text within a day), or null."
            }
        }

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, case: Case):
        contact = CaseContact.objects.filter(case=case).first()
        return ContactSerializer(contact).data if contact else None

    @extend_schema_field(serializers.URLField())
    def get_tracking_url(self, case: Case) -> str:
        return tracking_url(case)


# Inputs of the workflow actions.


class OptionalNoteSerializer(serializers.Serializer):
    note = text_field(max_length=2000, required=False, allow_blank=True, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = text_field(max_length=2000, help_text="Addressed to the citizen (shown on the tracking page).")


class InternalNoteSerializer(serializers.Serializer):
    note = text_field(max_length=4000, help_text="For staff only; never shown to the citizen.")


class AnswerSerializer(serializers.Serializer):
    text = text_field(
        max_length=8000,
        help_text="The answer: published on the tracking page, or a draft awaiting a unit lead's approval.",
    )


class ApproveSerializer(serializers.Serializer):
    text = text_field(
        max_length=8000,
        required=False,
        help_text="Optional: the approved text, when the approver edits the draft; the draft as it is otherwise.",
    )


class ReturnAnswerSerializer(serializers.Serializer):
    note = text_field(max_length=2000, help_text="Why the draft goes back (staff only; never shown to the citizen).")


class AssignSerializer(serializers.Serializer):
    officer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The id of an officer of the unit.")


class TransferSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The id of the unit to hand over to.")
    reason = text_field(max_length=2000)
