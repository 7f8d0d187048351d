"""One lockout for every way into a staff account: the staff login page, the admin login and the API token.

django-axes counts failed attempts in the database per (username, address) pair (`AccessAttempt`, listed in
the admin, where an administrator lifts a lock). `settings.LOGIN_FAILURE_LIMIT` failures of one pair within
`settings.LOGIN_LOCKOUT_SECONDS` lock that pair until that many seconds after its last failure; the password is not
even checked meanwhile. The same user from another address is not locked, so nobody can lock an officer out of
their office by guessing from elsewhere, and a success resets the pair.

Attacks that spread over pairs only slow down, they do not lock: past `settings.LOGIN_IP_FAILURE_LIMIT` failures
from one address (many usernames), or `settings.LOGIN_USER_FAILURE_LIMIT` failures for one username (many
addresses), that address or username gets one attempt per `settings.LOGIN_SLOWDOWN_SECONDS`. These counts live in
the shared cache; while it is unreachable they are skipped and logged (the pair lock, in the database, holds).

When a pair is locked or a username starts being slowed down, the account's owner is told by email (once per
lockout period). An account with two-factor authentication also needs its current TOTP code, and a wrong code
counts as a failure like a wrong password.
"""

import datetime
import hashlib
import logging
import math
import time
from typing import NoReturn

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accounts
from .integrity import client_ip
from .models import User

logger = logging.getLogger(__name__)


# --- django-axes configuration (settings.AXES_*): read at call time, so that settings changed in tests apply ---


def failure_limit(request, credentials) -> int:
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()


def lockout_username(request, credentials) -> str:
    """The username axes counts: `Officer-A ` and `officer-a` are one account to guess at."""
    if credentials and credentials.get("username") is not None:
        return normalise_username(credentials.get("username"))
    data = getattr(request, "data", None) or request.POST
    return normalise_username(data.get("username"))


def lockout_response(request, response, credentials) -> HttpResponse:
    """The views answer a locked attempt themselves (the form with its message, or the API's JSON error); axes'
    middleware only makes sure it is a 429."""
    response.status_code = 429
    return response


# --- Checking credentials -------------------------------------------------------------------------------------


