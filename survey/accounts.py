"""Staff accounts: passwords, API tokens, two-factor authentication and login locks.

Every change here leaves one audit entry (`survey.audit.record_audit`), with the account as its target:
`account.password_change`, `api_token.issue`, `api_token.revoke`, `account.2fa_enrol`, `account.2fa_disable`
and `login.lock_lift`. A password change revokes every API token of the account. Tokens are django-rest-knox's
(`ApiToken`: only a digest is stored); the second factor is a TOTP device of django-otp.
"""

import datetime

import django_otp
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.celery import enqueue_on_commit

from .audit import record_audit
from .models import ApiToken, User


def _token_label(token: ApiToken) -> str:
    return f"{token.name or '-'} ({token.token_key})"


# --- Passwords ---------------------------------------------------------------------------------------------------


@transaction.atomic
def change_password(*, user: User, password: str, by: User | None, ip_address: str | None = "") -> int:
    """Set the account's password and revoke all its API tokens (a token obtained with the old password must not
    outlive it). Returns the number of tokens revoked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = revoke_all_api_tokens(user=user)
    record_audit(
        actor=by,
        action="account.password_change",
        target=user,
        changes={"password": {"before": "…", "after": "…"}, "api_tokens_revoked": revoked},
        ip_address=ip_address,
    )
    return revoked


def revoke_all_api_tokens(*, user: User) -> int:
    """Revoke every token of the account, without an audit entry of its own: for a password set in the admin,
    whose entry (`admin.change`, by `AuditedModelAdmin`) records who set it. Returns the number revoked."""
    count, _deleted = ApiToken.objects.filter(user=user).delete()
    return count


# --- API tokens ------------------------------------------------------------------------------------------------


@transaction.atomic
def issue_api_token(*, user: User, name: str = "", ip_address: str | None = "") -> tuple[ApiToken, str]:
    """A new API token for the account, expiring after `settings.API_TOKEN_TTL_DAYS`. Returns the row and the
    token itself, which is never stored and cannot be shown again."""
    expiry = datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    token, secret = ApiToken.objects.create(user=user, expiry=expiry, name=name.strip()[:80])
    record_audit(
        actor=user,
        action="api_token.issue",
        target=user,
        changes={"api_token": {"before": None, "after": _token_label(token)}, "expiry": token.expiry},
        ip_address=ip_address,
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User | None, ip_address: str | None = "") -> None:
    """Revoke one token (its owner, or an administrator in the admin)."""
    ApiToken.objects.filter(pk=token.pk).delete()
    record_audit(
        actor=by,
        action="api_token.revoke",
        target=token.user,
        changes={"api_token": {"before": _token_label(token), "after": None}},
        ip_address=ip_address,
    )


# --- Two-factor authentication -----------------------------------------------------------------------------------


def has_two_factor(*, user: User | None) -> bool:
    return user is not None and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(*, user: User) -> bool:
    """With `settings.REQUIRE_2FA`, provincial staff and administrators must use a second factor."""
    return bool(settings.REQUIRE_2FA) and (user.is_superuser or user.role in (User.Role.PROVINCE, User.Role.ADMIN))


def match_two_factor_code(*, user: User, code: str) -> TOTPDevice | None:
    """The account's confirmed device that accepts this code (each code once; devices throttle failures)."""
    return django_otp.match_token(user, "".join(code.split()))


def mark_session_verified(*, request: HttpRequest, device: TOTPDevice) -> None:
    django_otp.login(request, device)


def start_two_factor_enrolment(*, user: User) -> TOTPDevice:
    """The account's pending (unconfirmed) TOTP device, made on first call: its key is shown as a QR code until
    a code from it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def confirm_two_factor(*, user: User, code: str, ip_address: str | None = "") -> TOTPDevice | None:
    """Confirm the pending device with a code from it; the account then needs a code at every login. Returns the
    device, or None when the code does not match (nothing changes)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(code.split())):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_audit(
        actor=user,
        action="account.2fa_enrol",
        target=user,
        changes={"two_factor": {"before": False, "after": True}},
        ip_address=ip_address,
    )
    return device


@transaction.atomic
def disable_two_factor(*, user: User, by: User | None, ip_address: str | None = "") -> None:
    """Remove the account's second factor (its owner with a current code, or an administrator)."""
    TOTPDevice.objects.filter(user=user).delete()
    record_audit(
        actor=by,
        action="account.2fa_disable",
        target=user,
        changes={"two_factor": {"before": True, "after": False}},
        ip_address=ip_address,
    )


# --- Login locks ---------------------------------------------------------------------------------------------


@transaction.atomic
def lift_login_lock(*, attempt: AccessAttempt, by: User, ip_address: str | None = "") -> None:
    """Forget the failures of one (username, address) pair, which unlocks it at once."""
    AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    target = User.objects.filter(username__iexact=attempt.username).first()
    record_audit(
        actor=by,
        action="login.lock_lift",
        target=target,
        changes={
            "username": {"before": attempt.username, "after": attempt.username},
            "failures": {"before": attempt.failures_since_start, "after": 0},
        },
        ip_address=ip_address,
    )


def notify_login_failures(*, username: str, ip: str) -> None:
    """Tell the account's owner by email that their account is being guessed at (once per lockout period)."""
    user = User.objects.filter(username__iexact=username, is_active=True).exclude(email="").first()
    if user is None:
        return
    try:
        first = cache.add(f"login-notice:{user.pk}", 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    except Exception:
        first = True
    if first:
        from .tasks import send_login_failures_notice_task

        enqueue_on_commit(send_login_failures_notice_task, user.pk, ip, timezone.now().isoformat())


def send_login_failures_notice(*, user_id: int, ip: str, at: str) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "ip": ip,
            "at": timezone.localtime(datetime.datetime.fromisoformat(at)),
            "minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60),
            "password_url": settings.PUBLIC_BASE_URL + reverse("accounts:password-change"),
            "two_factor_url": settings.PUBLIC_BASE_URL + reverse("accounts:two-factor"),
        }
        subject = " ".join(render_to_string("emails/login-failures-subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject, render_to_string("emails/login-failures-body.txt", context), to=[user.email]
        )
        message.attach_alternative(render_to_string("emails/login-failures-body.html", context), "text/html")
        message.send()
    return True
