"""config/cache.py: Django's Redis cache backend, reusing one client object per connection pool."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from config.cache import RedisCache


def _backend() -> RedisCache:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs the real Redis (REDIS_URL)")
    return RedisCache(url, {"KEY_PREFIX": "cache-backend-test"})


def test_the_backend_reuses_its_client_and_behaves_as_djangos():
    backend = _backend()
    assert isinstance(backend, DjangoRedisCache)
    assert backend._cache.get_client(write=True) is backend._cache.get_client(write=True)
    backend.set("answer", {"value": 42}, 30)
    backend.add("counter", 0, 30)
    assert backend.incr("counter") == 1
    assert backend.get("answer") == {"value": 42}
    assert backend.get_many(["answer", "counter", "missing"]) == {"answer": {"value": 42}, "counter": 1}
    backend.delete_many(["answer", "counter"])
    assert backend.get("answer") is None
