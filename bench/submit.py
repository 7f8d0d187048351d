"""The rating submission path near the database's limit, measured side by side (issue 10).

One command runs everything on this machine and prints a summary (and `--json FILE` keeps the figures):

    .venv/bin/python bench/submit.py                  # every stage, once
    .venv/bin/python bench/submit.py --runs 3         # the sustained stages three times; the summary is the median
    .venv/bin/python bench/submit.py --only api form  # some of: sweep rawpg plain drf api form rate servers sqlite
                                                      # posters scaleout

What it does:
- creates a dedicated PostgreSQL database (`--db`, dropped and created again) and migrates it, flushes its own
  Redis database (`--redis`), and seeds 40 units with 100 counters each, a busy daily rhythm for every counter
  (so that a thousand ratings a second across the province is not a burst), the demo questionnaires;
- starts the production mode with `bin/serve web` (gunicorn, DJANGO_DEBUG=0, PostgreSQL, Redis, every
  integrity layer on) behind a simulated load balancer: requests carry `X-Forwarded-For` (one address per
  simulated citizen) and `X-Forwarded-Proto: https`, and the app trusts one proxy (DJANGO_TRUSTED_PROXY_COUNT=1);
- drives the real submission paths from a load generator process (aiohttp, asyncio) with a unique idempotency
  key per rating: the API (`POST /api/v1/ratings/` with `Idempotency-Key`) and the QR form (a GET of `/r/<code>`
  for the page, its CSRF token and hidden key, then the POST that records);
- measures in the same run three references: the raw PostgreSQL ceiling (single-row autocommit INSERTs of an
  equivalent row from psycopg, same concurrency), a plain Django view (JSON in, one ORM insert, JSON out: the
  framework's floor) and a plain DRF `ModelSerializer` create endpoint on the same table (both mounted only by
  `bench/settings.py`, not part of the product), and prints each path's ratio to each;
- the `servers` stage: gunicorn sync and gthread, granian's WSGI mode and psycopg's connection pool, interleaved
  round by round (machine load falls on all alike), as ratios to gunicorn sync in the same round (only with
  `--only servers`; needs `pip install granian psycopg-pool`);
- a fixed-rate run at 200 requests per second for the p99 target (latency counted from the scheduled send time,
  so a stalled server cannot hide its queue), the embedded SQLite mode (gunicorn on SQLite, no Redis), the
  poster batch of 500 counters through `survey.services.generate_poster_batch`, and the scale-out check (two web
  servers and two Celery workers on one PostgreSQL and Redis behaving as one site);
- after every run, checks that the database holds exactly one rating per acknowledged key (and counts those
  stored for requests whose client gave up waiting: a retry with the same key gets that rating back).

The generator reports its own CPU time: if it used most of a core, the figures measure the generator, and the
summary says so.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORK = ROOT / "var" / "bench"
SECRET = "bench-submit-" + "x" * 40
UNITS = 40
COUNTERS_PER_UNIT = 100
# Ratings per working day that the seeded rhythm says each counter usually gets: a busy one-stop counter. With
# 4,000 counters, 1,000 ratings a second spread over the province is about 15 per counter per burst window,
# under the burst threshold this rhythm gives (10 x 150 x 10 / 480 = 31).
DAILY_RHYTHM = 150.0
# The scores drawn, in turn: half 5, 30% 4, 10% 3, 5% each 2 and 1 (most citizens are satisfied, as in the
# province's surveys). Every low score makes the unhappy-wave check read the counter's recent votes.
SCORES = [5] * 10 + [4] * 6 + [3] * 2 + [2, 1]
STAGES = ("sweep", "rawpg", "plain", "drf", "api", "form", "rate", "servers", "sqlite", "posters", "scaleout")
# The server comparison needs two packages the product does not use: only with `--only servers`.
DEFAULT_STAGES = tuple(stage for stage in STAGES if stage != "servers")


# --- Helpers -----------------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def pg_env(db_url: str, redis_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_BEHIND_PROXY="1",
        MEDIA_ROOT=str(WORK / "media"),
        PYTHON=PYTHON,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def django_call(env: dict, command: str, *args: str) -> dict:
    """Run one of this script's Django-side commands in a child process with `env`; return its JSON answer."""
    result = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), command, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def cpu_of_group(pgid: int) -> float:
    """CPU seconds used so far by every process of a process group (a server and its workers)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / tick


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Server:
    """A process group started by this script (bin/serve or gunicorn), stopped by its own id."""

    def __init__(self, args: list[str], env: dict, name: str, health_url: str | None = None):
        self.name = name
        self.log_path = WORK / f"{name}.log"
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.health_url = health_url

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log_path}")
            if self.health_url is None:
                return
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not become ready; see {self.log_path}")

    def cpu(self) -> float:
        return cpu_of_group(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def start_web(env: dict, port: int, *, workers: int, worker_class: str, threads: int, name: str) -> Server:
    server_env = dict(
        env,
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(workers),
        WEB_WORKER_CLASS=worker_class,
        WEB_THREADS=str(threads),
        SERVE_MIGRATE="0",
        # A busy site: recycling every 2,000 requests would restart each worker every few seconds at this rate.
        WEB_MAX_REQUESTS="100000",
        ACCESS_LOG=str(WORK / f"{name}-access.log"),
    )
    server = Server(
        [str(ROOT / "bin" / "serve"), "web"], server_env, name, health_url=f"http://127.0.0.1:{port}/healthz"
    )
    server.wait_ready()
    return server


# --- Load generator (a child process of its own, so its CPU is measured apart) -------------------------------------

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(rb'name="key" value="([0-9a-f-]{36})"')


async def _load(args) -> dict:
    import aiohttp

    targets = json.loads(Path(args.targets).read_text())
    codes = targets["codes"]
    counters = targets["counters"]
    questionnaire = targets["questionnaire"]
    bases = args.base.split(",")
    latencies: list[float] = []
    page_latencies: list[float] = []
    errors: dict[str, int] = {}
    acked: list[str] = []
    sent: list[str] = []
    state = {"n": 0, "measuring": False, "ok": 0}
    ip_offset = args.ip_offset

    def note_error(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    def next_request():
        n = state["n"]
        state["n"] += 1
        address = ip_offset + n
        ip = f"10.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"
        return n, ip, bases[n % len(bases)]

    async def api(session, n, ip, base) -> tuple[str | None, float | None]:
        key = str(uuid.uuid4())
        sent.append(key)
        body = json.dumps({"counter": codes[n % len(codes)], "score": SCORES[n // 3 % len(SCORES)]}).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "X-Forwarded-For": ip,
            "X-Forwarded-Proto": "https",
        }
        async with session.post(base + "/api/v1/ratings/", data=body, headers=headers) as response:
            await response.read()
            if response.status == 201:
                return key, None
            note_error(f"http {response.status}")
            return None, None

    async def drf(session, n, ip, base) -> tuple[str | None, float | None]:
        key = str(uuid.uuid4())
        sent.append(key)
        counter_id, unit_id = counters[n % len(counters)]
        body = json.dumps(
            {
                "idempotency_key": key,
                "counter": counter_id,
                "unit": unit_id,
                "questionnaire": questionnaire,
                "score": SCORES[n // 3 % len(SCORES)],
                "channel": "web",
            }
        ).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
        url = base + ("/bench/plain-ratings/" if args.mode == "plain" else "/bench/drf-ratings/")
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status == 201:
                return key, None
            note_error(f"http {response.status}")
            return None, None

    async def form(session, n, ip, base) -> tuple[str | None, float | None]:
        code = codes[n % len(codes)]
        common = {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
        started = time.perf_counter()
        async with session.get(f"{base}/r/{code}", headers=common) as response:
            page = await response.read()
            if response.status != 200:
                note_error(f"page http {response.status}")
                return None, None
            csrf_cookie = response.cookies.get("csrftoken")
        page_ms = (time.perf_counter() - started) * 1000
        token, key = CSRF_INPUT.search(page), KEY_INPUT.search(page)
        if not (token and key and csrf_cookie):
            note_error("page without token or key")
            return None, page_ms
        key_text = key.group(1).decode()
        sent.append(key_text)
        score = SCORES[n // 3 % len(SCORES)]
        body = f"csrfmiddlewaretoken={token.group(1).decode()}&key={key_text}&score={score}".encode()
        host = base.split("://", 1)[1]
        headers = {
            **common,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.value}",
            "Origin": f"https://{host}",
        }
        async with session.post(f"{base}/r/{code}", data=body, headers=headers, allow_redirects=False) as response:
            await response.read()
            if response.status == 302 and key_text in response.headers.get("Location", ""):
                return key_text, page_ms
            note_error(f"http {response.status}")
            return None, page_ms

    submit = {"api": api, "drf": drf, "plain": drf, "form": form}[args.mode]

    async def one(session, scheduled: float | None = None) -> None:
        n, ip, base = next_request()
        started = time.perf_counter() if scheduled is None else scheduled
        try:
            key, page_ms = await submit(session, n, ip, base)
        except Exception as error:  # Timeouts and refused connections are errors of the run, counted.
            note_error(type(error).__name__)
            return
        if args.mode == "form":
            # The submission's latency is the POST's; the page before it is reported on its own.
            post_started = started + (page_ms or 0) / 1000 if scheduled is None else started
            elapsed = (time.perf_counter() - post_started) * 1000
        else:
            elapsed = (time.perf_counter() - started) * 1000
        if key is not None:
            acked.append(key)
            if state["measuring"]:
                state["ok"] += 1
                latencies.append(elapsed)
                if page_ms is not None:
                    page_latencies.append(page_ms)

    connector = aiohttp.TCPConnector(limit=0, force_close=args.close)
    timeout = aiohttp.ClientTimeout(total=30)
    cpu_start = time.process_time()
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        loop_start = time.perf_counter()
        measure_start = loop_start + args.warmup
        end = measure_start + args.duration
        if args.rate:
            tasks = set()
            interval = 1.0 / args.rate
            i = 0
            while True:
                scheduled = loop_start + i * interval
                if scheduled >= end:
                    break
                state["measuring"] = scheduled >= measure_start
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(one(session, scheduled))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            await asyncio.gather(*tasks)
        else:

            async def worker() -> None:
                while time.perf_counter() < end:
                    state["measuring"] = time.perf_counter() >= measure_start
                    await one(session)

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        wall = time.perf_counter() - measure_start
    cpu = time.process_time() - cpu_start
    Path(args.keys).write_text("\n".join(acked))
    Path(args.keys + ".sent").write_text("\n".join(sent))
    return {
        "mode": args.mode,
        "ok": state["ok"],
        "throughput": state["ok"] / wall,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "page_p50": percentile(page_latencies, 0.50),
        "page_p99": percentile(page_latencies, 0.99),
        "errors": errors,
        "acked": len(acked),
        "sent": len(sent),
        "generator_cpu": cpu / (wall + args.warmup),
    }


def load_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["api", "form", "drf", "plain"], required=True)
    parser.add_argument("--base", required=True, help="comma-separated base URLs, used in turn")
    parser.add_argument("--targets", required=True)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--ip-offset", type=int, default=0)
    parser.add_argument("--close", action="store_true", help="a new connection per request")
    print(json.dumps(asyncio.run(_load(parser.parse_args(argv)))))


def run_load(mode: str, base: str, *, duration: float, concurrency: int, rate: float = 0, tag: str, close=False):
    keys = WORK / f"keys-{tag}.txt"
    ip_offset = abs(hash(tag)) % 4_000_000
    args = [
        PYTHON, str(Path(__file__).resolve()), "_load", "--mode", mode, "--base", base,
        "--targets", str(WORK / "targets.json"), "--keys", str(keys), "--duration", str(duration),
        "--concurrency", str(concurrency), "--rate", str(rate), "--ip-offset", str(ip_offset),
    ]  # fmt: skip
    if close:
        args.append("--close")
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"load generator failed:\n{result.stderr}")
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    stats["keys_file"] = str(keys)
    return stats


# --- Raw PostgreSQL ceiling ---------------------------------------------------------------------------------------


async def _rawpg(args) -> dict:
    import psycopg

    targets = json.loads(Path(args.targets).read_text())
    counters = targets["counters"]
    questionnaire = targets["questionnaire"]
    sql = (
        "INSERT INTO survey_rating (idempotency_key, counter_id, unit_id, questionnaire_id, score, channel, reasons,"
        " dossier_code, verified, status, flags, ip_hash, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, 'web', '[]', NULL, false, 'accepted', '[]', %s, now(), now()) RETURNING id"
    )
    latencies: list[float] = []
    acked: list[str] = []
    state = {"n": 0, "measuring": False}
    ip_hash = "ab" * 32
    cpu_start = time.process_time()
    start = time.perf_counter()
    measure_start = start + args.warmup
    end = measure_start + args.duration

    async def worker() -> None:
        async with await psycopg.AsyncConnection.connect(args.dsn, autocommit=True) as conn:
            while time.perf_counter() < end:
                n = state["n"]
                state["n"] += 1
                counter_id, unit_id = counters[n % len(counters)]
                key = uuid.uuid4()
                began = time.perf_counter()
                await conn.execute(
                    sql, (key, counter_id, unit_id, questionnaire, SCORES[n // 3 % len(SCORES)], ip_hash)
                )
                acked.append(str(key))
                if began >= measure_start:
                    latencies.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    wall = time.perf_counter() - measure_start
    Path(args.keys).write_text("\n".join(acked))
    Path(args.keys + ".sent").write_text("\n".join(acked))
    return {
        "mode": "rawpg",
        "ok": len(latencies),
        "throughput": len(latencies) / wall,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "errors": {},
        "acked": len(acked),
        "generator_cpu": (time.process_time() - cpu_start) / (wall + args.warmup),
    }


def run_rawpg(db_url: str, keys: Path, *, concurrency: int) -> dict:
    args = [PYTHON, str(Path(__file__).resolve()), "_rawpg", "--dsn", db_url, "--targets", str(WORK / "targets.json")]
    args += ["--keys", str(keys), "--duration", "20", "--concurrency", str(concurrency)]
    return json.loads(subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout)


def rawpg_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    print(json.dumps(asyncio.run(_rawpg(parser.parse_args(argv)))))


# --- Django-side commands (run in a child process with the stage's environment) ----------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_main(argv: list[str]) -> None:
    """Units, counters, their rhythm and a provincial reviewer; writes var/bench/targets.json."""
    _django()
    from django.core.cache import cache

    from survey import selectors
    from survey.models import Counter, CounterBaseline, Unit, UnitGroup, User

    group = UnitGroup.objects.create(code="bench", name="Cơ quan chuyên môn thuộc UBND tỉnh")
    units = Unit.objects.bulk_create(
        Unit(group=group, code=f"bench-{i:02d}", name=f"Sở thử tải {i:02d}", short_name=f"S{i:02d}")
        for i in range(UNITS)
    )
    Counter.objects.bulk_create(
        Counter(unit=unit, name=f"Quầy số {j + 1}") for unit in units for j in range(COUNTERS_PER_UNIT)
    )
    counters = list(Counter.objects.filter(unit__in=units).order_by("pk").values_list("pk", "unit_id", "code"))
    CounterBaseline.objects.bulk_create(
        CounterBaseline(counter_id=pk, daily_ratings=DAILY_RHYTHM) for pk, _, _ in counters
    )
    User.objects.create_user(
        username="bench-reviewer", password="bench-pass-word-123", role=User.Role.PROVINCE, email="r@bench.local"
    )
    cache.clear()
    questionnaire = selectors.active_questionnaire_id(unit_id=units[0].pk)
    targets = {
        # Interleaved by unit, so that consecutive requests hit different units and counters.
        "codes": [code for _, _, code in sorted(counters, key=lambda c: (c[0] % COUNTERS_PER_UNIT, c[1]))],
        "counters": [[pk, unit_id] for pk, unit_id, _ in counters],
        "questionnaire": questionnaire,
        "units": [unit.pk for unit in units],
    }
    (WORK / "targets.json").write_text(json.dumps(targets))
    print(json.dumps({"counters": len(counters), "questionnaire": questionnaire}))


def verify_main(argv: list[str]) -> None:
    """Exactly one rating per acknowledged key. Also counts the ratings stored for requests whose client gave up
    (timed out) before the answer: stored once, and returned to a retry with the same key."""
    _django()
    from django.db.models import Count

    from survey.models import Rating

    acked = [line for line in Path(argv[0]).read_text().split("\n") if line]
    sent = [line for line in Path(argv[0] + ".sent").read_text().split("\n") if line]
    unacked = sorted(set(sent) - set(acked))
    stored = 0
    statuses: dict[str, int] = {}
    flags: dict[str, int] = {}
    for i in range(0, len(acked), 5000):
        chunk = Rating.objects.filter(idempotency_key__in=acked[i : i + 5000])
        stored += chunk.count()
        for row in chunk.values("status").annotate(n=Count("id")):
            statuses[row["status"]] = statuses.get(row["status"], 0) + row["n"]
        for row in chunk.exclude(flags=[]).values_list("flags", flat=True):
            for flag in row:
                flags[flag] = flags.get(flag, 0) + 1
    stray = sum(
        Rating.objects.filter(idempotency_key__in=unacked[i : i + 5000]).count() for i in range(0, len(unacked), 5000)
    )
    print(
        json.dumps(
            {
                "acked": len(acked),
                "distinct_acked": len(set(acked)),
                "stored": stored,
                "unacked_stored": stray,
                "ok": stored == len(acked) == len(set(acked)),
                "statuses": statuses,
                "flags": flags,
            }
        )
    )


def posters_main(argv: list[str]) -> None:
    """Time the batch PDF of a unit with `argv[0]` counters through the survey's batch service."""
    _django()
    from survey import services
    from survey.models import Counter, PosterBatch, Unit, UnitGroup

    count = int(argv[0])
    group = UnitGroup.objects.get_or_create(code="bench-posters", defaults={"name": "Khối thử in"})[0]
    unit = Unit.objects.create(group=group, code=f"posters-{uuid.uuid4().hex[:8]}", name="UBND xã thử", short_name="X")
    Counter.objects.bulk_create(Counter(unit=unit, name=f"Quầy số {i + 1} – Hộ tịch") for i in range(count))
    batch = PosterBatch.objects.create(unit=unit, total=count)
    started = time.perf_counter()
    batch = services.generate_poster_batch(batch_id=batch.pk)
    elapsed = time.perf_counter() - started
    size = batch.file.size
    print(json.dumps({"counters": count, "seconds": elapsed, "status": batch.status, "bytes": size}))


