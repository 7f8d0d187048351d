"""The read replica recipe for real: a PostgreSQL primary and its streaming replica, both started by this test.

The site runs with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica (config/db_router.py).
Every statement either server receives is in its log (`log_statement = all`), so the test sees where each
request's queries went. Replay on the replica is paused before the requests, so a read that went to the replica
by mistake would miss the rows written during the test.

Needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); runs only when the suite runs on PostgreSQL.
The machine's own PostgreSQL is never touched: the two servers live in a temporary directory on free ports.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.services]


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    data: Path
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/hailong"

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")


class Cluster:
    def __init__(self, base: Path, bin_dir: Path):
        self.base = base
        self.bin = bin_dir
        # initdb refuses to run as root: run the servers as the postgres OS user then.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.primary = Server(base / "primary", _free_port(), base / "primary.log")
        self.replica = Server(base / "replica", _free_port(), base / "replica.log")
        self.started: list[Server] = []

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, timeout=120, cwd=self.base, **kwargs
        )
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        return result

    def sql(self, server: Server, query: str, db: str = "postgres") -> str:
        psql = str(self.bin / "psql")
        args = [psql, "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", db, "-Atc", query]
        return self.run(*args).stdout.strip()

    def start(self, server: Server) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(server.data), "-l", str(server.log), "-w", "-t", "60", "start")
        self.started.append(server)

    def stop(self) -> None:
        for server in reversed(self.started):
            subprocess.run(
                [*self.prefix, str(self.bin / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )

    def setup(self) -> None:
        if self.prefix:
            shutil.chown(self.base, "postgres", "postgres")
        self.run(
            str(self.bin / "initdb"), "-D", str(self.primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": self.primary.port,
            "unix_socket_directories": f"'{self.base}'",
            "wal_level": "replica",
            "max_wal_senders": 4,
            "hot_standby": "on",
            "log_statement": "'all'",
            "fsync": "off",
            "shared_buffers": "'16MB'",
        }
        with (self.primary.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        self.start(self.primary)
        self.sql(self.primary, "CREATE DATABASE hailong")
        self.run(
            str(self.bin / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
            *("-D", str(self.replica.data), "-R", "-X", "stream", "-c", "fast"),
        )
        # The copied configuration is the primary's; later lines win.
        with (self.replica.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica.port}\n")
        self.start(self.replica)
        assert self.sql(self.replica, "SELECT pg_is_in_recovery()") == "t"

    def catch_up(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        target = self.sql(self.primary, "SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.sql(self.replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
                return
            time.sleep(0.1)
        raise AssertionError("the replica did not catch up within 60 s")


@pytest.fixture(scope="module")
def cluster():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the replica test runs with the PostgreSQL suite (DATABASE_URL)")
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("the PostgreSQL server binaries (initdb, pg_basebackup) are not installed")
    base = Path(tempfile.mkdtemp(prefix="hl-replica-"))
    cluster = Cluster(base, bin_dir)
    try:
        cluster.setup()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def _site(cluster: Cluster, code: str, **extra: str) -> dict:
    """Run `code` in a fresh process of the site configured with the primary and the replica; its last line of
    output is JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=cluster.primary.url,
        DATABASE_REPLICA_URL=cluster.replica.url,
        REDIS_URL="",
        # As in production, where the beat refreshes the figures: a dashboard read must not refresh them itself.
        INDICES_REFRESH_ON_READ="0",
    )
    env.update(extra)
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests import factories
world = factories.make_world()
factories.make_questionnaire(items=3)
print(json.dumps({"counter": world.counter_a.code, "unit": world.unit_a.pk}))
"""

REPORT = """
from django.test import Client
from survey.models import User
client = Client()
client.force_login(User.objects.get(username="province"))
report = client.get("/bao-cao/")
dashboard = client.get("/chi-so/don-vi/%(unit)d/")
print(json.dumps({"report": report.status_code, "dashboard": dashboard.status_code}))
"""

RATING = """
import uuid
from rest_framework.test import APIClient
from config.db_router import replica_reads
from survey.audit import record_audit
from survey.models import Rating, Unit
key = str(uuid.uuid4())
response = APIClient().post(
    "/api/v1/ratings/", {"counter": "%(counter)s", "score": 5}, format="json", headers={"Idempotency-Key": key}
)
with replica_reads():
    before_write = Rating.objects.filter(idempotency_key=key).exists()
    record_audit(actor=None, action="replica.test", target=Unit.objects.get(pk=%(unit)d), changes={})
    after_write = Rating.objects.filter(idempotency_key=key).exists()
