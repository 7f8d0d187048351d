"""Shapes of the figures that feed the indices."""

from rest_framework import serializers

MAX_COUNT = 2**31 - 1


class DossierStatRowSerializer(serializers.Serializer):
    unit = serializers.RegexField(
        trim_whitespace=False, regex=r"^[-a-zA-Z0-9_]{1,40}$", max_length=40, help_text="The unit's stable code."
    )
    month = serializers.RegexField(
        trim_whitespace=False, regex=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", help_text="The month, as YYYY-MM."
    )
    handled = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, help_text="Dossiers handled.")
    late = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, help_text="Of those, handled late.")


class DossierStatsInputSerializer(serializers.Serializer):
    rows = DossierStatRowSerializer(many=True, max_length=5000)


class DossierStatsResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text="Rows stored (created or replaced).")
