"""With the cache (Redis) unreachable the citizen pages, the API and staff sessions keep working; with the
database unreachable pages answer 503 with Retry-After, not 500. The full-stack version is tests/test_faults.py."""

import uuid

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import path, reverse

from config.urls import urlpatterns as _project
from feedback.models import Case
from survey.models import Rating
from tests import factories

# Nothing listens on port 1: every cache call fails at once with "connection refused", as when Redis is down.
DOWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def _database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("test-db-down/", _database_gone),
    path("api/v1/test-db-down/", _database_gone),
    *_project,
]


@pytest.fixture
def redis_down(settings):
    working = settings.CACHES
    settings.CACHES = DOWN_CACHE
    yield
    # Back before the shared fixture empties the cache after the test.
    settings.CACHES = working


def test_rating_is_recorded_while_the_cache_is_down(client, world, redis_down):
    factories.ensure_seed_data()
    key = uuid.uuid4()
    url = reverse("survey:rate", args=[world.counter_a.code])

    response = client.post(url, {"score": "4", "key": str(key)})

    assert response.status_code == 302
    assert Rating.objects.get(idempotency_key=key).score == 4
    # and the retry of the same key stores nothing more
    assert client.post(url, {"score": "4", "key": str(key)}).status_code == 302
    assert Rating.objects.count() == 1


def test_pakn_submission_and_tracking_work_while_the_cache_is_down(client, world, redis_down, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(
        reverse("feedback:case-create"),
        {"unit": world.unit_a.pk, "category": "late_result", "text": "Trả kết quả trễ hẹn ba ngày."},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert client.get(reverse("feedback:case-track", args=[case.tracking_code])).status_code == 200
    assert client.get(reverse("feedback:case-track", args=["khong-co-ma-nay"])).status_code == 404


def test_staff_log_in_and_work_while_the_cache_is_down(world, redis_down):
    client = Client()
    response = client.post(reverse("login"), {"username": "officer-a", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.get(reverse("survey:unit-counters", args=[world.unit_a.pk])).status_code == 200


def test_throttled_api_answers_while_the_cache_is_down(client, world, redis_down):
    assert client.get("/api/v1/units/").status_code == 200


@pytest.mark.urls("tests.test_degraded")
def test_database_outage_answers_503_with_retry_after(client):
    response = client.get("/test-db-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Hệ thống đang tạm gián đoạn" in response.content.decode()

    api = client.get("/api/v1/test-db-down/")
    assert api.status_code == 503
    assert api.json()["detail"].startswith("Hệ thống đang tạm gián đoạn")