print(json.dumps({"status": response.status_code, "before_write": before_write, "after_write": after_write}))
"""


@pytest.fixture(scope="module")
def seeded(cluster) -> dict:
    return _site(cluster, SEED)


def test_reports_read_from_the_replica_and_ratings_write_to_the_primary(cluster, seeded):
    cluster.catch_up()
    # From here on the replica does not see new writes: any read routed there by mistake misses them.
    cluster.sql(cluster.replica, "SELECT pg_wal_replay_pause()")

    primary_at, replica_at = cluster.primary.log_size(), cluster.replica.log_size()
    pages = _site(cluster, REPORT % seeded)
    assert pages == {"report": 200, "dashboard": 200}
    primary_log, replica_log = cluster.primary.log_since(primary_at), cluster.replica.log_since(replica_at)
    # The report and the dashboard read their figures (indices tables) from the replica, not from the primary,
    # which still serves the login and the session.
    assert 'FROM "indices_cchcscore"' in replica_log
    assert 'FROM "indices_' in replica_log and '"survey_unit"' in replica_log
    assert 'FROM "indices_' not in primary_log
    assert 'INSERT INTO "django_session"' in primary_log
    assert "INSERT" not in replica_log and "UPDATE" not in replica_log

    primary_at, replica_at = cluster.primary.log_size(), cluster.replica.log_size()
    rating = _site(cluster, RATING % seeded)
    primary_log, replica_log = cluster.primary.log_since(primary_at), cluster.replica.log_since(replica_at)
    assert rating["status"] == 201
    assert 'INSERT INTO "survey_rating"' in primary_log
    assert "INSERT" not in replica_log
    # Inside a replica scope the first read went to the (paused) replica and missed the new rating; after the
    # scope wrote, its reads went to the primary and saw it.
    assert rating == {"status": 201, "before_write": False, "after_write": True}
    assert cluster.sql(cluster.primary, "SELECT count(*) FROM survey_rating", db="hailong") == "1"
    assert cluster.sql(cluster.replica, "SELECT count(*) FROM survey_rating", db="hailong") == "0"

    cluster.sql(cluster.replica, "SELECT pg_wal_replay_resume()")
    cluster.catch_up()
    assert cluster.sql(cluster.replica, "SELECT count(*) FROM survey_rating", db="hailong") == "1"


THROUGH_PGBOUNCER = """
import uuid
from concurrent.futures import ThreadPoolExecutor
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient
from indices.tasks import refresh_indices_task
from survey.models import User

def rate(_):
    try:
        response = APIClient().post(
            "/api/v1/ratings/", {"counter": "%(counter)s", "score": 4}, format="json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return response.status_code
    finally:
        connections.close_all()

with ThreadPoolExecutor(8) as pool:
    statuses = list(pool.map(rate, range(40)))
call_command("refresh_counter_baselines", verbosity=0)
refresh_indices_task()
client = Client()
client.force_login(User.objects.get(username="province"))
report = client.get("/bao-cao/").status_code
port = connection.settings_dict["PORT"]
print(json.dumps({"statuses": sorted(set(statuses)), "report": report, "port": port}))
"""


def test_the_site_works_through_pgbouncer_in_transaction_mode(cluster, seeded):
    """PgBouncer (HL_PGBOUNCER or `pgbouncer` on the PATH) in transaction mode in front of the primary, with
    DATABASE_PGBOUNCER=1: concurrent ratings, the baseline job (a server-side cursor without the setting), the
    rollup refresh (SET LOCAL) and the report all work, and every rating is stored once. It shows that the recipe
    works; at this concurrency it also passes without DATABASE_PGBOUNCER, so it does not show that each setting is
    needed (docs/deployment.md says why they are)."""
    binary = os.environ.get("HL_PGBOUNCER") or shutil.which("pgbouncer")
    if not binary:
        pytest.skip("pgbouncer is not installed (set HL_PGBOUNCER to its binary)")
    port = _free_port()
    ini = cluster.base / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"hailong = host=127.0.0.1 port={cluster.primary.port} dbname=hailong\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {cluster.base / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 100\n"
        f"logfile = {cluster.base / 'pgbouncer.log'}\npidfile = {cluster.base / 'pgbouncer.pid'}\n"
    )
    (cluster.base / "users.txt").write_text('"postgres" ""\n')
    if cluster.prefix:
        for path in (ini, cluster.base / "users.txt"):
            shutil.chown(path, "postgres", "postgres")
    bouncer = subprocess.Popen([*cluster.prefix, binary, str(ini)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert bouncer.poll() is None, bouncer.stderr.read()
            time.sleep(0.1)
        before = cluster.sql(cluster.primary, "SELECT count(*) FROM survey_rating", db="hailong")
        result = _site(
            cluster,
            THROUGH_PGBOUNCER % seeded,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/hailong",
            DATABASE_PGBOUNCER="1",
        )
        assert result == {"statuses": [201], "report": 200, "port": port}
        after = cluster.sql(cluster.primary, "SELECT count(*) FROM survey_rating", db="hailong")
        assert int(after) - int(before) == 40
    finally:
        bouncer.terminate()
        bouncer.wait(30)
