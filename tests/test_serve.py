"""`bin/serve` starts the production stack (gunicorn, a Celery worker and beat), starts the Celery worker again
when it exits, and stops all of it on SIGTERM."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    """One request, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _celery_worker(serve_pid: int) -> int | None:
    """The pid of the Celery worker's main process (a child of its supervisor, itself a child of bin/serve)."""
    for supervisor in _children(serve_pid):
        for pid in _children(supervisor):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if _alive(pid) else []
            if b"worker" in cmdline and any(part.endswith(b"celery") for part in cmdline):
                return pid
    return None


def _wait_for(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.3)
    return predicate()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_runs_the_production_stack_and_stops_cleanly(tmp_path):
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs the real PostgreSQL and Redis (DATABASE_URL and REDIS_URL)")
    # given: the production environment, on this test run's own database
    db = connection.settings_dict
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_PROXY="1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        PYTHON=sys.executable,
    )
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        # when: it has started
        deadline = time.monotonic() + 60
        status, body = None, b""
        while time.monotonic() < deadline and serve.poll() is None:
            try:
                status, _headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert status == 200, (tmp_path / "serve.log").read_text()
        # then: the health check sees every dependency, pages redirect to https, whitenoise serves hashed files
        assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
        status, headers, _body = _get(f"http://127.0.0.1:{port}/")
        assert status == 301
        assert headers["Location"].startswith("https://")
        # Behind the TLS proxy (X-Forwarded-Proto: https) the home page and hashed static files are served.
        status, headers, _body = _get(f"http://127.0.0.1:{port}/", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        status, headers, _css = _get(f"http://127.0.0.1:{port}/static/{hashed}", **{"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        children = _children(serve.pid)
        assert len(children) == 3, (tmp_path / "serve.log").read_text()

        # when: the Celery worker, once ready, dies (as it can while the broker is away)
        log_text = (tmp_path / "serve.log").read_text
        assert _wait_for(lambda: " ready." in log_text(), 60), log_text()
        worker = _celery_worker(serve.pid)
        assert worker, log_text()
        os.kill(worker, signal.SIGTERM)
        # then: a new worker is started and reaches the broker, while the web server keeps serving
        replacement = _wait_for(lambda: (pid := _celery_worker(serve.pid)) != worker and pid, 30)
        assert replacement and serve.poll() is None, log_text()
        assert _wait_for(lambda: log_text().count(" ready.") >= 2, 60), log_text()
        assert "starting it again" in log_text()
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        children = _descendants(serve.pid)
    finally:
        started = _descendants(serve.pid)
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in [*started, serve.pid]:
                os.kill(pid, signal.SIGKILL)
            raise
    # and: every process it started has stopped
    time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)]
