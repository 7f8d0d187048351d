"""Two-factor authentication required by policy (`settings.REQUIRE_2FA`).

With the setting on, a provincial or administrator account whose session has not been verified with a second
factor can use only the enrolment page, the password page, the language switch and logout: every other page
redirects to the enrolment page, and the API answers 403 (token requests are unaffected: a token is issued only
with the second factor, see `api.serializers.auth`).
"""

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from . import accounts


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and accounts.two_factor_required(user=user)
            and not user.is_verified()
            and not self._open(request.path)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        allowed = (reverse("accounts:two-factor"), reverse("accounts:password-change"), reverse("logout"))
        return path in allowed or path.startswith(("/i18n/", "/static/", "/healthz"))

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        message = gettext("Tài khoản của ông/bà phải bật xác thực hai bước trước khi tiếp tục.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {}}, status=403)
        if accounts.has_two_factor(user=request.user):
            # Enrolled, but this session was opened without the code: log in again with it.
            logout(request)
            return redirect(f"{reverse('login')}?next={request.path}")
        return redirect("accounts:two-factor")
