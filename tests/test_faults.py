"""Fault test: ratings submitted concurrently over HTTP to the production stack survive PostgreSQL and Redis faults.

The test starts `bin/serve` (gunicorn, a Celery worker and beat) on a free port, against a PostgreSQL database it
creates and migrates for itself and a Redis database of its own (`HL_FAULT_REDIS_DB`, default 15). Several client
threads post ratings to `/r/<code>` as a phone does (the form's CSRF token, a fresh idempotency key per rating) and
retry with the same key until the server acknowledges it (a 302 to the rating's next step). Meanwhile:

- every PostgreSQL connection of that database is killed (`pg_terminate_backend`), twice;
- Redis is stopped (`redis-cli shutdown nosave`) for a few seconds (at least `MIN_REDIS_OUTAGE_SECONDS`), then
  started again with the CI command line;
- with `HL_FAULT_RESTART_POSTGRES=1`, PostgreSQL itself is restarted as well (off by default: it interrupts every
  other database client of the server).

Then: the stored ratings are exactly the acknowledged keys (none lost, none doubled), ratings were acknowledged
while Redis was down, no response was a 500, and a Celery task sent after Redis came back runs.

EFFECT ON OTHER USERS OF THE SERVERS: stopping Redis empties every Redis database on 127.0.0.1:6379 (it runs
without persistence) and drops their connections for a few seconds; test runs sharing the server may see cache
misses or a failed Redis call meanwhile. Every service is brought back in a `finally`, even when the test fails.
"""

import http.client
import inspect
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
CLIENTS = 6
RATINGS_PER_CLIENT = 40
# Redis stays down at least this long, however fast the clients go, so that enough ratings are assessed and stored
# wholly inside the outage (a 0.7 s outage once left too few to judge by).
MIN_REDIS_OUTAGE_SECONDS = 2.5
KEY_DEADLINE_SECONDS = 120

pytestmark = [pytest.mark.services]


def _services_or_skip() -> tuple[dict, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        pytest.skip("needs the real PostgreSQL and Redis (DATABASE_URL=postgres://..., REDIS_URL)")
    parsed = urlparse(database_url)
    pg = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password or "",
    }
    redis = urlparse(redis_url)
    fault_db = int(os.environ.get("HL_FAULT_REDIS_DB", 15))
    return pg, f"redis://{redis.hostname or '127.0.0.1'}:{redis.port or 6379}/{fault_db}"


def _pg(pg: dict, dbname: str):
    import psycopg

    return psycopg.connect(dbname=dbname, autocommit=True, connect_timeout=3, **pg)


def _pg_answers(pg: dict) -> bool:
    try:
        with _pg(pg, "postgres") as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def _redis_answers() -> bool:
    result = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True)
    return result.stdout.strip() == "PONG"


def _wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _integrity_wired() -> bool:
    """Whether the rating path runs the integrity layers (survey/integrity.py `assess_submission`)."""
    from survey import services, views

    return any("assess_submission" in inspect.getsource(module) for module in (services, views))


@dataclass
class Http:
    """A tiny HTTP client for one port, as a phone behind the TLS proxy sees the site (X-Forwarded-Proto)."""

    port: int
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, method: str, path: str, body: dict | None = None, cookie: str = "") -> tuple[int, dict, str]:
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        if cookie:
            headers["Cookie"] = cookie
        data = None
        if body is not None:
            data = urlencode(body)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + path,
                }
            )
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            result = response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()
        with self.lock:
            self.statuses[result[0]] += 1
        return result

    def form(self, path: str) -> tuple[str, str]:
        """GET a form page: the CSRF cookie and the form's token."""
        status, headers, text = self.request("GET", path)
        if status != 200:
            raise ConnectionError(f"GET {path}: {status}")
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if not (cookie and token):
            raise ConnectionError("no CSRF token")
        return f"csrftoken={cookie.group(1)}", token.group(1)


