"""The PAKN submission throttle: per client address, in the shared cache, and never below the limit."""

import pytest
from django.urls import reverse

from feedback.models import Case

pytestmark = pytest.mark.django_db

URL = reverse("feedback:case-create")


def _submit(client, world, *, ip="198.51.100.7", text="Trả kết quả trễ hẹn ba ngày so với giấy hẹn."):
    # Each submission comes from a fresh device (no cookie) behind the address: these tests are about the address
    # throttle, not about the same device sending the same complaint again.
    client.cookies.clear()
    payload = {"unit": world.unit_a.pk, "category": "late_result", "text": text}
    return client.post(URL, payload, REMOTE_ADDR=ip)


@pytest.fixture
def limit(settings):
    settings.PAKN_SUBMIT_LIMIT = 3
    settings.PAKN_SUBMIT_WINDOW_SECONDS = 600
    return settings


def test_every_submission_below_the_limit_is_filed_and_the_next_answers_429(client, world, limit):
    assert [_submit(client, world).status_code for _ in range(3)] == [302, 302, 302]
    assert Case.objects.count() == 3

    refused = _submit(client, world)

    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert "10 phút" in refused.content.decode()
    assert refused["Retry-After"] == "600"
    assert Case.objects.count() == 3


def test_forms_returned_with_errors_count_too(client, world, limit):
    # A flood of refused forms (each with attachments to check) is throttled like a flood of filed cases.
    assert [_submit(client, world, text="ngắn").status_code for _ in range(3)] == [400, 400, 400]
    assert _submit(client, world, text="ngắn").status_code == 429
    assert _submit(client, world).status_code == 429
    assert Case.objects.count() == 0


def test_other_addresses_and_the_form_page_are_not_affected(client, world, limit):
    for _ in range(3):
        _submit(client, world, ip="198.51.100.7")
    assert _submit(client, world, ip="198.51.100.7").status_code == 429
    assert client.get(URL, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert _submit(client, world, ip="198.51.100.8").status_code == 302
    assert Case.objects.count() == 4


def test_behind_a_proxy_the_client_address_counts_not_the_proxy(client, world, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        client.cookies.clear()  # Three citizens, three devices.
        response = client.post(
            URL,
            {"unit": world.unit_a.pk, "category": "other", "text": "Ghế chờ bị hỏng, thiếu nước uống."},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        assert response.status_code == 302
    assert Case.objects.count() == 3


def test_the_limit_is_shared_through_the_cache(client, world, limit):
    # A second web server shares the cache: a fresh client (another process's session) is refused too.
    from django.test import Client

    for _ in range(3):
        _submit(client, world)
    assert _submit(Client(), world).status_code == 429


def test_submissions_are_accepted_when_the_cache_is_down(client, world, limit):
    from django.test import override_settings

    # Nothing listens on port 1: every cache call fails at once, and the throttle steps aside.
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=down, SESSION_ENGINE="django.contrib.sessions.backends.db"):
        statuses = [_submit(client, world).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 302]
    assert Case.objects.count() == 4
