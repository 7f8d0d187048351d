"""Benchmark: the public province results page (`/ket-qua/`) at two sizes of the ratings table.

Usage (PostgreSQL only; the script creates and fills its own database, never the one in DATABASE_URL):

    python bench/public_page.py [--db hl_bench_public] [--ratings 100000 10000000] [--runs 30] [--write-docs]

It reuses `bench/report_page.py` to migrate the dedicated database, load the 37 demo units with their yearly
snapshots, and fill `survey_rating` with `INSERT ... SELECT generate_series` (resumable batches). It adds the
monthly figures the public page shows for the second half of 2017 (unit SIPAS, ballots and on-time complaint rates,
group and province figures), then, for each size in `--ratings` (ascending), fills the ratings up to that size
and times the anonymous page `/ket-qua/?ky=2017-12` through Django's test client: `--runs` requests with the
page's cache cleared before each (the cost of a first visitor after a snapshot run), then `--runs` requests
served from the cache. The cache is the local-memory one (REDIS_URL is emptied), so Redis is never touched.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report_page import _ensure_database, _fill_ratings, _fill_world  # noqa: E402

MONTHS = range(7, 13)
URL = "/ket-qua/?ky=2017-12"


def _fill_monthly_figures() -> None:
    from indices.models import IndexSnapshot, SnapshotRun
    from indices.periods import month
    from survey.models import Unit

    rng = random.Random(15)
    run, _created = SnapshotRun.objects.get_or_create(formula_version="bench-public", trigger="bench")
    IndexSnapshot.objects.filter(run=run).delete()
    units = list(Unit.objects.active_on(datetime.date(2017, 12, 31)))
    rows = []

    def add(level, entity_id, period, index, value, n, adequate=True):
        rows.append(
            IndexSnapshot(
                level=level,
                entity_id=entity_id,
                period_kind="month",
                period_start=period.start,
                period_end=period.end,
                index=index,
                value=value,
                n=n,
                ci_low=None if value is None else max(value - 4, 0),
                ci_high=None if value is None else min(value + 4, 100),
                adequate=adequate,
                run=run,
            )
        )

    for number in MONTHS:
        period = month(2017, number)
        for unit in units:
            n = rng.randint(5, 900)
            add("unit", unit.pk, period, "sipas", rng.uniform(55, 98), n, n >= 30)
            add("unit", unit.pk, period, "overall", rng.uniform(55, 98), n, n >= 30)
            add("unit", unit.pk, period, "d766:pakn_on_time", rng.uniform(40, 100), rng.randint(1, 40))
        for group_id in {u.group_id for u in units}:
            add("group", group_id, period, "sipas", rng.uniform(60, 90), 5000)
            add("group", group_id, period, "pooled_overall", rng.uniform(60, 90), 5000)
        add("province", 0, period, "sipas", rng.uniform(70, 85), 15000)
        add("province", 0, period, "pooled_overall", rng.uniform(70, 85), 15000)
    IndexSnapshot.objects.bulk_create(rows, ignore_conflicts=True)


def _time(runs: int, *, cold: bool) -> tuple[float, float, int]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    for _warm_up in range(3):
        response = client.get(URL)
        assert response.status_code == 200, response.status_code
        assert "đơn vị được tính" in response.content.decode()
    timings = []
    for _run in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(URL)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="hl_bench_public")
    parser.add_argument("--host-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--ratings", type=int, nargs="+", default=[100_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    _ensure_database(args.db, args.host_url)
    os.environ["DATABASE_URL"] = f"{args.host_url}/{args.db}"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query logging while timing
    print("world and snapshots...", flush=True)
    _fill_world()
    _fill_monthly_figures()
    results = []
    for size in sorted(args.ratings):
        print(f"ratings up to {size:,}...", flush=True)
        ratings = _fill_ratings(size)
        cold = _time(args.runs, cold=True)
        warm = _time(args.runs, cold=False)
        results.append((ratings, cold, warm))
        print(
            f"ratings={ratings:,} uncached median={cold[0]:.1f} ms p95={cold[1]:.1f} ms; "
            f"cached median={warm[0]:.1f} ms p95={warm[1]:.1f} ms; page={cold[2] / 1024:.0f} KiB",
            flush=True,
        )
    if args.write_docs:
        _write_docs(args, results)


def _write_docs(args, results) -> None:
    import platform

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    lines = "\n".join(
        f"| {ratings:,} | {args.runs} | **{cold[0]:.1f} ms** | {cold[1]:.1f} ms | **{warm[0]:.1f} ms** | "
        f"{warm[1]:.1f} ms | {cold[2] / 1024:.0f} KiB |"
        for ratings, cold, warm in results
    )
    text = f"""## Public province results

`python bench/public_page.py --ratings {" ".join(str(r) for r in args.ratings)} --runs {args.runs} --write-docs`
(dedicated database `{args.db}`): the anonymous page `{URL}` (37 demo units in 3 groups, each with its SIPAS,
interval, ballots, on-time complaint rate, median answer time and a 6-month trend) through Django's test client.
"Uncached" clears the cache before each request (a first visitor after a snapshot run); "cached" is every other
visitor. The page reads stored snapshots and complaints, never ratings, so its cost does not grow with the
ratings table.

| Ratings in the database | Runs | Uncached median | Uncached p95 | Cached median | Cached p95 | Page size |
|---|---|---|---|---|---|---|
{lines}

Measured on {platform.machine()}, Python {platform.python_version()}, PostgreSQL {pg_version}, on
{time.strftime("%Y-%m-%d")}, on a machine shared with other work (absolute times vary between runs; compare the
rows).
"""
    path = ROOT / "docs" / "performance.md"
    current = path.read_text(encoding="utf-8")
    heading = "## Public province results"
    if heading in current:
        before, after = current.split(heading, 1)
        rest = after.split("\n## ", 1)
        current = before.rstrip() + "\n\n" + (("\n## " + rest[1]) if len(rest) > 1 else "")
    path.write_text(current.rstrip() + "\n\n" + text.rstrip() + "\n", encoding="utf-8")
    print("docs/performance.md updated")


if __name__ == "__main__":
    main()
