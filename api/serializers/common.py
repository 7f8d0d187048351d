"""Shapes shared by every endpoint (used by the OpenAPI schema)."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (see api/errors.py)."""

    detail = serializers.CharField(help_text="A sentence for a person, in the request's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted paths for nested data); empty when no field is at fault.",
    )