@dataclass
class Tally:
    acked: dict = field(default_factory=dict)  # key -> time of the acknowledgement
    retries: Counter = field(default_factory=Counter)
    given_up: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # unexpected 4xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(web: Http, code: str, tally: Tally, stop: threading.Event) -> None:
    """Submit RATINGS_PER_CLIENT ratings, each retried with its key until the server acknowledges it."""
    path = f"/r/{code}"
    csrf = None
    for n in range(RATINGS_PER_CLIENT):
        key = str(uuid.uuid4())
        deadline = time.monotonic() + KEY_DEADLINE_SECONDS
        attempts = 0
        while not stop.is_set():
            attempts += 1
            try:
                if csrf is None:
                    csrf = web.form(path)
                cookie, token = csrf
                status, headers, _text = web.request(
                    "POST", path, {"csrfmiddlewaretoken": token, "key": key, "score": str(n % 5 + 1)}, cookie
                )
            except (OSError, http.client.HTTPException):
                status, headers = None, {}
            if status == 302 and f"/r/s/{key}/" in headers.get("location", ""):
                with tally.lock:
                    tally.acked[key] = time.time()
                    tally.retries[key] = attempts - 1
                break
            if status == 403:
                csrf = None  # a fresh token, then the same key again
            elif status is not None and 400 <= status < 500 and status != 429:
                with tally.lock:
                    tally.refused.append((key, status))
                break
            if time.monotonic() > deadline:
                with tally.lock:
                    tally.given_up.append(key)
                break
            time.sleep(0.2)
        time.sleep(0.05)


def _kill_connections(pg: dict, dbname: str) -> int:
    with _pg(pg, "postgres") as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        ).fetchall()
    return len(rows)


def _restore_services(pg: dict) -> None:
    """Bring Redis and PostgreSQL back whatever happened, and wait until both answer."""
    if not _redis_answers():
        subprocess.run(REDIS_START, check=False)
    if not _pg_answers(pg):
        cluster = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"], check=False)
    assert _wait_until(_redis_answers, 30), "Redis did not come back"
    assert _wait_until(lambda: _pg_answers(pg), 60), "PostgreSQL did not come back"


