"""Obtaining an API token with a username and a password (and the second factor), and listing one's tokens."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from survey import accounts
from survey.login import LoginRefused, check_credentials

from .common import StringField, text_field


class LoginLocked(exceptions.APIException):
    """429 with `Retry-After`: the (username, address) pair is locked, or the attempts are being slowed down."""

    status_code = 429
    default_detail = "Locked."
    default_code = "locked_out"

    def __init__(self, detail: str, wait: int) -> None:
        super().__init__(detail)
        self.wait = wait


class TokenRequestSerializer(serializers.Serializer):
    username = StringField(max_length=150, label=_("Tên đăng nhập"))
    password = StringField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}, label=_("Mật khẩu")
    )
    otp_token = StringField(
        max_length=12,
        required=False,
        allow_blank=True,
        label=_("Mã xác thực hai bước"),
        help_text="The current 6-digit TOTP code; required when the account has two-factor authentication.",
    )
    name = text_field(
        max_length=80,
        required=False,
        allow_blank=True,
        label=_("Tên mã"),
        help_text="A name to recognise the token by in lists (e.g. the system that uses it).",
    )

    def validate(self, attrs: dict) -> dict:
        request = self.context["request"]
        try:
            user, _device = check_credentials(
                request=request._request,
                username=attrs["username"],
                password=attrs["password"],
                otp_token=attrs.get("otp_token", "").strip(),
            )
        except LoginRefused as refusal:
            if refusal.wait_seconds:
                raise LoginLocked(refusal.message, refusal.wait_seconds) from None
            # The same answer for an unknown user, a wrong password and a disabled account: nothing to probe.
            raise serializers.ValidationError(refusal.message, code="authorization") from None
        if not user.is_active:
            raise serializers.ValidationError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="authorization")
        if accounts.two_factor_required(user=user) and not accounts.has_two_factor(user=user):
            raise serializers.ValidationError(
                _("Tài khoản này phải bật xác thực hai bước (trên trang Tài khoản) trước khi lấy mã truy cập API."),
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = StringField(help_text="Send it as `Authorization: Token <token>`. Shown once: only its digest is stored.")
    token_key = StringField(help_text="The token's first 15 characters: its identifier in lists and to revoke it.")
    name = StringField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="After this time the token is refused.")


class TokenListSerializer(serializers.Serializer):
    token_key = StringField(help_text="The token's first 15 characters (the rest is never stored).")
    name = StringField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
