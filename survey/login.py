"""Staff login with throttling: repeated failures lock a username, and a client address, for a while.

Failures are counted in the shared cache (Redis in production, so every web server sees the same counts):
`settings.LOGIN_FAILURE_LIMIT` failures for one username, or `settings.LOGIN_IP_FAILURE_LIMIT` from one address,
within `settings.LOGIN_LOCKOUT_SECONDS` lock further attempts until that many seconds after the last counted
failure. While locked, the password is not even checked. A successful login clears the username's count; the
address count only expires, so that one valid account cannot be used to reset it between guesses at others.
If the cache is unreachable the login still works, unthrottled, and the failure is logged.
"""

import hashlib
import logging
import math
import time

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext

from .integrity import client_ip

logger = logging.getLogger(__name__)


def _keys(*, username: str, ip: str) -> list[tuple[str, int]]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    address = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return [
        (f"login-fail:user:{name}", settings.LOGIN_FAILURE_LIMIT),
        (f"login-fail:ip:{address}", settings.LOGIN_IP_FAILURE_LIMIT),
    ]


def login_wait_seconds(*, username: str, ip: str) -> int:
    """Seconds before this username may try again from this address; 0 when it may try now."""
    try:
        locks = cache.get_many([f"{key}:until" for key, _limit in _keys(username=username, ip=ip)])
    except Exception:
        logger.warning("login throttle: cache unavailable, not throttling", exc_info=True)
        return 0
    until = max(locks.values(), default=0)
    return max(0, math.ceil(until - time.time()))


def record_login_failure(*, username: str, ip: str) -> None:
    """Count one failed attempt for the username and the address; lock either that reaches its limit."""
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    try:
        for key, limit in _keys(username=username, ip=ip):
            cache.add(key, 0, timeout=lockout)
            count = cache.incr(key)
            if count >= limit:
                cache.set(f"{key}:until", time.time() + lockout, timeout=lockout)
    except Exception:
        logger.warning("login throttle: cache unavailable, failure not counted", exc_info=True)


def reset_login_failures(*, username: str, ip: str) -> None:
    """Forget the username's failures after a successful login (see the module docstring for the address)."""
    key, _limit = _keys(username=username, ip=ip)[0]
    try:
        cache.delete_many([key, f"{key}:until"])
    except Exception:
        logger.warning("login throttle: cache unavailable, failures not reset", exc_info=True)


def _locked_error(seconds: int) -> forms.ValidationError:
    minutes = max(1, math.ceil(seconds / 60))
    message = gettext("Đăng nhập tạm thời bị khóa vì nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.")
    return forms.ValidationError(message, code="locked_out", params={"minutes": minutes})


class ThrottledLoginMixin:
    """For an `AuthenticationForm`: refuse while locked, count failures, reset on success."""

    locked_seconds = 0

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = (client_ip(self.request) if self.request is not None else None) or ""
        self.locked_seconds = login_wait_seconds(username=username, ip=ip)
        if self.locked_seconds:
            raise _locked_error(self.locked_seconds)
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                record_login_failure(username=username, ip=ip)
                self.locked_seconds = login_wait_seconds(username=username, ip=ip)
                if self.locked_seconds:
                    raise _locked_error(self.locked_seconds) from error
            raise
        reset_login_failures(username=username, ip=ip)
        return cleaned


class StaffLoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class StaffAdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


def start_page_url(user) -> str:
    """Where each role's daily work starts: officers and leads in their inbox, provincial staff in the report,
    administrators in the admin; anyone else on the home page."""
    if user.role == user.Role.ADMIN or (user.is_superuser and not user.is_unit_staff):
        return reverse("admin:index")
    if user.role == user.Role.PROVINCE:
        return reverse("reports:report-show")
    if user.is_unit_staff:
        return reverse("feedback:case-list")
    return reverse("home")


class StaffLoginView(LoginView):
    """Django's login view with the throttled form; a locked attempt answers 429 with a Retry-After header. Without
    a `next` page, each role lands on its own start page (`start_page_url`)."""

    authentication_form = StaffLoginForm

    def get_default_redirect_url(self) -> str:
        return start_page_url(self.request.user)

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.locked_seconds:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_seconds)
        return response