def _manage(env: dict, *args: str, log) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    log.write(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


SEED = """
from survey.models import IntegritySettings
from tests import factories
group = factories.make_group(code="fault", name="Fault test")
unit = factories.make_unit(group=group, code="fault-unit", name="Fault test unit")
counter = factories.make_counter(unit=unit, name="Fault counter")
# Every client of this test shares one address: lift the per-address and per-counter limits out of the way.
IntegritySettings.objects.update_or_create(pk=1, defaults=dict(
    ip_flag_limit=100000, ip_hard_limit=100000, counter_hard_limit=100000, burst_minimum=100000))
print(counter.code, counter.pk)
"""


def test_ratings_survive_database_and_redis_faults(tmp_path):
    pg, redis_url = _services_or_skip()
    dbname = f"hl_faulttest_{os.getpid()}_{secrets.token_hex(3)}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_PROXY="1",
        DATABASE_URL=f"postgres://{pg['user']}@{pg['host']}:{pg['port']}/{dbname}",
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="4",
        CELERY_CONCURRENCY="1",
        SERVE_MIGRATE="0",
        PYTHON=sys.executable,
    )
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    web = Http(port)
    tally = Tally()
    stop = threading.Event()
    figures: dict = {}
    serve = None
    with _pg(pg, "postgres") as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        # given: a migrated database with one counter, and the production stack serving it
        _manage(env, "migrate", "--no-input", "-v", "0", log=log)
        code, counter_id = _manage(env, "shell", "-c", SEED, log=log).strip().splitlines()[-1].split()
        serve = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=log)

        def healthy() -> bool:
            try:
                return web.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        assert _wait_until(healthy, 90, 0.5), log_path.read_text()

        # when: clients rate concurrently while the database connections are killed and Redis is stopped
        clients = [threading.Thread(target=_client, args=(web, code, tally, stop)) for _n in range(CLIENTS)]
        for thread in clients:
            thread.start()
        try:
            total = CLIENTS * RATINGS_PER_CLIENT

            def acked(share: float) -> bool:
                return len(tally.acked) >= share * total

            _wait_until(lambda: acked(0.1), 30)
            figures["killed_connections"] = _kill_connections(pg, dbname)
            time.sleep(0.3)
            figures["killed_connections"] += _kill_connections(pg, dbname)
            _wait_until(lambda: acked(0.2), 30)
            redis_down_at = time.time()
            subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], check=False)
            assert _wait_until(lambda: not _redis_answers(), 10)
            # A PAKN case filed while Redis is down: stored, and the citizen gets their tracking page.
            try:
                cookie, token = web.form("/pakn/gui/?counter=" + code)
                pakn_status, pakn_headers, _ = web.request(
                    "POST",
                    "/pakn/gui/?counter=" + code,
                    {"csrfmiddlewaretoken": token, "category": "late_result", "text": "Trả kết quả trễ hẹn ba ngày."},
                    cookie,
                )
            except OSError as error:  # e.g. a worker stuck sending the notification to the missing broker
                pakn_status, pakn_headers = repr(error), {}
            figures["pakn_status_while_redis_down"] = pakn_status
            _wait_until(lambda: acked(0.35), 8)
            figures["killed_connections"] += _kill_connections(pg, dbname)
            _wait_until(lambda: acked(0.5), 8)
            time.sleep(max(0.0, redis_down_at + MIN_REDIS_OUTAGE_SECONDS - time.time()))
            redis_up_at = time.time()
            subprocess.run(REDIS_START, check=True)
            assert _wait_until(_redis_answers, 30)
            figures["redis_outage_seconds"] = round(time.time() - redis_down_at, 1)
            if os.environ.get("HL_FAULT_RESTART_POSTGRES") == "1":
                _wait_until(lambda: acked(0.6), 30)
                cluster = sorted(os.listdir("/etc/postgresql"))[-1]
                restart = ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"]
                subprocess.run(restart, check=True)
                assert _wait_until(lambda: _pg_answers(pg), 60)
                figures["postgres_restarted"] = True
            _wait_until(lambda: acked(0.75), 30)
            figures["killed_connections"] += _kill_connections(pg, dbname)
        finally:
            _restore_services(pg)
        for thread in clients:
            thread.join(timeout=KEY_DEADLINE_SECONDS * 2)
        assert not any(thread.is_alive() for thread in clients)

        # then: every acknowledged key is stored exactly once, and nothing else is
        with _pg(pg, dbname) as conn:
            rows = conn.execute("SELECT idempotency_key::text, flags, created_at FROM survey_rating").fetchall()
            cases = conn.execute("SELECT count(*) FROM feedback_case").fetchone()[0]
        stored = Counter(key for key, _flags, _at in rows)
        figures.update(
            acknowledged=len(tally.acked),
            stored_rows=len(rows),
            distinct_stored_keys=len(stored),
            retries=sum(tally.retries.values()),
            keys_retried=sum(1 for n in tally.retries.values() if n),
            max_retries_of_one_key=max(tally.retries.values(), default=0),
            acked_while_redis_down=sum(1 for at in tally.acked.values() if redis_down_at < at < redis_up_at),
            statuses=dict(sorted(web.statuses.items())),
            given_up=len(tally.given_up),
            refused=tally.refused[:5],
        )
        down = [
            flags
            for _key, flags, created_at in rows
            if redis_down_at + 0.5 <= created_at.timestamp() <= redis_up_at - 0.1
        ]
        figures["stored_while_redis_down"] = len(down)
        (tmp_path / "figures.json").write_text(json.dumps(figures, indent=2))
        print("fault test figures:", json.dumps(figures))
        assert tally.refused == [] and tally.given_up == [], figures
        assert len(tally.acked) == CLIENTS * RATINGS_PER_CLIENT, figures
        assert set(stored) == set(tally.acked), figures
        assert len(rows) == len(tally.acked), figures
        assert max(stored.values()) == 1
        assert web.statuses[500] == 0, (figures, log_path.read_text()[-5000:])
        # Ratings were accepted while Redis was down; the integrity layers, when the rating path runs them,
        # record that they could not assess those votes.
        assert len(down) >= CLIENTS, figures
        if _integrity_wired():
            assert all("integrity_degraded" in flags for flags in down), down
        assert pakn_status == 302 and "/pakn/tra-cuu/" in pakn_headers.get("location", ""), figures
        assert cases == 1

        # and: the stack has recovered: healthy again, and a Celery task sent now is run by the worker
        assert _wait_until(lambda: web.request("GET", "/healthz")[2].count('"ok"') == 4, 30), log_path.read_text()
        from celery import Celery

        producer = Celery("fault-test", broker=redis_url)
        producer.send_task("survey.tasks.refresh_counter_baselines_task")

        def baseline_refreshed() -> bool:
            with _pg(pg, dbname) as conn:
                return bool(
                    conn.execute("SELECT 1 FROM survey_counterbaseline WHERE counter_id = %s", [counter_id]).fetchone()
                )

        assert _wait_until(baseline_refreshed, 60, 0.5), log_path.read_text()[-5000:]
        assert serve.poll() is None, log_path.read_text()[-5000:]
    finally:
        stop.set()
        _restore_services(pg)
        if serve is not None and serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
        log.close()
        with _pg(pg, "postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
