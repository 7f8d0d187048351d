"""Session authentication with the project's CSRF message (DRF's is English and technical)."""

from django.utils.translation import gettext_lazy as _
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
