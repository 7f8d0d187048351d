"""Shapes shared by every endpoint (used by the OpenAPI schema)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Text may hold any character but NUL, which the database cannot store. DRF refuses it already; this validator
# puts the rule in the schema too (as a `pattern`), so that clients know it.
NO_NUL = RegexValidator(r"^[^\x00]*$", message=_("Không được chứa ký tự NUL."))


def _refuse_non_strings(field: serializers.Field, data) -> None:
    # DRF turns a JSON number into a string ("dossier_code": 0.0 becomes "0.0"); the schema says "string", so a
    # client that sends a number has a bug to hear about.
    if not isinstance(data, str):
        field.fail("invalid")


# Characters Python's `str.strip` removes (and the other control characters), spelled out because `\s` means
# different characters in Python and in the schema's ECMA regexes.
INVISIBLE = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Required text: at least one visible character and no NUL, one pattern that the schema publishes, so that a
# client knows that whitespace alone is refused as blank (DRF strips it).
VISIBLE_TEXT = RegexValidator(
    rf"^[^\x00]*[^{INVISIBLE}][^\x00]*$",
    message=_("Hãy nhập nội dung (không chỉ có khoảng trắng, không chứa ký tự NUL)."),
)


class StringField(serializers.CharField):
    """A CharField that takes JSON strings only, as the schema says (DRF would turn a number into a string)."""

    def to_internal_value(self, data):
        _refuse_non_strings(self, data)
        return super().to_internal_value(data)


class PatternField(serializers.RegexField):
    """A RegexField that means what its published pattern means to a client: strings only, and since in Python `$`
    also matches before a final newline but not in the schema's ECMA regexes, a final newline is refused."""

    def to_internal_value(self, data):
        _refuse_non_strings(self, data)
        value = super().to_internal_value(data)
        if value.endswith("\n"):
            self.fail("invalid")
        return value


def text_field(**kwargs) -> serializers.CharField:
    """A text input whose schema says that NUL characters are refused and, unless it may be blank, that whitespace
    alone is blank."""
    return StringField(validators=[NO_NUL if kwargs.get("allow_blank") else VISIBLE_TEXT], **kwargs)


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (see api/errors.py)."""

    detail = serializers.CharField(help_text="A sentence for a person, in the request's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted paths for nested data); empty when no field is at fault.",
    )
