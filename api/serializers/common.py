"""Shapes shared by every endpoint (used by the OpenAPI schema)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Text may hold any character but NUL, which the database cannot store. DRF refuses it already; this validator
# puts the rule in the schema too (as a `pattern`), so that clients know it.
NO_NUL = RegexValidator(r"^[^\x00]*$", message=_("Không được chứa ký tự NUL."))


class PatternField(serializers.RegexField):
    """A RegexField that means what its published pattern means to a client: in Python `$` also matches before a
    final newline, in the schema's ECMA regexes it does not, so a final newline is refused."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.endswith("\n"):
            self.fail("invalid")
        return value


def text_field(**kwargs) -> serializers.CharField:
    """A CharField whose schema says that NUL characters are refused."""
    return serializers.CharField(validators=[NO_NUL], **kwargs)


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (see api/errors.py)."""

    detail = serializers.CharField(help_text="A sentence for a person, in the request's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted paths for nested data); empty when no field is at fault.",
    )
