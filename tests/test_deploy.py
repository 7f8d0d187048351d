"""The production environment passes Django's deployment checks, with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="hailong.example.gov.vn",
        PUBLIC_BASE_URL="https://hailong.example.gov.vn",
        DATABASE_URL=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/hailong",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
    )
    env.update(extra)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_environment():
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off():
    # The test above must be able to fail: turning off the HTTPS protections is reported.
    result = _check_deploy(_production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout


def test_a_short_secret_key_is_reported():
    result = _check_deploy(_production_env(DJANGO_SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_a_default_public_base_url_is_an_error():
    result = _check_deploy(_production_env(PUBLIC_BASE_URL="http://127.0.0.1:8000"))
    assert result.returncode != 0
    assert "hailong.E001" in result.stderr + result.stdout
    # An error, not only a warning: the default fail level stops too.
    default = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_production_env(PUBLIC_BASE_URL="http://localhost:8000"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert default.returncode != 0 and "hailong.E001" in default.stderr + default.stdout


def test_proxy_mode_without_trusted_proxies_is_a_warning():
    output = _check_deploy(_production_env(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXY_COUNT="0"))
    assert output.returncode != 0
    assert "hailong.W002" in output.stderr + output.stdout
    fine = _check_deploy(_production_env(DJANGO_BEHIND_PROXY="1", DJANGO_TRUSTED_PROXY_COUNT="1"))
    assert fine.returncode == 0, fine.stdout + fine.stderr


def test_bin_serve_listens_on_loopback_by_default():
    script = (ROOT / "bin" / "serve").read_text()
    assert 'BIND="${BIND:-127.0.0.1:8000}"' in script


def test_load_demo_refuses_in_production_mode():
    # It would create accounts with the published demo password; the refusal comes before any database access.
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env=_production_env(PUBLIC_BASE_URL="https://hailong.example.gov.vn"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refuses to run in production mode" in result.stderr
