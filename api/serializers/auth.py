"""Obtaining a token with a username and a password."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .common import StringField


class TokenRequestSerializer(serializers.Serializer):
    username = StringField(max_length=150, label=_("Tên đăng nhập"))
    password = StringField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}, label=_("Mật khẩu")
    )

    def validate(self, attrs: dict) -> dict:
        user = authenticate(self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            # The same answer for an unknown user, a wrong password and a disabled account: nothing to probe.
            raise serializers.ValidationError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = StringField(help_text="Send it as `Authorization: Token <token>`.")
