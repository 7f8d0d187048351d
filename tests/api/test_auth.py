"""Obtaining a token, and using it."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_with_good_credentials_then_used_on_a_staff_list(world):
    response = APIClient().post(reverse("api:auth-token"), {"username": "officer-a", "password": "pass-word-123"})

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == world.officer_a
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    rows = client.get(reverse("api:counter-list")).json()["results"]
    assert [row["id"] for row in rows] == [world.counter_a.pk]


def test_the_same_token_is_returned_each_time(world):
    client = APIClient()
    credentials = {"username": "province", "password": "pass-word-123"}

    first = client.post(reverse("api:auth-token"), credentials).json()["token"]
    second = client.post(reverse("api:auth-token"), credentials).json()["token"]

    assert first == second


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
    assert not Token.objects.exists()


def test_inactive_account_gets_no_token(world):
    world.officer_a.is_active = False
    world.officer_a.save()

    response = APIClient().post(reverse("api:auth-token"), {"username": "officer-a", "password": "pass-word-123"})

    assert response.status_code == 400


def test_missing_fields_are_named(world):
    response = APIClient().post(reverse("api:auth-token"), {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    assert response.json()["errors"]["username"] == ["Trường này là bắt buộc."]


def test_token_endpoint_is_throttled_per_address(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth-token": "3/minute"}}
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
