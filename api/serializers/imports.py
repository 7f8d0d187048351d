"""Serializers of rating imports and of the figures per channel."""

from rest_framework import serializers

from indices.models import ChannelSnapshot
from indices.rating_imports import import_progress
from survey.imports import error_text
from survey.models import RatingImport

from .indices import IndexSnapshotSerializer


class RatingImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The respondent rows: xlsx or csv (UTF-8), as the template shows.")
    channel = serializers.ChoiceField(
        choices=["survey", "import"],
        default="survey",
        help_text="`survey`: an official survey's respondents; `import`: ratings from an older system.",
    )

    def validate_file(self, upload):
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise serializers.ValidationError("Chỉ nhận tệp .xlsx hoặc .csv.")
        if upload.size > 50 * 1024 * 1024:
            raise serializers.ValidationError("Tệp quá lớn (tối đa 50 MB).")
        return upload


class RatingImportSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rolled_back_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.SerializerMethodField(help_text="0..100, finer than the committed value while a step runs.")

    class Meta:
        model = RatingImport
        fields = [
            "id",
            "file_name",
            "digest",
            "channel",
            "status",
            "progress",
            "row_count",
            "error_count",
            "errors",
            "summary",
            "created_by",
            "created_at",
            "imported_at",
            "rolled_back_by",
            "rolled_back_at",
        ]
        extra_kwargs = {
            "errors": {
                "help_text": "Every problem found by the dry run: `row` (the header is row 1), `column`, "
                "`message` (Vietnamese). At most 2000 are listed; `error_count` counts them all."
            },
            "summary": {"help_text": "What would be (or was) imported: rows per unit, first and last day."},
        }

    def get_progress(self, batch) -> int:
        return import_progress(batch)

    def to_representation(self, batch):
        data = super().to_representation(batch)
        data["errors"] = [
            {"row": e.get("row"), "column": e.get("column"), "message": error_text(e)} for e in batch.errors
        ]
        return data


class ChannelSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChannelSnapshot
        fields = [
            "id",
            "channels",
            "level",
            "entity_id",
            "period_kind",
            "period_start",
            "period_end",
            "index",
            "value",
            "n",
            "ci_low",
            "ci_high",
            "adequate",
            "ballots",
            "units_counted",
            "units_total",
            "status",
            "updated_at",
        ]
        extra_kwargs = {
            # The counts, k of n and status mean what they mean over all channels.
            **{
                name: IndexSnapshotSerializer.Meta.extra_kwargs[name]
                for name in ("n", "ballots", "units_counted", "units_total", "status", "adequate")
            },
            "channels": {
                "help_text": "The channels the figure counts, sorted and joined with `+` (`survey`, "
                "`api+kiosk+qr+web` for the continuous feedback together)."
            },
            "entity_id": {"help_text": "The unit or group id; 0 for the province."},
        }
