"""Benchmark of the indices pipeline on synthetic ratings in a dedicated PostgreSQL database.

    python bench/indices.py [--sizes 100000 1000000 10000000] [--runs 3] [--database hl_bench_indices]

For each size it (re)creates the database, migrates it, builds an organisation of 4 groups, 40 units and 200
counters with a 5-item questionnaire, bulk-loads the ratings with INSERT ... SELECT over generate_series (a year
of ratings spread at random over every counter, day and office hour, 1 in 5 with item answers, 2% quarantined or
excluded), then measures (median of `--runs` runs):
- the full rollup rebuild;
- the incremental refresh after 10,000 new ratings;
- computing all snapshots of the year (12 months, 4 quarters, the year; counters, units, groups, province);
- a snapshot read (what the dashboard does for one unit and one period).
The database is dropped at the end unless `--keep`. Never point it at a database you care about.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
UNITS, COUNTERS_PER_UNIT, GROUPS = 40, 5, 4


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_world():
    from survey.models import Counter, Questionnaire, QuestionnaireItem, Unit, UnitGroup

    groups = [UnitGroup.objects.create(code=f"g{g}", name=f"Khối {g}", position=g) for g in range(GROUPS)]
    counters = []
    for u in range(UNITS):
        unit = Unit.objects.create(code=f"u{u}", name=f"Đơn vị {u}", short_name=f"ĐV {u}", group=groups[u % GROUPS])
        counters += [Counter.objects.create(unit=unit, name=f"Quầy {c}") for c in range(COUNTERS_PER_UNIT)]
    questionnaire = Questionnaire.objects.create(family="short", name="Phiếu ngắn", is_active=True)
    for position, (code, element) in enumerate(
        [("SA", "access"), ("SP", "procedure"), ("SS", "civil_servant"), ("SR", "result"), ("SF", "feedback_handling")]
    ):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire, code=code, element=element, text=code, position=position
        )
    return counters, questionnaire


RATING_SQL = """
INSERT INTO survey_rating (idempotency_key, counter_id, unit_id, questionnaire_id, score, channel, reasons,
                           verified, status, flags, ip_hash, created_at, updated_at)
SELECT md5(%(salt)s || g::text)::uuid, c.counter_id, c.unit_id, %(questionnaire)s,
       CASE WHEN r < 0.05 THEN 1 WHEN r < 0.11 THEN 2 WHEN r < 0.25 THEN 3 WHEN r < 0.60 THEN 4 ELSE 5 END,
       'qr', '[]'::jsonb, false,
       CASE WHEN g %% 100 = 0 THEN 'quarantined' WHEN g %% 100 = 1 THEN 'excluded' ELSE 'accepted' END,
       '[]'::jsonb, '', t, %(updated)s
FROM (
    SELECT g, random() AS r,
           %(start)s::timestamptz + make_interval(
               days => (%(workdays)s::int[])[1 + floor(random() * cardinality(%(workdays)s::int[]))::int],
               hours => 7 + floor(random() * 10)::int, mins => floor(random() * 60)::int
           ) AS t,
           1 + floor(random() * %(counters)s)::bigint AS k
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
) AS s
JOIN (SELECT row_number() OVER (ORDER BY id) AS k, id AS counter_id, unit_id FROM survey_counter) AS c USING (k)
"""

ANSWER_SQL = """
INSERT INTO survey_ratinganswer (rating_id, item_id, value, counter_id, unit_id, created_at)
SELECT r.id, i.id,
       CASE WHEN x < 0.05 THEN NULL WHEN x < 0.10 THEN 1 WHEN x < 0.17 THEN 2 WHEN x < 0.30 THEN 3
            WHEN x < 0.65 THEN 4 ELSE 5 END,
       r.counter_id, r.unit_id, r.created_at