def scaleout_probe_main(argv: list[str]) -> None:
    """Read back what the scale-out check needs: flags of ratings by key, and a unit for the poster batch."""
    _django()
    from survey.models import Rating

    keys = argv
    rows = {
        str(k): f for k, f in Rating.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "flags")
    }
    print(json.dumps({key: rows.get(key) for key in keys}))


# --- Stages -------------------------------------------------------------------------------------------------------


def reset_postgres(db_url: str, admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(env: dict) -> None:
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"migrate failed:\n{result.stderr}")


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def forget_windows(redis_url: str) -> None:
    """Between stages: start new integrity and throttle windows, as if the stages ran at different hours. The
    settings, rhythms and questionnaire ids stay cached."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in ("*integrity:ip:*", "*integrity:counter:*", "*throttle*"):
        keys = list(client.scan_iter(pattern, count=10000))
        for i in range(0, len(keys), 5000):
            client.delete(*keys[i : i + 5000])


def measured(server: Server | None, fn, *args, **kwargs):
    """Run `fn(*args, **kwargs)` and add the server's and the machine's CPU use over it."""
    busy0, total0 = machine_busy()
    cpu0 = server.cpu() if server else 0.0
    started = time.perf_counter()
    stats = fn(*args, **kwargs)
    wall = time.perf_counter() - started
    busy1, total1 = machine_busy()
    stats["machine_cpu"] = (busy1 - busy0) / max(total1 - total0, 1) * os.cpu_count()
    if server:
        stats["server_cpu"] = (server.cpu() - cpu0) / wall
        # CPU time of the web server per acknowledged rating: what a request costs, whatever else the machine runs.
        stats["server_cpu_ms"] = stats["server_cpu"] / max(stats["throughput"], 1e-9) * 1000
    # Other jobs on the machine take CPU from the run: the load average says how much.
    stats["loadavg"] = os.getloadavg()[0]
    return stats


def verify(env: dict, stats: dict) -> dict:
    check = django_call(env, "_verify", stats["keys_file"])
    stats["check"] = check
    if not check["ok"]:
        log(f"  INTEGRITY CHECK FAILED: {check}")
    return stats


def show(label: str, stats: dict) -> None:
    check = stats.get("check", {})
    log(
        f"  {label}: {stats['throughput']:.0f}/s  p50 {stats['p50']:.1f} ms  p95 {stats['p95']:.1f} ms  "
        f"p99 {stats['p99']:.1f} ms  errors {sum(stats['errors'].values())} {stats['errors'] or ''} "
        f"generator CPU {stats['generator_cpu']:.0%} of a core, server {stats.get('server_cpu', 0):.2f} cores "
        f"({stats.get('server_cpu_ms', 0):.1f} ms a rating), load average {stats.get('loadavg', 0):.1f}, "
        f"machine {stats.get('machine_cpu', 0):.2f} of {os.cpu_count()} cores; "
        f"check {'OK' if check.get('ok') else 'FAILED'} ({check.get('stored')} stored for "
        f"{check.get('acked')} acknowledged keys; {check.get('unacked_stored')} stored for requests whose client "
        "gave up before the answer, which a retry with the same key would get back)"
        + (f" statuses {check.get('statuses')} flags {check.get('flags')}" if check else "")
        + (
            f"  page p50 {stats['page_p50']:.1f} ms p99 {stats['page_p99']:.1f} ms"
            if stats.get("page_p50", 0) > 0
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="hl_bench_submit", help="PostgreSQL database to create (dropped first)")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6", help="Redis database to use (flushed)")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--runs", type=int, default=1, help="repeat the sustained stages; the median is reported")
    parser.add_argument("--duration", type=float, default=60, help="seconds of each sustained run")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: the sweep's best)")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*", choices=STAGES, help="run only these stages")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--servers-duration", type=float, default=15, help="seconds of each servers-stage run")
    args = parser.parse_args()
    stages = args.only or DEFAULT_STAGES

    if WORK.exists():
        shutil.rmtree(WORK)
    (WORK / "media").mkdir(parents=True)
    db_url = f"{args.pg}/{args.db}"
    env = pg_env(db_url, args.redis)
    log(f"Machine: {os.cpu_count()} cores; database {db_url}; Redis {args.redis}")
    reset_postgres(db_url, f"{args.pg}/postgres", args.db)
    flush_redis(args.redis)
    migrate(env)
    log(f"Seeded: {django_call(env, '_seed')}")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    results: dict = {"machine": {"cores": os.cpu_count()}, "runs": []}
    base = f"http://127.0.0.1:{args.port}"
    servers: list[Server] = []

    def web(workers: int, worker_class: str, threads: int) -> Server:
        server = start_web(env, args.port, workers=workers, worker_class=worker_class, threads=threads, name="web")
        servers.append(server)
        return server

    def stop(server: Server) -> None:
        server.stop()
        servers.remove(server)

    try:
        setting = (args.workers, args.worker_class, args.threads)
        if "sweep" in stages and not args.workers:
            log("Sweep: gunicorn settings, API path, 15 s each")
            sweep = []
            for workers, worker_class, threads in [
                (4, "sync", 1),
                (6, "sync", 1),
                (3, "gthread", 4),
                (5, "gthread", 2),
            ]:
                forget_windows(args.redis)
                server = web(workers, worker_class, threads)
                tag = f"sweep-{workers}-{worker_class}"
                stats = measured(server, run_load, "api", base, duration=15, concurrency=args.concurrency, tag=tag)
                stop(server)
                verify(env, stats)
                stats["setting"] = [workers, worker_class, threads]
                show(f"{workers} x {worker_class} x {threads} threads", stats)
                sweep.append(stats)
            results["sweep"] = sweep
            best = max(sweep, key=lambda s: s["throughput"])
            setting = tuple(best["setting"])
        if not setting[0]:
            setting = (4, "sync", 1)
        log(f"Web server: {setting[0]} gunicorn workers, {setting[1]}, {setting[2]} thread(s)")
        results["setting"] = setting

        for run in range(args.runs):
            log(f"Run {run + 1} of {args.runs}")
            figures: dict = {}
            if "rawpg" in stages:
                forget_windows(args.redis)
                tag = f"rawpg-{run}"
                keys = WORK / f"keys-{tag}.txt"
                stats = measured(None, run_rawpg, db_url, keys, concurrency=args.concurrency)
                stats["keys_file"] = str(keys)
                figures["rawpg"] = verify(env, stats)
                show("raw PostgreSQL, single-row autocommit INSERT", stats)
            need_web = any(stage in stages for stage in ("plain", "drf", "api", "form", "rate"))
            server = web(*setting) if need_web else None
            for mode, label in (
                ("plain", "plain Django view"),
                ("drf", "DRF ModelSerializer baseline"),
                ("api", "API"),
                ("form", "QR form"),
            ):
                if mode not in stages:
                    continue
                forget_windows(args.redis)
                duration = 30 if mode in ("drf", "plain") else args.duration
                tag = f"{mode}-{run}"
                stats = measured(
                    server, run_load, mode, base, duration=duration, concurrency=args.concurrency, tag=tag
                )
                figures[mode] = verify(env, stats)
                show(label, stats)
            if "rate" in stages:
                forget_windows(args.redis)
                stats = measured(
                    server, run_load, "api", base, duration=30, concurrency=0, rate=200, tag=f"rate-{run}"
                )
                figures["rate"] = verify(env, stats)
                show("API at 200 req/s offered", stats)
            if server:
                stop(server)
            results["runs"].append(figures)

        if "servers" in stages:
            results["servers"] = stage_servers(env, args)
        if "posters" in stages:
            results["posters"] = [django_call(env, "_posters", "500") for _ in range(args.runs)]
            for poster in results["posters"]:
                log(f"  Poster batch: {poster}")
        if "scaleout" in stages:
            results["scaleout"] = stage_scaleout(env, args)
        # Last: it seeds its own database and rewrites the targets file.
        if "sqlite" in stages:
            results["sqlite"] = stage_sqlite(args)
    finally:
        for server in list(servers):
            server.stop()

    summarise(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


# Server configurations compared by the "servers" stage: (name, server, workers, threads, pool size or 0).
SERVER_CONFIGS = [
    ("gunicorn sync", "gunicorn-sync", 4, 1, 0),
    ("gunicorn gthread 2", "gunicorn-gthread", 4, 2, 0),
    ("gunicorn gthread 2 + pool", "gunicorn-gthread", 4, 2, 2),
    ("granian wsgi", "granian", 4, 1, 0),
]


def start_server(env: dict, port: int, kind: str, workers: int, threads: int, pool: int, name: str) -> Server:
    """gunicorn (as bin/serve runs it, without the access log) or granian's WSGI mode, on the same app."""
    bin_dir = Path(PYTHON).parent
    if kind == "granian":
        args = [
            str(bin_dir / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws", "config.wsgi:application",
        ]  # fmt: skip
    else:
        worker_class = "gthread" if kind == "gunicorn-gthread" else "sync"
        args = [
            str(bin_dir / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads), "--timeout", "120",
        ]  # fmt: skip
    server_env = dict(env, BENCH_DATABASE_POOL=str(pool))
    server = Server(args, server_env, name, health_url=f"http://127.0.0.1:{port}/healthz")
    try:
        server.wait_ready(timeout=300)
    except BaseException:
        server.stop()
        raise
    return server


def stage_servers(env: dict, args) -> dict:
    """gunicorn sync and gthread, granian's WSGI mode, with and without psycopg's pool, interleaved: each round
    runs every configuration once on the plain view and the API, so that the machine's other load falls on all of
    them alike; the figures that count are the ratios to gunicorn sync within a round."""
    log(
        f"Servers: {len(SERVER_CONFIGS)} configurations interleaved, {args.runs} round(s), "
        f"{args.servers_duration:.0f} s each"
    )
    rounds = []
    port = args.port + 10
    for run in range(args.runs):
        figures: dict = {}
        for label, kind, workers, threads, pool in SERVER_CONFIGS:
            server = start_server(env, port, kind, workers, threads, pool, name=f"servers-{kind}")
            try:
                for mode in ("plain", "api"):
                    forget_windows(args.redis)
                    tag = f"servers-{run}-{kind}-{threads}-{pool}-{mode}"
                    duration = args.servers_duration
                    stats = measured(
                        server, run_load, mode, base=f"http://127.0.0.1:{port}", duration=duration,
                        concurrency=args.concurrency, tag=tag,
                    )  # fmt: skip
                    verify(env, stats)
                    show(f"{label}, {mode}", stats)
                    figures.setdefault(label, {})[mode] = stats
            finally:
                server.stop()
        rounds.append(figures)
    return {"configs": [c[0] for c in SERVER_CONFIGS], "rounds": rounds}


def print_servers(servers: dict) -> None:
    rounds = servers["rounds"]
    reference = servers["configs"][0]
    print()
    print(f"Servers, median over {len(rounds)} interleaved round(s) of the ratio to {reference} in the same round")
    print(f"{'configuration':<30}{'plain/s':>9}{'API/s':>8}{'plain CPU':>11}{'API CPU':>9}{'errors':>8}")
    for label in servers["configs"]:
        row = []
        for field in ("throughput", "server_cpu_ms"):
            for mode in ("plain", "api"):
                ratios = [r[label][mode][field] / r[reference][mode][field] for r in rounds]
                row.append(statistics.median(ratios))
        errors = sum(sum(r[label][m]["errors"].values()) for r in rounds for m in ("plain", "api"))
        print(f"{label:<30}{row[0]:>8.2f}x{row[1]:>7.2f}x{row[2]:>10.2f}x{row[3]:>8.2f}x{errors:>8}")
    print("(per s: throughput ratio, higher is better; CPU: the server's CPU per rating, lower is better)")


def stage_sqlite(args) -> dict:
    """The embedded mode: no DATABASE_URL, no REDIS_URL (SQLite, local-memory cache), one gunicorn process so that
    the in-process cache that holds the integrity counts is the only one."""
    log("Embedded SQLite mode")
    path = WORK / "embedded.sqlite3"
    env = pg_env("", "", SQLITE_PATH=str(path))
    migrate(env)
    django_call(env, "_seed")
    port = args.port + 50
    server = Server(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
        ],  # fmt: skip
        env,
        "sqlite-web",
        health_url=f"http://127.0.0.1:{port}/healthz",
    )
    results = {"runs": []}
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{port}"
        for run in range(args.runs):
            figures = {}
            for mode in ("api", "form"):
                stats = measured(server, run_load, mode, base, duration=30, concurrency=8, tag=f"sqlite-{mode}-{run}")
                figures[mode] = verify(env, stats)
                show(f"SQLite {mode}", stats)
            tag = f"sqlite-rate-{run}"
            stats = measured(server, run_load, "api", base, duration=30, concurrency=0, rate=150, tag=tag)
            figures["rate"] = verify(env, stats)
            show("SQLite API at 150 req/s offered", stats)
            results["runs"].append(figures)
    finally:
        server.stop()
    return results


