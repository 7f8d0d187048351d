"""API tokens: obtaining one (through the login lockout and the second factor), using it, listing and revoking
one's own; expired, revoked and superseded tokens are refused."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from rest_framework.test import APIClient

from survey import accounts
from survey.models import ApiToken, AuditEntry

pytestmark = pytest.mark.django_db

GOOD = "pass-word-123"


def _obtain(username="officer-a", password=GOOD, **extra):
    return APIClient().post(reverse("api:auth-token"), {"username": username, "password": password, **extra})


def _client(token: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}")


def test_token_with_good_credentials_then_used_on_a_staff_list(world):
    response = _obtain(name="Một cửa")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "token_key", "name", "created", "expiry"}
    assert body["name"] == "Một cửa" and body["token"].startswith(body["token_key"])
    rows = _client(body["token"]).get(reverse("api:counter-list")).json()["results"]
    assert [row["id"] for row in rows] == [world.counter_a.pk]


def test_tokens_are_stored_as_digests_and_expire_after_the_configured_days(world, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = _obtain().json()["token"]

    stored = ApiToken.objects.get(user=world.officer_a)
    assert token not in {stored.digest, stored.token_key} and len(stored.digest) == 128
    assert abs(stored.expiry - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)


def test_each_call_issues_another_token_and_both_work(world):
    first = _obtain(username="province").json()["token"]
    second = _obtain(username="province").json()["token"]

    assert first != second
    for token in (first, second):
        assert _client(token).get(reverse("api:unit-list")).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "officer-a", "password": "wrong-password"},
        {"username": "nobody", "password": "pass-word-123"},
    ],
)
def test_bad_credentials_get_one_vietnamese_answer(world, credentials):
    response = APIClient().post(reverse("api:auth-token"), credentials, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "errors": {"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]},
    }
    assert not ApiToken.objects.exists()


def test_inactive_account_gets_no_token(world):
    world.officer_a.is_active = False
    world.officer_a.save()

    assert _obtain().status_code == 400
    assert not ApiToken.objects.exists()


def test_missing_fields_are_named(world):
    response = APIClient().post(reverse("api:auth-token"), {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    assert response.json()["errors"]["username"] == ["Trường này là bắt buộc."]


def test_token_endpoint_is_throttled_per_address(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth-token": "3/minute"}}
    settings.LOGIN_FAILURE_LIMIT = 50
    client = APIClient()
    bad = {"username": "officer-a", "password": "guess"}

    statuses = [client.post(reverse("api:auth-token"), bad).status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]
    # Even the right password waits: guessing cannot continue by mixing in a good attempt.
    good = client.post(reverse("api:auth-token"), {"username": "officer-a", "password": "pass-word-123"})
    assert good.status_code == 429


def test_throttle_rates_come_from_the_environment(monkeypatch):
    import importlib

    from config import settings as project_settings

    monkeypatch.setenv("DJANGO_API_THROTTLE_AUTH_TOKEN", "5/hour")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth-token"] == "5/hour"
    finally:
        monkeypatch.delenv("DJANGO_API_THROTTLE_AUTH_TOKEN")
        importlib.reload(project_settings)


def test_an_expired_token_is_refused(world):
    token = _obtain().json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    response = _client(token).get(reverse("api:counter-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_made_up_token_is_refused(world):
    token = _obtain().json()["token"]
    forged = token[:15] + "0" * (len(token) - 15)

    assert _client(forged).get(reverse("api:counter-list")).status_code == 401
    assert _client("é-not-ascii").get(reverse("api:counter-list")).status_code == 401


def test_owners_list_their_own_live_tokens_only(world):
    mine = _obtain(name="Một cửa").json()
    _obtain(username="officer-b", name="Khác")
    expired = _obtain(name="Cũ").json()
    ApiToken.objects.filter(token_key=expired["token_key"]).update(expiry=timezone.now() - datetime.timedelta(1))

    rows = _client(mine["token"]).get(reverse("api:auth-token-item-list")).json()

    assert rows == [
        {"token_key": mine["token_key"], "name": "Một cửa", "created": mine["created"], "expiry": mine["expiry"]}
    ]


def test_a_revoked_token_is_refused_and_the_revocation_is_audited(world):
    kept = _obtain(name="giữ").json()
    revoked = _obtain(name="bỏ").json()

    response = _client(kept["token"]).delete(reverse("api:auth-token-item-detail", args=[revoked["token_key"]]))

    assert response.status_code == 204
    assert _client(revoked["token"]).get(reverse("api:counter-list")).status_code == 401
    assert _client(kept["token"]).get(reverse("api:counter-list")).status_code == 200
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == world.officer_a and revoked["token_key"] in entry.changes["api_token"]["before"]
    assert AuditEntry.objects.filter(action="api_token.issue", actor=world.officer_a).count() == 2


def test_nobody_revokes_another_accounts_token(world):
    theirs = _obtain(username="officer-b").json()
    mine = _obtain().json()
    province = _obtain(username="province").json()

    for token in (mine["token"], province["token"]):
        response = _client(token).delete(reverse("api:auth-token-item-detail", args=[theirs["token_key"]]))
        assert response.status_code == 404
    assert _client(theirs["token"]).get(reverse("api:counter-list")).status_code == 200


def test_a_password_change_revokes_every_token(world, client):
    token = _obtain().json()["token"]
    client.force_login(world.officer_a)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": GOOD, "new_password1": "a-new-long-phrase-42", "new_password2": "a-new-long-phrase-42"},
    )

    assert response.status_code == 302
    assert _client(token).get(reverse("api:counter-list")).status_code == 401
    assert not ApiToken.objects.filter(user=world.officer_a).exists()
    assert _obtain(password="a-new-long-phrase-42").status_code == 200


def test_an_administrators_password_reset_revokes_the_accounts_tokens(world, client):
    token = _obtain().json()["token"]
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.officer_a.pk]),
        {"password1": "reset-by-admin-77", "password2": "reset-by-admin-77"},
    )

    assert response.status_code == 302
    assert _client(token).get(reverse("api:counter-list")).status_code == 401


def test_an_administrator_revokes_a_token_in_the_admin(world, client):
    token = _obtain().json()
    client.force_login(world.admin)
    stored = ApiToken.objects.get()

    response = client.post(
        reverse("admin:survey_apitoken_changelist"), {"action": "revoke", "_selected_action": [stored.pk]}
    )

    assert response.status_code == 302
    assert _client(token["token"]).get(reverse("api:counter-list")).status_code == 401
    assert AuditEntry.objects.get(action="api_token.revoke").actor == world.admin


def _enrol(user):
    device = accounts.start_two_factor_enrolment(user=user)
    device.confirmed = True
    device.save()
    return device


def test_an_account_with_two_factors_needs_its_code_for_a_token(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    device = _enrol(world.officer_a)

    missing = _obtain()
    assert missing.status_code == 400
    assert "xác thực hai bước" in missing.json()["detail"]
    wrong = _obtain(otp_token="000000" if totp(device.bin_key) != 0 else "111111")
    assert wrong.status_code == 400
    assert not ApiToken.objects.exists()

    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code, doubling each time
    response = _obtain(otp_token=f"{totp(device.bin_key):06d}")
    assert response.status_code == 200


def test_wrong_codes_count_towards_the_lock(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    device = _enrol(world.officer_a)
    code = totp(device.bin_key)
    wrong = f"{(code + 1) % 1000000:06d}"

    _obtain(otp_token=wrong)
    assert _obtain(otp_token=wrong).status_code == 429
    assert _obtain(otp_token=f"{code:06d}").status_code == 429


def test_with_2fa_required_provincial_staff_must_enrol_before_obtaining_a_token(world, settings):
    settings.REQUIRE_2FA = True

    refused = _obtain(username="province")
    assert refused.status_code == 400
    assert "phải bật xác thực hai bước" in refused.json()["detail"]
    # Unit staff are not concerned by the requirement.
    assert _obtain(username="officer-a").status_code == 200
    device = _enrol(world.province)
    assert _obtain(username="province", otp_token=f"{totp(device.bin_key):06d}").status_code == 200