class LoginRefused(Exception):
    """Credentials not accepted. `wait_seconds` > 0 means locked or slowed down: try again after that long."""

    def __init__(self, message: str, *, code: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.wait_seconds = wait_seconds


def _locked(seconds: int) -> LoginRefused:
    if seconds <= 90:
        message = gettext("Đăng nhập sai nhiều lần: vui lòng chờ %(seconds)d giây rồi thử lại.") % {"seconds": seconds}
    else:
        minutes = max(1, math.ceil(seconds / 60))
        message = gettext(
            "Đăng nhập tạm thời bị khóa vì nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút."
        ) % {"minutes": minutes}
    return LoginRefused(message, code="locked_out", wait_seconds=seconds)


def _invalid() -> LoginRefused:
    return LoginRefused(gettext("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid_login")


def pair_wait_seconds(*, username: str, ip: str) -> int:
    """Seconds until this (username, address) pair may try again; 0 when it is not locked."""
    since = timezone.now() - cool_off(None)
    attempts = AccessAttempt.objects.filter(
        username=normalise_username(username), ip_address=ip or None, attempt_time__gte=since
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (attempts["failures"] or 0) < failure_limit(None, None):
        return 0
    remaining = attempts["last"] + cool_off(None) - timezone.now()
    return max(1, math.ceil(remaining.total_seconds()))


def _slowdown_keys(*, username: str, ip: str) -> list[tuple[str, int]]:
    name = hashlib.sha256(normalise_username(username).encode()).hexdigest()[:32]
    address = hashlib.sha256((ip or "").encode()).hexdigest()[:32]
    return [
        (f"login-slow:user:{name}", settings.LOGIN_USER_FAILURE_LIMIT),
        (f"login-slow:ip:{address}", settings.LOGIN_IP_FAILURE_LIMIT),
    ]


def _take_slowdown_slot(*, username: str, ip: str) -> int:
    """For a username or address past its limit: 0 and the slot taken when its next attempt is due, else the
    seconds to wait."""
    try:
        counts = cache.get_many([key for key, _limit in _slowdown_keys(username=username, ip=ip)])
        for key, limit in _slowdown_keys(username=username, ip=ip):
            if counts.get(key, 0) < limit:
                continue
            due = time.time() + settings.LOGIN_SLOWDOWN_SECONDS
            if not cache.add(f"{key}:next", due, timeout=settings.LOGIN_SLOWDOWN_SECONDS):
                return max(1, math.ceil((cache.get(f"{key}:next") or due) - time.time()))
    except Exception:
        logger.warning("login slow-down: cache unavailable, not slowing down", exc_info=True)
    return 0


def _count_slowdown_failure(*, username: str, ip: str) -> bool:
    """Count a failure for the username and the address; True when the username has just reached its limit."""
    try:
        reached = False
        for key, limit in _slowdown_keys(username=username, ip=ip):
            cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
            count = cache.incr(key)
            reached = reached or (key.startswith("login-slow:user:") and count == limit)
        return reached
    except Exception:
        logger.warning("login slow-down: cache unavailable, failure not counted", exc_info=True)
        return False


def check_credentials(
    *, request: HttpRequest, username: str, password: str, otp_token: str = ""
) -> tuple[User, TOTPDevice | None]:
    """The user these credentials open, with the verified TOTP device if the account has one: `(user, device)`.

    Raises `LoginRefused` for a locked or slowed-down attempt (nothing is checked), wrong credentials or a wrong
    or missing second factor. Every failure counts towards the locks; `request` is Django's request (for the API,
    DRF's `request._request`).
    """
    ip = client_ip(request) or ""
    wait = pair_wait_seconds(username=username, ip=ip) or _take_slowdown_slot(username=username, ip=ip)
    if wait:
        raise _locked(wait)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _after_failure(username=username, ip=ip)
    device = None
    if accounts.has_two_factor(user=user):
        if not otp_token:
            raise LoginRefused(
                gettext("Tài khoản này bật xác thực hai bước: nhập mã 6 số trong ứng dụng xác thực."),
                code="otp_required",
            )
        device = accounts.match_two_factor_code(user=user, code=otp_token)
        if device is None:
            # A wrong second factor counts like a wrong password (axes records it from this signal).
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
            _after_failure(username=username, ip=ip, wrong_code=True)
    return user, device


def _after_failure(*, username: str, ip: str, wrong_code: bool = False) -> NoReturn:
    """Count the failure, tell the owner when it locks a pair or slows the username down, and refuse."""
    user_slowed = _count_slowdown_failure(username=username, ip=ip)
    wait = pair_wait_seconds(username=username, ip=ip)
    if wait or user_slowed:
        accounts.notify_login_failures(username=normalise_username(username), ip=ip)
    if wait:
        raise _locked(wait)
    if wrong_code:
        raise LoginRefused(gettext("Mã xác thực không đúng hoặc đã hết hạn."), code="otp_invalid")
    raise _invalid()


# --- The login pages ---------------------------------------------------------------------------------------------


class ThrottledLoginMixin:
    """For an `AuthenticationForm`: the one lockout above, and the TOTP code of accounts that have two factors."""

    locked_seconds = 0
    otp_device = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"] = forms.CharField(
            label=gettext_lazy("Mã xác thực hai bước (nếu đã bật)"),
            required=False,
            max_length=12,
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if not username or not password:
            return self.cleaned_data
        try:
            self.user_cache, self.otp_device = check_credentials(
                request=self.request,
                username=username,
                password=password,
                otp_token=(self.cleaned_data.get("otp_token") or "").strip(),
            )
        except LoginRefused as refusal:
            self.locked_seconds = refusal.wait_seconds
            raise forms.ValidationError(refusal.message, code=refusal.code) from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


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
    if user.is_unit_staff or user.role == user.Role.INSPECTOR:
        return reverse("feedback:case-list")
    return reverse("home")


class StaffLoginView(LoginView):
    """Django's login view with the one lockout; a locked attempt answers 429 with a Retry-After header. A login
    with a second factor marks the session as verified (django-otp). Without a `next` page, each role lands on its
    own start page (`start_page_url`)."""

    authentication_form = StaffLoginForm

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:
            accounts.mark_session_verified(request=self.request, device=form.otp_device)
        return response

    def get_default_redirect_url(self) -> str:
        return start_page_url(self.request.user)

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.locked_seconds:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_seconds)
        return response


class StaffAdminLoginView(StaffLoginView):
    """The admin's login at its usual address, served by the staff login page (with the second factor): only
    staff accounts (`is_staff`) get in; they land on the admin's index."""

    authentication_form = StaffAdminLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")


def lockout_user(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=normalise_username(username)).first()
