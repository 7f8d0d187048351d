"""Forms of the staff account pages: password, second factor, API tokens."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .forms import AccessibleErrorsMixin


class StaffPasswordChangeForm(AccessibleErrorsMixin, PasswordChangeForm):
    """Django's form (old password, new password twice, the password validators); the view saves through
    `accounts.change_password`, which also revokes the API tokens and writes the audit entry."""


class TwoFactorCodeForm(AccessibleErrorsMixin, forms.Form):
    code = forms.RegexField(
        label=_("Mã 6 số trong ứng dụng xác thực"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=12,
        error_messages={
            "required": _("Vui lòng nhập mã 6 số."),
            "invalid": _("Mã gồm 6 chữ số."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Tên mã (để nhận ra, ví dụ: hệ thống một cửa)"),
        max_length=80,
        error_messages={"required": _("Vui lòng đặt tên cho mã."), "max_length": _("Tên tối đa 80 ký tự.")},
    )
