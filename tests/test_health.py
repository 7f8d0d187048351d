"""`/healthz` reports the database, the cache and the broker, and answers 503 when one is down."""

import os

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_healthy_needs_no_login_and_reports_each_dependency(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] == ("ok" if os.environ.get("REDIS_URL") else "eager")
    assert "no-cache" in response["Cache-Control"]


def test_an_unreachable_broker_gives_503(client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "ok", "broker": "error"}


def test_an_unreachable_cache_gives_503(client):
    dead_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    # A context manager rather than the `settings` fixture: the shared cache must be back before teardown.
    with override_settings(CACHES={"default": dead_cache}):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["cache"] == "error"
    assert body["database"] == "ok"


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
