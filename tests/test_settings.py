"""Settings fall back to the embedded default and switch to PostgreSQL/Redis when the environment says so."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
}))
"""


def _probe(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_no_environment_gives_sqlite_locmem_and_eager_celery():
    result = _probe()
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert conf == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "broker": "memory://",
        "debug": True,
    }


def test_database_and_redis_urls_give_postgresql_redis_and_a_real_broker():
    result = _probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/hailong", REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert conf["engine"] == "django.db.backends.postgresql"
    # Django's Redis backend, with its client objects reused (config/cache.py).
    assert conf["cache"] == "config.cache.RedisCache"
    assert conf["eager"] is False
    assert conf["broker"] == "redis://127.0.0.1:6379/3"


def test_secret_key_is_required_when_debug_is_off():
    result = _probe(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr

    result = _probe(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


REPLICA_PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    alias: [db.get("HOST", ""), db.get("CONN_MAX_AGE"), bool(db.get("DISABLE_SERVER_SIDE_CURSORS"))]
    for alias, db in settings.DATABASES.items()
}))
"""


def test_a_replica_alias_exists_only_when_its_url_is_set():
    def aliases(**env: str) -> dict:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
        clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
        result = subprocess.run(
            [sys.executable, "-c", REPLICA_PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    primary, replica = "postgres://postgres@db1:5432/hailong", "postgres://postgres@db2:5432/hailong"
    assert aliases() == {"default": ["", 0, False]}
    assert aliases(DATABASE_URL=primary) == {"default": ["db1", 60, False]}
    assert aliases(DATABASE_URL=primary, DATABASE_REPLICA_URL=replica) == {
        "default": ["db1", 60, False],
        "replica": ["db2", 60, False],
    }
    # Behind PgBouncer in transaction mode: no server-side cursors, no persistent connections, on both.
    assert aliases(DATABASE_URL=primary, DATABASE_REPLICA_URL=replica, DATABASE_PGBOUNCER="1") == {
        "default": ["db1", 0, True],
        "replica": ["db2", 0, True],
    }
