"""Run a real Celery worker with its embedded beat against the test database, for the periodic-task tests."""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_worker_until(condition, *, timeout: float = 90, refresh_seconds: int = 2):
    """Start `celery -A config worker -B` on the test database, wait until `condition()` is true, stop it.

    Beat fires `refresh_indices_task` every `refresh_seconds`; the worker picks it up from Redis (not eager mode).
    """
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is empty: no real Celery worker")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the PostgreSQL test database")
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["REDIS_URL"] = redis_url
    env["INDICES_REFRESH_SECONDS"] = str(refresh_seconds)
    env["INDICES_ROLLUP_OVERLAP_SECONDS"] = "300"
    celery = Path(sys.executable).with_name("celery")
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "config",
                "worker",
                "-B",
                "-s",
                str(Path(tmp) / "beat"),
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    output = process.stdout.read().decode(errors="replace")
                    pytest.fail(f"the Celery worker stopped:\n{output[-3000:]}")
                if condition():
                    return
                time.sleep(0.5)
            pytest.fail("the periodic task did not produce the expected snapshots in time")
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
