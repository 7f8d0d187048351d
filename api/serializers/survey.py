"""Read shapes of the organisation and the questionnaires."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from survey.models import Counter, Questionnaire, QuestionnaireItem, Unit, UnitGroup


class UnitGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitGroup
        fields = ["id", "code", "name", "name_en", "position"]


class UnitSerializer(serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True)
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
    unit_code = serializers.CharField(source="unit.code", read_only=True)
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
