"""A staff member's own account pages. Each lists or changes the signed-in user's own data only."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import accounts
from .account_forms import ApiTokenForm, StaffPasswordChangeForm, TwoFactorCodeForm
from .integrity import client_ip
from .models import ApiToken


class PasswordChange(PasswordChangeView):
    """Django's password change page, saved through the service (tokens revoked, audit entry), then the session
    is kept valid for the new password."""

    form_class = StaffPasswordChangeForm
    template_name = "survey/password_change.html"
    success_url = reverse_lazy("accounts:password-change")

    def form_valid(self, form):
        revoked = accounts.change_password(
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
            by=self.request.user,
            ip_address=client_ip(self.request),
        )
        self.request.user.refresh_from_db()
        update_session_auth_hash(self.request, self.request.user)
        message = _("Đã đổi mật khẩu.")
        if revoked:
            message += " " + _(
                "%(count)d mã truy cập API đã bị thu hồi; hãy cấp mã mới cho các hệ thống cần dùng."
            ) % {"count": revoked}
        messages.success(self.request, message)
        return redirect(self.success_url)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _qr_data_url(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol (scan the QR code, confirm a code), or disable with a current code."""
    user = request.user
    enrolled = accounts.has_two_factor(user=user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if enrolled and request.POST.get("action") == "disable":
            if accounts.match_two_factor_code(user=user, code=code) is not None:
                accounts.disable_two_factor(user=user, by=user, ip_address=client_ip(request))
                messages.success(request, _("Đã tắt xác thực hai bước."))
                return redirect("accounts:two-factor")
            form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn."))
        elif not enrolled:
            device = accounts.confirm_two_factor(user=user, code=code, ip_address=client_ip(request))
            if device is not None:
                accounts.mark_session_verified(request=request, device=device)
                messages.success(request, _("Đã bật xác thực hai bước. Từ nay mỗi lần đăng nhập cần thêm mã 6 số."))
                return redirect("accounts:two-factor")
            form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng."))
    context = {
        "form": form,
        "enrolled": enrolled,
        "required": accounts.two_factor_required(user=user),
    }
    if not enrolled:
        device = accounts.start_two_factor_enrolment(user=user)
        context["qr"] = _qr_data_url(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    status = 400 if request.method == "POST" else 200
    return render(request, "survey/two_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens (name, start of the token, dates), a form to issue one, and revoke buttons."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        _token, issued = accounts.issue_api_token(
            user=request.user, name=form.cleaned_data["name"], ip_address=client_ip(request)
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).live()
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "survey/token_list.html",
        {"form": form, "tokens": tokens, "issued": issued, "ttl_days": settings.API_TOKEN_TTL_DAYS},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    tokens = list(ApiToken.objects.filter(user=request.user, token_key=token_key))
    if not tokens:
        raise Http404
    for token in tokens:
        accounts.revoke_api_token(token=token, by=request.user, ip_address=client_ip(request))
    messages.success(request, _("Đã thu hồi mã truy cập API."))
    return redirect("accounts:token-list")
