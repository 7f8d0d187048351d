"""The admin of staff accounts' security: API tokens and login locks, for administrators only.

An administrator sees every account's live and expired tokens and revokes them; sees the failed-login counts per
(username, address) pair and lifts a lock. Both go through `survey.accounts`, which writes the audit entries;
nothing here is added or edited by hand.
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import accounts, login
from .integrity import client_ip
from .models import ApiToken, User


class AdministratorsOnly:
    def _is_administrator(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.role == User.Role.ADMIN)

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["token_key", "name", "user", "created", "expiry", "is_live"]
    list_filter = ["user__role", "expiry", "created"]
    search_fields = ["user__username", "name", "token_key"]
    list_select_related = ["user"]
    fields = readonly_fields = ["token_key", "name", "user", "created", "expiry"]
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("còn hiệu lực"))
    def is_live(self, token: ApiToken) -> bool:
        return token.expiry is None or token.expiry > timezone.now()

    def get_actions(self, request):
        # The admin's own "delete" would bypass the audit log; revoking is the only way to remove a token.
        return super().get_actions(request) if self._is_administrator(request) else {}

    @admin.action(description=_("Thu hồi các mã đã chọn"))
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.select_related("user"))
        for token in tokens:
            accounts.revoke_api_token(token=token, by=request.user, ip_address=client_ip(request))
        self.message_user(request, _("Đã thu hồi %(count)d mã.") % {"count": len(tokens)}, messages.SUCCESS)


# django-otp's own device admin would let anyone with model rights add or remove a second factor unaudited; the
# users' admin has an audited action for a lost phone instead.
admin.site.unregister(TOTPDevice)


@admin.register(AccessAttempt)
class LoginLockAdmin(AdministratorsOnly, AxesAccessAttemptAdmin):
    """Failed logins per (username, address) pair; the pair is locked while `is_locked` says so."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "is_locked"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    actions = ["lift"]

    @admin.display(boolean=True, description=_("đang bị khóa"))
    def is_locked(self, attempt: AccessAttempt) -> bool:
        return bool(login.pair_wait_seconds(username=attempt.username, ip=attempt.ip_address or ""))

    def get_actions(self, request):
        return super().get_actions(request) if self._is_administrator(request) else {}

    @admin.action(description=_("Mở khóa đăng nhập cho các cặp (tài khoản, địa chỉ) đã chọn"))
    def lift(self, request, queryset) -> None:
        attempts = list(queryset)
        for attempt in attempts:
            accounts.lift_login_lock(attempt=attempt, by=request.user, ip_address=client_ip(request))
        self.message_user(request, _("Đã mở khóa %(count)d lượt.") % {"count": len(attempts)}, messages.SUCCESS)


class StaffAdminPasswordChangeForm(AdminPasswordChangeForm):
    """An administrator's password reset for an account revokes its API tokens too (the admin's own entry records
    who did it)."""

    def save(self, commit: bool = True):
        user = super().save(commit)
        if commit:
            accounts.revoke_all_api_tokens(user=user)
        return user


def disable_two_factor(modeladmin, request, queryset) -> None:
    """For an account whose phone is lost: its owner enrols again at the next login."""
    users = list(queryset)
    for user in users:
        accounts.disable_two_factor(user=user, by=request.user, ip_address=client_ip(request))
    modeladmin.message_user(
        request, _("Đã tắt xác thực hai bước của %(count)d tài khoản.") % {"count": len(users)}, messages.SUCCESS
    )


disable_two_factor.short_description = _("Tắt xác thực hai bước (mất điện thoại)")