def _http(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _cookies(headers) -> dict:
    jar = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def stage_scaleout(env: dict, args) -> dict:
    """Two web servers (A, B) and two Celery workers on one PostgreSQL and Redis: one site."""
    log("Scale-out: two web servers and two Celery workers")
    forget_windows(args.redis)
    port_a, port_b = args.port + 1, args.port + 2
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    servers = []
    checks: dict[str, bool] = {}
    proxy = {"X-Forwarded-Proto": "https"}
    try:
        servers.append(start_web(env, port_a, workers=2, worker_class="sync", threads=1, name="web-a"))
        servers.append(start_web(env, port_b, workers=2, worker_class="sync", threads=1, name="web-b"))
        for name in ("worker-1", "worker-2"):
            worker_env = dict(env, CELERY_HOSTNAME=f"{name}@%h", CELERY_CONCURRENCY="1")
            servers.append(Server([str(ROOT / "bin" / "serve"), "worker"], worker_env, name))
        targets = json.loads((WORK / "targets.json").read_text())
        code = targets["codes"][0]

        def form_rate(base: str, cookies: dict, ip: str) -> tuple[str, dict]:
            status, headers, page = _http(f"{base}/r/{code}", headers={**proxy, "X-Forwarded-For": ip})
            assert status == 200, status
            jar = {**cookies, **_cookies(headers)}
            token = CSRF_INPUT.search(page).group(1).decode()
            key = KEY_INPUT.search(page).group(1).decode()
            body = f"csrfmiddlewaretoken={token}&key={key}&score=4".encode()
            status, headers, _ = _http(
                f"{base}/r/{code}",
                data=body,
                headers={
                    **proxy,
                    "X-Forwarded-For": ip,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": "https://" + base.split("://")[1],
                    "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                },
            )
            assert status == 302, status
            return key, {**jar, **_cookies(headers)}

        # 1. A device cool-down started on A is seen on B.
        first, jar = form_rate(a, {}, "10.200.0.1")
        second, _ = form_rate(b, {"hl_device": jar["hl_device"]}, "10.200.0.2")
        flags = django_call(env, "_probe", first, second)
        checks["device cool-down started on A is seen on B"] = (
            flags[first] == [] and "device_cooldown" in flags[second]
        )

        # 2. A staff session opened on A works on B.
        status, headers, page = _http(f"{a}/accounts/login/", headers=proxy)
        jar = _cookies(headers)
        token = CSRF_INPUT.search(page).group(1).decode()
        body = f"csrfmiddlewaretoken={token}&username=bench-reviewer&password=bench-pass-word-123".encode()
        status, headers, _ = _http(
            f"{a}/accounts/login/",
            data=body,
            headers={
                **proxy,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://" + a.split("://")[1],
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            },
        )
        jar.update(_cookies(headers))
        session_cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        status_b, _, _ = _http(f"{b}/quay/", headers={**proxy, "Cookie": session_cookie})
        checks["session opened on A works on B"] = status == 302 and "sessionid" in jar and status_b == 200

        # 3. The API throttle (60 a minute per address) counts across both servers.
        statuses = []
        for i in range(61):
            base = (a, b)[i % 2]
            status, _, _ = _http(
                f"{base}/api/v1/ratings/",
                data=json.dumps({"counter": targets["codes"][1 + i], "score": 5}).encode(),
                headers={
                    **proxy,
                    "X-Forwarded-For": "10.201.0.1",
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                },
            )
            statuses.append(status)
        checks["API throttle shared: 60 accepted over A and B, the 61st refused"] = (
            statuses[:60] == [201] * 60 and statuses[60] == 429
        )

        # 4. Poster batches queued on A, generated by either worker, downloadable from B.
        unit_ids = targets["units"][:2]
        batch_urls = []
        for unit_id in unit_ids:
            status, headers, page = _http(f"{a}/quay/don-vi/{unit_id}/", headers={**proxy, "Cookie": session_cookie})
            token = CSRF_INPUT.search(page).group(1).decode()
            status, headers, _ = _http(
                f"{a}/quay/don-vi/{unit_id}/in-ap-phich/",
                data=f"csrfmiddlewaretoken={token}".encode(),
                headers={
                    **proxy,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": "https://" + a.split("://")[1],
                    "Cookie": session_cookie,
                },
            )
            assert status == 302, status
            batch_urls.append(headers["Location"])
        downloads = []
        for location in batch_urls:
            deadline = time.time() + 120
            while time.time() < deadline:
                _, _, body = _http(f"{b}{location}trang-thai/", headers={**proxy, "Cookie": session_cookie})
                if json.loads(body)["finished"]:
                    break
                time.sleep(0.5)
            status, headers, pdf = _http(f"{b}{location}tai-ve/", headers={**proxy, "Cookie": session_cookie})
            downloads.append(status == 200 and pdf.startswith(b"%PDF"))
        worker_logs = {
            name: (WORK / f"{name}.log").read_text().count("generate_poster_batch_task")
            for name in ("worker-1", "worker-2")
        }
        checks["poster batches queued on A are downloadable from B"] = all(downloads) and len(downloads) == 2
        for check, passed in checks.items():
            log(f"  {'PASS' if passed else 'FAIL'}: {check}")
        log(f"  Poster tasks seen in each worker's log: {worker_logs}")
        return {"checks": checks, "worker_logs": worker_logs}
    finally:
        for server in servers:
            server.stop()


def summarise(results: dict) -> None:
    runs = results["runs"]

    def median(mode: str, field: str) -> float | None:
        values = [run[mode][field] for run in runs if mode in run and field in run[mode]]
        return statistics.median(values) if values else None

    print()
    print(f"Summary (median of {len(runs)} run(s)); web server {results.get('setting')}")
    print("CPU ms: the web server's CPU time per acknowledged rating; load: the machine's load average")
    print(
        f"{'path':<44}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'gen CPU':>9}"
        f"{'CPU ms':>8}{'load':>6}"
    )
    labels = {
        "rawpg": "raw PostgreSQL single-row INSERT",
        "plain": "plain Django view (JSON, one ORM insert)",
        "drf": "DRF ModelSerializer baseline",
        "api": "API POST /api/v1/ratings/",
        "form": "QR form POST /r/<code> (after its GET)",
        "rate": "API at 200 req/s offered",
    }
    for mode, label in labels.items():
        if median(mode, "throughput") is None:
            continue
        errors = statistics.median([sum(run[mode]["errors"].values()) for run in runs if mode in run])
        print(
            f"{label:<44}{median(mode, 'throughput'):>8.0f}{median(mode, 'p50'):>9.1f}{median(mode, 'p95'):>9.1f}"
            f"{median(mode, 'p99'):>9.1f}{errors:>8.0f}{median(mode, 'generator_cpu'):>9.0%}"
            f"{median(mode, 'server_cpu_ms') or 0:>8.1f}{median(mode, 'loadavg') or 0:>6.1f}"
        )
    raw, drf, plain = median("rawpg", "throughput"), median("drf", "throughput"), median("plain", "throughput")
    for mode in ("plain", "drf", "api", "form"):
        value = median(mode, "throughput")
        if value is None:
            continue
        ratios = []
        if plain and mode != "plain":
            ratios.append(f"{value / plain:.2f}x the plain view")
        if drf and mode != "drf":
            ratios.append(f"{value / drf:.2f}x the DRF baseline")
        if raw:
            ratios.append(f"{value / raw:.3f}x raw PostgreSQL")
        print(f"  {labels[mode]}: " + ", ".join(ratios))
    if "servers" in results:
        print_servers(results["servers"])
    if "sqlite" in results:
        sruns = results["sqlite"]["runs"]
        for mode in ("api", "form", "rate"):
            print(
                f"SQLite {mode:<37}{statistics.median(r[mode]['throughput'] for r in sruns):>8.0f}"
                f"{statistics.median(r[mode]['p50'] for r in sruns):>9.1f}"
                f"{statistics.median(r[mode]['p95'] for r in sruns):>9.1f}"
                f"{statistics.median(r[mode]['p99'] for r in sruns):>9.1f}"
            )
    if "posters" in results:
        print(f"Poster batch of 500: {statistics.median(p['seconds'] for p in results['posters']):.1f} s (median)")
    if "scaleout" in results:
        for check, passed in results["scaleout"]["checks"].items():
            print(f"Scale-out {'PASS' if passed else 'FAIL'}: {check}")
    checks = [run[mode].get("check", {}) for run in runs for mode in run]
    bad = [c for c in checks if not c.get("ok")]
    print(f"One rating per acknowledged key: {'OK in every run' if not bad else f'FAILED {bad}'}")


COMMANDS = {
    "_load": load_main,
    "_rawpg": rawpg_main,
    "_seed": seed_main,
    "_verify": verify_main,
    "_posters": posters_main,
    "_probe": scaleout_probe_main,
}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS:
        COMMANDS[sys.argv[1]](sys.argv[2:])
    else:
        main()
