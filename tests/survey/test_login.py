"""Staff login: failures lock the username and the address for a while, with a clear message; success resets."""

import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GOOD = "pass-word-123"


def _attempt(client, username, password, ip="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_even_with_the_right_password(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        response = _attempt(client, "officer-a", "wrong-password")
        assert response.status_code == 200
        assert "bị khóa" not in response.content.decode()
    response = _attempt(client, "officer-a", "wrong-password")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Đăng nhập tạm thời bị khóa vì nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in (
        response.content.decode()
    )

    response = _attempt(client, "officer-a", GOOD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The form keeps its fields (the template's ids) so the user can try again later.
    assert 'id="id_username"' in response.content.decode()


def test_the_lock_is_per_username(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        _attempt(client, "officer-a", "wrong-password")
    response = _attempt(client, "officer-b", GOOD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer_b.pk)


def test_an_unknown_username_locks_the_same_way(client, db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    _attempt(client, "nobody", "x-wrong-1")
    assert _attempt(client, "nobody", "x-wrong-2").status_code == 429
    assert _attempt(client, "Nobody ", "x-wrong-3").status_code == 429


def test_many_usernames_from_one_address_lock_that_address_only(client, world, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 4
    for n in range(4):
        _attempt(client, f"guess-{n}", "wrong-password", ip="203.0.113.9")
    assert _attempt(client, "officer-a", GOOD, ip="203.0.113.9").status_code == 429
    assert _attempt(client, "officer-a", GOOD, ip="198.51.100.7").status_code == 302


def test_a_successful_login_resets_the_username_count(client, world, settings):
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
    assert "thử lại sau 1 phút" in response.content.decode()
    time.sleep(1.2)
    assert _attempt(client, "officer-a", GOOD).status_code == 302


def test_the_admin_login_is_throttled_too(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    url = reverse("admin:login")
    _attempt(client, "admin", "wrong-password", url=url)
    _attempt(client, "admin", "wrong-password", url=url)
    response = _attempt(client, "admin", GOOD, url=url)
    assert "Đăng nhập tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(client, world, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(2):
        client.post(
            LOGIN, {"username": f"g{n}", "password": "x"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
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
