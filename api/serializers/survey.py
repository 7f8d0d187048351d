"""Read shapes of the organisation and the questionnaires."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from survey.models import Counter, DossierLink, Questionnaire, QuestionnaireItem, Rating, Unit, UnitGroup

from .common import INVISIBLE, PatternField, StringField


class UnitGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitGroup
        fields = ["id", "code", "name", "name_en", "position"]


class UnitSerializer(serializers.ModelSerializer):
    group_code = StringField(source="group.code", read_only=True)
    successors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    is_active = serializers.SerializerMethodField(help_text="Whether the unit is in force today.")

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "group",
            "group_code",
            "parent",
            "valid_from",
            "valid_to",
            "is_active",
            "successors",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_is_active(self, unit: Unit) -> bool:
        return unit.is_active_on(timezone.localdate())


class CounterSerializer(serializers.ModelSerializer):
    unit_code = StringField(source="unit.code", read_only=True)
    fields = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    rating_url = serializers.SerializerMethodField(help_text="The address the counter's QR code encodes.")

    class Meta:
        model = Counter
        fields = ["id", "unit", "unit_code", "name", "code", "rating_url", "fields", "is_active", "created_at"]

    @extend_schema_field(serializers.URLField())
    def get_rating_url(self, counter: Counter) -> str:
        return f"{settings.PUBLIC_BASE_URL}/r/{counter.code}"


class QuestionnaireItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionnaireItem
        fields = ["id", "code", "element", "text", "text_en", "position"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    items = QuestionnaireItemSerializer(many=True, read_only=True)
    is_current = serializers.SerializerMethodField(help_text="Active and not superseded by a newer version.")

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "family",
            "version",
            "name",
            "name_en",
            "unit",
            "is_active",
            "is_current",
            "superseded_by",
            "created_at",
            "items",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_is_current(self, questionnaire: Questionnaire) -> bool:
        return questionnaire.is_active and questionnaire.superseded_by_id is None


# Ratings ----------------------------------------------------------------------------------------------------------


class RatingAnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="An item id of the questionnaire.")
    value = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, help_text="1..5 on the SIPAS scale; null for “no opinion”."
    )


class RatingInputSerializer(serializers.Serializer):
    """The citizen's rating. Lean on purpose (the hot path): plain fields, no database lookups; the counter is
    found by its public code in the view and everything else is checked by `survey.services`."""

    counter = PatternField(
        trim_whitespace=False,
        regex=r"^[a-z0-9]{1,32}$",
        max_length=32,
        help_text="The counter's public code (the end of its QR address).",
    )
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="Overall satisfaction, 1..5.")
    answers = RatingAnswerInputSerializer(
        many=True,
        required=False,
        max_length=50,
        help_text="Optional answers to the items of the unit's active questionnaire (see `questionnaires/`).",
    )
    reasons = serializers.ListField(
        child=PatternField(trim_whitespace=False, regex=r"^[-a-zA-Z0-9_]{1,40}$", max_length=40),
        required=False,
        max_length=20,
        help_text="Optional codes of active “why” chips.",
    )

    def validate_answers(self, answers: list[dict]) -> list[dict]:
        if len({answer["item"] for answer in answers}) != len(answers):
            raise serializers.ValidationError(_("Mỗi câu hỏi chỉ được trả lời một lần."))
        return answers


class RatingAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    value = serializers.IntegerField(allow_null=True)


class PublicRatingSerializer(serializers.Serializer):
    """What the citizen's app gets back: the rating as recorded (no integrity verdict, which would help abuse)."""

    idempotency_key = serializers.UUIDField()
    counter = StringField(source="counter.code")
    score = serializers.IntegerField()
    answers = serializers.SerializerMethodField()
    reasons = serializers.ListField(child=StringField())
    verified = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(RatingAnswerSerializer(many=True))
    def get_answers(self, rating: Rating) -> list[dict]:
        if "answers" in self.context:  # Just stored by this request: no need to read them back.
            return self.context["answers"]
        return [{"item": item, "value": value} for item, value in rating.answers.values_list("item_id", "value")]


class RatingSerializer(serializers.ModelSerializer):
    """A rating as staff see it, with its integrity status and flags."""

    counter_code = StringField(source="counter.code", read_only=True)
    answers = RatingAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "unit",
            "counter",
            "counter_code",
            "questionnaire",
            "score",
            "channel",
            "answers",
            "reasons",
            "verified",
            "dossier_code",
            "status",
            "flags",
            "created_at",
            "updated_at",
        ]


# Dossier links ----------------------------------------------------------------------------------------------------


DOSSIER_CODE_PATTERN = rf"^[^{INVISIBLE}]([^\x00-\x1f\x7f-\x9f]*[^{INVISIBLE}])?$"


class DossierLinkInputSerializer(serializers.Serializer):
    counter = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The counter's id.")
    dossier_code = PatternField(
        trim_whitespace=False,
        # Spelled out rather than `\s`, whose meaning differs between Python and the schema's ECMA regexes: no control
        # characters, no surrounding (Unicode) whitespace.
        regex=DOSSIER_CODE_PATTERN,
        max_length=64,
        help_text="The dossier's code in the one-stop system (1 to 64 characters, no surrounding spaces).",
    )
    valid_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="Optional: the link expires after this many days; without it, it never expires.",
    )


class DossierLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The single-use rating address to print on the receipt.")

    class Meta:
        model = DossierLink
        fields = ["dossier_code", "counter", "token", "url", "expires_at", "used_at", "created_at"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, link: DossierLink) -> str:
        return settings.PUBLIC_BASE_URL + reverse("survey:rate-dossier", kwargs={"token": link.token})
