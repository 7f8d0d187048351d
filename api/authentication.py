"""How API callers authenticate: hashed, expiring tokens (django-rest-knox), and the staff session with the
project's CSRF message (DRF's is English and technical)."""

from django.utils.translation import gettext_lazy as _
from knox import auth as knox_auth
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """The staff's browser session; writes need the CSRF token like any form of the site."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang rồi thử lại."), code="csrf_failed"
            ) from None


class TokenAuthentication(knox_auth.TokenAuthentication):
    """django-rest-knox's tokens (`Authorization: Token <token>`): only digests are stored, and an expired or
    revoked token is refused (401) like an unknown one."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
            return super().authenticate_credentials(token)
        except (exceptions.AuthenticationFailed, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed(
                _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."), code="authentication_failed"
            ) from None
