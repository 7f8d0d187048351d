"""Staff login: one lockout for the login page, the admin and the API token. Failures lock the (username, address)
pair; spreading guesses over usernames or addresses only slows them down; the owner is told; success resets."""

import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GOOD = "pass-word-123"


def _attempt(client, username, password, ip="10.0.0.1", url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def _token(username, password, ip="10.0.0.1", **extra):
    return APIClient().post(
        reverse("api:auth-token"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_pair_even_with_the_right_password(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        response = _attempt(client, "officer-a", "wrong-password")
        assert response.status_code == 200
        assert "bị khóa" not in response.content.decode()
    response = _attempt(client, "officer-a", "wrong-password")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "Đăng nhập tạm thời bị khóa vì nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in (
        response.content.decode()
    )

    response = _attempt(client, "officer-a", GOOD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The form keeps its fields (the template's ids) so the user can try again later.
    assert 'id="id_username"' in response.content.decode()


def test_a_locked_pair_does_not_lock_the_user_from_another_address(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _attempt(client, "officer-a", "wrong-password", ip="203.0.113.66")
    assert _attempt(client, "officer-a", GOOD, ip="203.0.113.66").status_code == 429
    # The officer at their office's address is not locked out by the attacker elsewhere.
    response = _attempt(client, "officer-a", GOOD, ip="10.1.2.3")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer_a.pk)


def test_the_lock_is_per_username(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _attempt(client, "officer-a", "wrong-password")
    response = _attempt(client, "officer-b", GOOD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer_b.pk)


def test_an_unknown_username_locks_the_same_way_whatever_its_case(client, db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    _attempt(client, "nobody", "x-wrong-1")
    assert _attempt(client, "nobody", "x-wrong-2").status_code == 429
    assert _attempt(client, "Nobody ", "x-wrong-3").status_code == 429


def test_many_usernames_from_one_address_slow_that_address_down_without_locking_it(client, world, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 4
    settings.LOGIN_SLOWDOWN_SECONDS = 1
    for n in range(4):
        _attempt(client, f"guess-{n}", "wrong-password", ip="203.0.113.9")
    # Past the limit the address gets one attempt per slow-down period: a colleague behind the same NAT gets in...
    assert _attempt(client, "officer-a", GOOD, ip="203.0.113.9").status_code == 302
    client.post(reverse("logout"))
    # ...but attempts in quick succession wait, with a short Retry-After instead of a 15-minute lock.
    response = _attempt(client, "guess-9", "wrong-password", ip="203.0.113.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 1
    assert "vui lòng chờ" in response.content.decode()
    # Other addresses are not slowed down.
    assert _attempt(client, "officer-b", GOOD, ip="198.51.100.7").status_code == 302
    time.sleep(1.1)
    client.post(reverse("logout"))
    assert _attempt(client, "officer-a", GOOD, ip="203.0.113.9").status_code == 302


def test_guessing_one_username_from_many_addresses_slows_it_down_and_tells_its_owner(
    client, world, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.LOGIN_USER_FAILURE_LIMIT = 6
    settings.LOGIN_SLOWDOWN_SECONDS = 60
    world.officer_a.email = "officer-a@so.vn"
    world.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            _attempt(client, "officer-a", "wrong-password", ip=f"198.51.100.{n + 1}")
    assert [message.to for message in mail.outbox] == [["officer-a@so.vn"]]
    assert "officer-a" in mail.outbox[0].body and "198.51.100.6" in mail.outbox[0].body
    # One attempt per slow-down period for that username, from anywhere.
    assert _attempt(client, "officer-a", "wrong-password", ip="192.0.2.50").status_code == 200
    assert _attempt(client, "officer-a", GOOD, ip="192.0.2.51").status_code == 429


def test_the_owner_is_emailed_once_when_a_pair_is_locked(
    client, world, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 2
    world.officer_a.email = "officer-a@so.vn"
    world.officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            _attempt(client, "officer-a", "wrong-password", ip="203.0.113.7")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Hài lòng] Nhiều lần đăng nhập sai vào tài khoản của ông/bà"


def test_a_successful_login_resets_the_pair_count(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        _attempt(client, "officer-a", "wrong-password")
    assert _attempt(client, "officer-a", GOOD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        assert _attempt(client, "officer-a", "wrong-password").status_code == 200
    assert _attempt(client, "officer-a", GOOD).status_code == 302


def test_the_lock_expires(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_LOCKOUT_SECONDS = 1
    response = _attempt(client, "officer-a", "wrong-password")
    assert response.status_code == 429
    time.sleep(1.2)
    assert _attempt(client, "officer-a", GOOD).status_code == 302


def test_the_admin_login_is_locked_too(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    url = reverse("admin:login")
    _attempt(client, "admin", "wrong-password", url=url)
    _attempt(client, "admin", "wrong-password", url=url)
    response = _attempt(client, "admin", GOOD, url=url)
    assert response.status_code == 429
    assert "Đăng nhập tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_admits_staff_only_and_lands_on_the_admin(client, world):
    url = reverse("admin:login")
    assert _attempt(client, "officer-a", GOOD, url=url).status_code == 200
    response = _attempt(client, "admin", GOOD, url=url)
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_token_guessing_counts_towards_the_web_lock(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _token("officer-a", "guess", ip="203.0.113.20")
    assert _attempt(client, "officer-a", GOOD, ip="203.0.113.20").status_code == 429


def test_a_pair_locked_on_the_web_gets_no_token(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _attempt(client, "officer-a", "wrong-password", ip="203.0.113.21")
    response = _token("officer-a", GOOD, ip="203.0.113.21")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Đăng nhập tạm thời bị khóa")
    assert "token" not in response.json()
    # From another address the account still gets its token.
    assert _token("officer-a", GOOD, ip="10.9.9.9").status_code == 200


def test_an_administrator_sees_and_lifts_a_lock_and_it_is_audited(client, world, settings):
    from survey.models import AuditEntry

    settings.LOGIN_FAILURE_LIMIT = 2
    anonymous = client.__class__()
    for _ in range(2):
        _attempt(anonymous, "officer-a", "wrong-password", ip="203.0.113.30")
    assert _attempt(anonymous, "officer-a", GOOD, ip="203.0.113.30").status_code == 429
    client.force_login(world.admin)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "officer-a" in changelist.content.decode()
    attempt = AccessAttempt.objects.get(username="officer-a")
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "lift", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    assert _attempt(anonymous, "officer-a", GOOD, ip="203.0.113.30").status_code == 302
    entry = AuditEntry.objects.get(action="login.lock_lift")
    assert entry.actor == world.admin and entry.target_id == str(world.officer_a.pk)


@pytest.mark.parametrize("who", ["province", "officer_a", "lead_a"])
def test_only_administrators_see_the_locks(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code in (302, 403)


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(2):
        client.post(
            LOGIN,
            {"username": "officer-a", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    # Another client behind the same proxy is not locked out.
    response = client.post(
        LOGIN, {"username": "officer-a", "password": GOOD}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert response.status_code == 302


def test_the_session_ends_when_the_browser_closes_and_after_its_age(client, world, settings):
    response = _attempt(client, "officer-a", GOOD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_weak_passwords_are_refused_when_an_administrator_creates_an_account(client, world):
    client.force_login(world.admin)
    for weak in ["12345678901", "password123", "officer-new1"]:
        response = client.post(
            reverse("admin:survey_user_add"),
            {
                "username": "officer-new",
                "usable_password": "true",
                "password1": weak,
                "password2": weak,
                "role": "officer",
                "unit": world.unit_a.pk,
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert not world.admin.__class__.objects.filter(username="officer-new").exists()


@pytest.mark.parametrize(
    ("who", "start"),
    [
        ("officer_a", "/pakn/hop-thu/"),
        ("lead_a", "/pakn/hop-thu/"),
        ("province", "reports:report-show"),
        ("admin", "admin:index"),
    ],
)
def test_each_role_lands_on_its_start_page_after_login(client, world, who, start):
    user = getattr(world, who)
    response = client.post(reverse("login"), {"username": user.username, "password": GOOD})
    assert response.status_code == 302
    assert response["Location"] == (start if start.startswith("/") else reverse(start))
    # an explicit next page still wins
    client.logout()
    response = client.post(reverse("login") + "?next=/chi-so/", {"username": user.username, "password": GOOD})
    assert response["Location"] == "/chi-so/"
