"""A staff member's account pages in the browser: enrol a second factor from the QR code page, log in with it,
change the password; accessible throughout."""

import base64

import pytest
from django_otp.oath import totp

from survey.models import ApiToken
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_enrols_two_factors_then_logs_in_with_the_code(desktop, live_server, world):
    login(desktop, live_server, "officer-a")
    desktop.get_by_role("link", name="Tài khoản").first.click()
    desktop.get_by_role("link", name="Xác thực hai bước").click()
    assert desktop.get_by_role("heading", name="Xác thực hai bước").is_visible()
    assert desktop.get_by_alt_text("Mã QR để thêm tài khoản vào ứng dụng xác thực").is_visible()
    check_a11y(desktop)

    # The phone's app would read the key from the QR code; the page prints the same key for typing.
    secret = desktop.locator("code").first.inner_text().strip()
    code = f"{totp(base64.b32decode(secret)):06d}"
    desktop.get_by_label("Mã 6 số trong ứng dụng xác thực").fill("12")
    desktop.get_by_role("button", name="Bật xác thực hai bước").click()
    assert desktop.get_by_text("Mã gồm 6 chữ số.").is_visible()
    check_a11y(desktop)
    desktop.get_by_label("Mã 6 số trong ứng dụng xác thực").fill(code)
    desktop.get_by_role("button", name="Bật xác thực hai bước").click()
    assert desktop.get_by_text("Đã bật xác thực hai bước.").is_visible()
    check_a11y(desktop)

    desktop.get_by_role("button", name="Đăng xuất").click()
    login(desktop, live_server, "officer-a")
    assert desktop.get_by_text("nhập mã 6 số trong ứng dụng xác thực").is_visible()
    check_a11y(desktop)


def test_officer_changes_the_password_and_their_api_tokens_are_revoked(desktop, live_server, world):
    from survey import accounts

    accounts.issue_api_token(user=world.officer_a, name="Một cửa")
    login(desktop, live_server, "officer-a")
    desktop.get_by_role("link", name="Tài khoản").first.click()
    assert desktop.get_by_role("heading", name="Đổi mật khẩu").is_visible()
    check_a11y(desktop)

    desktop.get_by_label("Mật khẩu cũ").fill("pass-word-123")
    desktop.get_by_label("Mật khẩu mới", exact=True).fill("ngan")
    desktop.get_by_label("Xác nhận mật khẩu mới").fill("ngan")
    desktop.get_by_role("button", name="Đổi mật khẩu").click()
    assert desktop.locator(".errorlist").first.is_visible()
    check_a11y(desktop)

    desktop.get_by_label("Mật khẩu cũ").fill("pass-word-123")
    desktop.get_by_label("Mật khẩu mới", exact=True).fill("a-new-long-phrase-42")
    desktop.get_by_label("Xác nhận mật khẩu mới").fill("a-new-long-phrase-42")
    desktop.get_by_role("button", name="Đổi mật khẩu").click()
    assert desktop.get_by_text("Đã đổi mật khẩu.").is_visible()
    assert not ApiToken.objects.filter(user=world.officer_a).exists()

    desktop.get_by_role("link", name="Mã truy cập API").click()
    check_a11y(desktop)
