"""A staff member's own account: changing the password, two-factor authentication (enrol, log in with it, disable,
required by policy), and API tokens on a page. Every change leaves an audit entry."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from survey import accounts
from survey.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db

GOOD = "pass-word-123"
NEW = "a-new-long-phrase-42"


def _code(device: TOTPDevice, shift: int = 0) -> str:
    return f"{(totp(device.bin_key) + shift) % 1000000:06d}"


def _enrolled(user) -> TOTPDevice:
    device = accounts.start_two_factor_enrolment(user=user)
    device.confirmed = True
    device.save()
    return device


# --- Password ----------------------------------------------------------------------------------------------------


def test_a_staff_member_changes_their_password_which_revokes_their_tokens_and_is_audited(client, world):
    accounts.issue_api_token(user=world.officer_a, name="Một cửa")
    client.force_login(world.officer_a)

    page = client.get(reverse("accounts:password-change"))
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    response = client.post(
        reverse("accounts:password-change"), {"old_password": GOOD, "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 302
    world.officer_a.refresh_from_db()
    assert world.officer_a.check_password(NEW)
    assert not ApiToken.objects.filter(user=world.officer_a).exists()
    # The session stays valid for the new password.
    followed = client.get(response.url)
    assert "Đã đổi mật khẩu." in followed.content.decode() and "1 mã truy cập API" in followed.content.decode()
    entry = AuditEntry.objects.get(action="account.password_change")
    assert entry.actor == world.officer_a and entry.changes["api_tokens_revoked"] == 1
    assert NEW not in str(entry.changes)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}, "old_password"),
        ({"old_password": GOOD, "new_password1": NEW, "new_password2": NEW + "x"}, "new_password2"),
        ({"old_password": GOOD, "new_password1": "12345678901", "new_password2": "12345678901"}, "new_password2"),
    ],
)
def test_a_bad_password_change_is_refused_with_the_field_named(client, world, data, field):
    accounts.issue_api_token(user=world.officer_a)
    client.force_login(world.officer_a)

    response = client.post(reverse("accounts:password-change"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'aria-describedby="id_{field}_error"' in response.content.decode()
    assert ApiToken.objects.filter(user=world.officer_a).exists()
    assert not AuditEntry.objects.filter(action="account.password_change").exists()


# --- Two-factor authentication -----------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_then_a_code_from_it_turns_two_factors_on(client, world):
    client.force_login(world.officer_a)

    page = client.get(reverse("accounts:two-factor"))
    html = page.content.decode()
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=world.officer_a, confirmed=False)
    # The same pending key on a reload: the QR code scanned a minute ago stays valid.
    client.get(reverse("accounts:two-factor"))
    assert TOTPDevice.objects.filter(user=world.officer_a).count() == 1

    wrong = client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": _code(device, 1)})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.content.decode()
    assert not accounts.has_two_factor(user=world.officer_a)

    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code
    response = client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": _code(device)})
    assert response.status_code == 302
    assert accounts.has_two_factor(user=world.officer_a)
    assert AuditEntry.objects.get(action="account.2fa_enrol").actor == world.officer_a
    assert "Đang bật" in client.get(reverse("accounts:two-factor")).content.decode()


def test_with_two_factors_the_login_needs_the_code_and_a_wrong_one_counts_as_a_failure(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    device = _enrolled(world.officer_a)
    login = reverse("login")

    missing = client.post(login, {"username": "officer-a", "password": GOOD})
    assert missing.status_code == 200 and "_auth_user_id" not in client.session
    assert "nhập mã 6 số" in missing.content.decode()
    wrong = client.post(login, {"username": "officer-a", "password": GOOD, "otp_token": _code(device, 1)})
    assert "Mã xác thực không đúng" in wrong.content.decode()

    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code
    response = client.post(login, {"username": "officer-a", "password": GOOD, "otp_token": _code(device)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer_a.pk)


def test_a_wrong_code_with_the_right_password_locks_like_a_wrong_password(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    device = _enrolled(world.officer_a)
    for _ in range(2):
        client.post(reverse("login"), {"username": "officer-a", "password": GOOD, "otp_token": _code(device, 7)})
    response = client.post(reverse("login"), {"username": "officer-a", "password": GOOD, "otp_token": _code(device)})
    assert response.status_code == 429


def test_disabling_needs_a_current_code_and_is_audited(client, world):
    device = _enrolled(world.officer_a)
    client.force_login(world.officer_a)

    wrong = client.post(reverse("accounts:two-factor"), {"action": "disable", "code": _code(device, 3)})
    assert wrong.status_code == 400 and accounts.has_two_factor(user=world.officer_a)

    time.sleep(1.1)
    response = client.post(reverse("accounts:two-factor"), {"action": "disable", "code": _code(device)})
    assert response.status_code == 302 and not accounts.has_two_factor(user=world.officer_a)
    assert AuditEntry.objects.get(action="account.2fa_disable").actor == world.officer_a


def test_an_administrator_removes_the_second_factor_of_a_lost_phone(client, world):
    _enrolled(world.officer_a)
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:survey_user_changelist"),
        {"action": "disable_two_factor", "_selected_action": [world.officer_a.pk]},
    )

    assert response.status_code == 302 and not accounts.has_two_factor(user=world.officer_a)
    assert AuditEntry.objects.get(action="account.2fa_disable").actor == world.admin


@pytest.mark.parametrize("role", ["province", "admin"])
def test_with_2fa_required_provincial_staff_and_administrators_must_enrol_first(client, world, settings, role):
    settings.REQUIRE_2FA = True
    client.post(reverse("login"), {"username": role, "password": GOOD})

    page = client.get(reverse("feedback:case-list"))
    assert page.status_code == 302 and page.url == reverse("accounts:two-factor")
    api = client.get(reverse("api:unit-group-list"))
    assert api.status_code == 403 and "xác thực hai bước" in api.json()["detail"]
    enrol = client.get(reverse("accounts:two-factor"))
    assert enrol.status_code == 200 and "phải bật xác thực hai bước" in enrol.content.decode()

    device = TOTPDevice.objects.get(user=getattr(world, role))
    client.post(reverse("accounts:two-factor"), {"action": "confirm", "code": _code(device)})
    assert client.get(reverse("feedback:case-list")).status_code == 200


def test_with_2fa_required_a_session_opened_without_the_code_must_log_in_again(client, world, settings):
    settings.REQUIRE_2FA = True
    _enrolled(world.province)
    client.force_login(world.province)

    response = client.get(reverse("feedback:case-list"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_with_2fa_required_unit_staff_work_as_before(client, world, settings):
    settings.REQUIRE_2FA = True
    client.post(reverse("login"), {"username": "officer-a", "password": GOOD})
    assert client.get(reverse("feedback:case-list")).status_code == 200


# --- API tokens on a page ----------------------------------------------------------------------------------------


def test_a_staff_member_issues_lists_and_revokes_their_tokens_on_a_page(client, world):
    accounts.issue_api_token(user=world.officer_b, name="Của người khác")
    client.force_login(world.officer_a)

    issued = client.post(reverse("accounts:token-list"), {"name": "Cổng thông tin"})
    html = issued.content.decode()
    token = ApiToken.objects.get(user=world.officer_a)
    assert issued.status_code == 200 and "Cổng thông tin" in html and token.token_key in html
    assert "Của người khác" not in html
    secret = html.split('<code class="kiosk-url">')[1].split("<")[0]
    assert secret.startswith(token.token_key) and len(secret) == 64
    # Shown once: the next visit lists the token without the secret.
    assert secret not in client.get(reverse("accounts:token-list")).content.decode()

    response = client.post(reverse("accounts:token-revoke", args=[token.token_key]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=world.officer_a).exists()
    assert [entry.action for entry in AuditEntry.objects.order_by("id")][-2:] == [
        "api_token.issue",
        "api_token.revoke",
    ]


def test_a_token_needs_a_name_on_the_page(client, world):
    client.force_login(world.officer_a)
    response = client.post(reverse("accounts:token-list"), {"name": "  "})
    assert response.status_code == 400 and "Vui lòng đặt tên cho mã." in response.content.decode()
    assert not ApiToken.objects.exists()