FROM (SELECT id, counter_id, unit_id, created_at FROM survey_rating WHERE id %% 5 = 0 AND id > %(after)s) AS r
CROSS JOIN (SELECT id FROM survey_questionnaireitem WHERE questionnaire_id = %(questionnaire)s) AS i
CROSS JOIN LATERAL (SELECT random() + 0 * r.id AS x) AS v
"""


def load_ratings(
    count: int, *, first: int, questionnaire_id: int, start: str, days: int, updated: str | None = None
) -> None:
    import datetime

    from django.db import connection

    # Offices open Monday to Friday: every working day of the range gets ratings (at every counter, at random
    # office hours), weekends none, as real data would.
    first_day = datetime.datetime.fromisoformat(start).date()
    workdays = [d for d in range(days) if (first_day + datetime.timedelta(days=d)).weekday() < 5] or [0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM survey_rating")
        after = cursor.fetchone()[0]
        chunk = 1_000_000
        for low in range(first, first + count, chunk):
            high = min(first + count - 1, low + chunk - 1)
            cursor.execute(
                RATING_SQL,
                {
                    "salt": "bench-",
                    "questionnaire": questionnaire_id,
                    "start": start,
                    "workdays": workdays,
                    "counters": UNITS * COUNTERS_PER_UNIT,
                    "first": low,
                    "last": high,
                    "updated": updated or "2025-12-31T00:00:00+07:00",
                },
            )
        cursor.execute(ANSWER_SQL, {"after": after, "questionnaire": questionnaire_id})


@contextlib.contextmanager
def without_indexes(*tables: str):
    """Drop the tables' secondary indexes, unique and foreign-key constraints for a bulk load, then build them
    again (one sort per index and one check per constraint instead of millions of row-by-row updates)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')",
            [list(tables)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary "
            "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype = 'u')",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("RESET maintenance_work_mem")


# The 1-minute load average before each timed run: the machine may be shared with other jobs.
LOADS: list[float] = []


def timed(fn, runs: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        LOADS.append(os.getloadavg()[0])
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def loaded_world(size: int):
    """The counters and questionnaire of a database kept by an earlier run with `size` ratings, else None."""
    from django.db import connection
    from django.db.utils import DatabaseError

    from survey.models import Counter, Questionnaire, Rating

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM survey_rating WHERE created_at < '2026-01-01'")
            if cursor.fetchone()[0] != size:
                return None
    except DatabaseError:
        connection.close()
        return None
    return (
        list(Counter.objects.select_related("unit")),
        Questionnaire.objects.filter(family="short").latest("pk"),
        Rating.objects.count(),
    )


def bench_size(size: int, *, database: str, runs: int, keep: bool, reuse: bool = False) -> dict:
    from django.db import connection

    world = loaded_world(size) if reuse else None
    t0 = time.perf_counter()
    if world is None:
        connection.close()
        recreate_database(database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        counters, questionnaire = build_world()
        with without_indexes("survey_rating", "survey_ratinganswer"):
            load_ratings(size, first=1, questionnaire_id=questionnaire.pk, start="2025-01-01T00:00:00+07:00", days=365)
        next_id = size + 1
    else:
        counters, questionnaire, existing = world
        next_id = existing + 1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM survey_ratinganswer")
        answers = cursor.fetchone()[0]
    load_seconds = time.perf_counter() - t0

    from django.utils import timezone

    from indices import selectors, services
    from indices.models import IndexSnapshot, RatingRollup
    from indices.periods import month, periods_of_year

    LOADS.clear()
    rebuild, rebuild_samples = timed(services.rebuild_rollups, runs)
    rollup_rows = RatingRollup.objects.count()

    # Incremental: each run adds 10,000 ratings of today (with answers for 1 in 5) and refreshes.
    incremental_samples = []
    for _ in range(runs):
        now = timezone.now()
        load_ratings(
            10_000,
            first=next_id,
            questionnaire_id=questionnaire.pk,
            start=(now - timezone.timedelta(hours=12)).isoformat(),
            days=1,
            updated=now.isoformat(),
        )
        next_id += 10_000
        LOADS.append(os.getloadavg()[0])
        t0 = time.perf_counter()
        services.refresh_rollups()
        incremental_samples.append(time.perf_counter() - t0)
    incremental = statistics.median(incremental_samples)

    year_periods = periods_of_year(2025)
    snapshots, snapshot_samples = timed(lambda: services.compute_snapshots(periods=year_periods), runs)
    snapshot_rows = IndexSnapshot.objects.count()

    unit = counters[0].unit
    period = month(2025, 6)

    def read():
        selectors.unit_dashboard(unit=unit, period=period)

    read()
    reads = [timed(read, 1)[0] for _ in range(max(20, runs))]
    result = {
        "size": size,
        "answers": answers,
        "load_s": load_seconds,
        "rebuild_s": rebuild,
        "rebuild_samples": rebuild_samples,
        "rollup_rows": rollup_rows,
        "incremental_s": incremental,
        "incremental_samples": incremental_samples,
        "snapshots_s": snapshots,
        "snapshot_samples": snapshot_samples,
        "snapshot_rows": snapshot_rows,
        "read_ms": 1000 * statistics.median(reads),
        "load": (min(LOADS), max(LOADS)),
    }
    connection.close()
    if not keep:
        drop_database(database)
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    with psycopg.connect(f"{SERVER}/postgres") as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="hl_bench_indices")
    parser.add_argument("--keep", action="store_true", help="Keep the database of the last size.")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure on the kept database if it holds the size's ratings."
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not args.reuse:
        recreate_database(args.database)
    import django

    django.setup()
    print(f"Machine: {machine()}", flush=True)
    print(
        "| ratings | answers | load (s) | rollup rows | full rebuild (s) | incremental after 10k (s) "
        "| year of snapshots (s) | snapshot rows | dashboard read (ms) | load average |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|", flush=True)
    for size in args.sizes:
        r = bench_size(
            size, database=args.database, runs=args.runs, keep=args.keep and size == args.sizes[-1], reuse=args.reuse
        )
        print(
            f"| {r['size']:,} | {r['answers']:,} | {r['load_s']:.1f} | {r['rollup_rows']:,} | {r['rebuild_s']:.2f} "
            f"| {r['incremental_s']:.3f} | {r['snapshots_s']:.2f} | {r['snapshot_rows']:,} | {r['read_ms']:.1f} "
            f"| {r['load'][0]:.1f}-{r['load'][1]:.1f} |",
            flush=True,
        )
        print(
            f"<!-- samples: rebuild {[round(s, 2) for s in r['rebuild_samples']]}, incremental "
            f"{[round(s, 3) for s in r['incremental_samples']]}, snapshots "
            f"{[round(s, 2) for s in r['snapshot_samples']]} -->",
            flush=True,
        )


if __name__ == "__main__":
    main()
