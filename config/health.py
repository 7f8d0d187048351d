"""`/healthz`: is this web server able to reach the database, the cache and the Celery broker?

Cheap enough for a load balancer to call every few seconds: one `SELECT 1`, one cache round trip and one Redis
PING, each with a short timeout. No login; the answer names no host, error or version.
"""

import logging
import secrets

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .outages import cache_recovered

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 1.0


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    # A key of its own per probe: concurrent probes (several load balancers, several workers) never read each
    # other's value.
    token = secrets.token_hex(8)
    key = f"healthz:probe:{token}"
    cache.set(key, token, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != token:
        return "error"
    cache_recovered()
    return "ok"


def _broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    return "unknown"


def _run(name: str, probe) -> str:
    try:
        return probe()
    except Exception:
        # A failing dependency is the answer, not an error of this view; the log keeps the detail.
        logger.warning("healthz: %s check failed", name, exc_info=True)
        return "error"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        name: _run(name, probe) for name, probe in (("database", _database), ("cache", _cache), ("broker", _broker))
    }
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
