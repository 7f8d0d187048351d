"""Benchmark: the province report page for 37 units over 5 years, read from snapshots, with a large ratings table.

Usage (PostgreSQL only; the script creates and fills its own database, never the one in DATABASE_URL):

    python bench/report_page.py [--db hl_bench_report] [--ratings 10000000] [--runs 30] [--write-docs]

It migrates the dedicated database, loads the demo world and its CCHC scores, adds CCHC scores and stored
satisfaction snapshots (SIPAS and the five elements) for the 37 units over 2013-2017, fills `survey_rating` up to
`--ratings` rows with `INSERT ... SELECT generate_series` (in batches, so it can be resumed), then times the
report page (`/bao-cao/?year=2017`) through Django's test client as a logged-in provincial user: a few warm-up
requests, then `--runs` timed ones; it prints the median and the 95th percentile and, with `--write-docs`,
records them in docs/performance.md under "Province report".
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = range(2013, 2018)
BATCH = 1_000_000


def _ensure_database(name: str, host_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{host_url}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _fill_world() -> None:
    import datetime
    from decimal import Decimal

    from django.core.management import call_command

    from indices.models import CchcScore, IndexSnapshot, SnapshotRun
    from survey.models import Element, Unit

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    rng = random.Random(5)
    units = list(Unit.objects.active_on(datetime.date(2017, 12, 31)))
    assert len(units) == 37, len(units)
    for year in YEARS:
        if year in (2016, 2017):
            continue  # the demo's own scores
        for unit in units:
            points = Decimal(str(round(rng.uniform(45, 92), 2)))
            CchcScore.objects.update_or_create(unit=unit, year=year, defaults={"points": points, "max_points": 100})
    run, _created = SnapshotRun.objects.get_or_create(formula_version="bench", trigger="bench")
    IndexSnapshot.objects.filter(run=run).delete()
    indexes = ["sipas"] + [f"element:{e}" for e in Element.values]
    snapshots = []
    for year in YEARS:
        for unit in units:
            n = rng.randint(20, 4000)
            for index in indexes:
                value = rng.uniform(55, 98)
                snapshots.append(
                    IndexSnapshot(
                        level="unit",
                        entity_id=unit.pk,
                        period_kind="year",
                        period_start=datetime.date(year, 1, 1),
                        period_end=datetime.date(year, 12, 31),
                        index=index,
                        value=value,
                        n=n,
                        ci_low=value - 3,
                        ci_high=min(value + 3, 100),
                        adequate=n >= 30,
                        run=run,
                    )
                )
    IndexSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)


def _fill_ratings(target: int) -> int:
    from django.db import connection

    from survey.models import Questionnaire

    questionnaire, _created = Questionnaire.objects.get_or_create(
        family="bench", version=1, defaults={"name": "Bench", "is_active": False}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM survey_rating")
        have = cursor.fetchone()[0]
        while have < target:
            upto = min(have + BATCH, target)
            started = time.perf_counter()
            cursor.execute(
                """
                WITH c AS (
                    SELECT array_agg(id ORDER BY id) AS ids, array_agg(unit_id ORDER BY id) AS units, count(*) AS n
                    FROM survey_counter
                )
                INSERT INTO survey_rating (idempotency_key, counter_id, unit_id, questionnaire_id, score, channel,
                                           reasons, verified, status, flags, ip_hash, created_at, updated_at)
                SELECT gen_random_uuid(), c.ids[1 + g %% c.n], c.units[1 + g %% c.n], %s,
                       CASE WHEN g %% 100 < 45 THEN 5 WHEN g %% 100 < 80 THEN 4 WHEN g %% 100 < 90 THEN 3
                            WHEN g %% 100 < 96 THEN 2 ELSE 1 END,
                       'qr', '[]'::jsonb, false, 'accepted', '[]'::jsonb, '',
                       timestamptz '2013-01-01 08:00+07' + (g %% 2600000) * interval '1 minute',
                       now()
                FROM generate_series(%s::bigint, %s::bigint) AS g, c
                """,
                [questionnaire.pk, have + 1, upto],
            )
            print(f"  ratings {upto:>11,} ({time.perf_counter() - started:.1f}s)", flush=True)
            have = upto
        cursor.execute("ANALYZE survey_rating")
        cursor.execute("SELECT count(*) FROM survey_rating")
        return cursor.fetchone()[0]


def _time_page(runs: int) -> tuple[float, float, int]:
    from django.conf import settings
    from django.test import Client

    from survey.models import User

    settings.DEBUG = False  # no query logging while timing
    client = Client()
    client.force_login(User.objects.get(username="province"))
    url = "/bao-cao/?year=2017"
    for _warm_up in range(3):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert "75,3%" in response.content.decode()
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], len(response.content)


def _write_docs(text: str) -> None:
    path = ROOT / "docs" / "performance.md"
    path.parent.mkdir(exist_ok=True)
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    heading = "## Province report"
    if heading in current:
        before, after = current.split(heading, 1)
        rest = after.split("\n## ", 1)
        current = before.rstrip() + "\n\n" + (("\n## " + rest[1]) if len(rest) > 1 else "")
    path.write_text(current.rstrip() + "\n\n" + text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="hl_bench_report")
    parser.add_argument("--host-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    _ensure_database(args.db, args.host_url)
    os.environ["DATABASE_URL"] = f"{args.host_url}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print("world, CCHC scores and snapshots...", flush=True)
    _fill_world()
    print("ratings...", flush=True)
    ratings = _fill_ratings(args.ratings)
    median, p95, size = _time_page(args.runs)
    print(f"ratings={ratings:,} median={median:.1f} ms p95={p95:.1f} ms page={size / 1024:.0f} KiB")
    if args.write_docs:
        import platform

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        _write_docs(
            f"""## Province report

`python bench/report_page.py --ratings {args.ratings} --runs {args.runs} --write-docs` (dedicated database
`{args.db}`): the report page `/bao-cao/?year=2017` for the 37 demo units with CCHC scores and stored
satisfaction snapshots (SIPAS and its five elements) over 5 years (2013-2017), requested through Django's test
client as a logged-in provincial user, with {ratings:,} rows in `survey_rating` (filled with
`INSERT ... SELECT generate_series`). The page reads CCHC scores and snapshots only, never ratings, so its cost
does not grow with the ratings table.

| Ratings in the database | Runs | Median | 95th percentile | Page size |
|---|---|---|---|---|
| {ratings:,} | {args.runs} | **{median:.1f} ms** | {p95:.1f} ms | {size / 1024:.0f} KiB |

Target: under 100 ms (median). Measured on {platform.machine()}, Python {platform.python_version()},
PostgreSQL {pg_version}, on {time.strftime("%Y-%m-%d")}.
"""
        )
        print("docs/performance.md updated")


if __name__ == "__main__":
    main()
