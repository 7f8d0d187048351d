"""Benchmark of a respondent-file import in the background, in a dedicated PostgreSQL database.

    python bench/rating_import.py [--rows 100000] [--database hl_bench_rating_import] [--redis redis://127.0.0.1:6379/5]

It (re)creates the database, migrates it (which seeds the 19-item SIPAS questionnaire), builds 3 groups of 37 units
(one of them ended on 30 June 2025), writes a CSV of `--rows` respondents of 2025 (every item answered 1-5 or
"no opinion", profile fields filled), then starts a real Celery worker (solo pool) on that database and measures,
as provincial staff would meet them on the page:
- upload -> checked: the file staged and checked by the worker (the dry run);
- confirm -> done: all rows written (one transaction), then the rollups of the touched buckets and the snapshots
  of the 17 periods they fall in (12 months, 4 quarters, the year) recomputed;
printing the progress the page would show every half second. The database is dropped at the end unless `--keep`.
Never point it at a database you care about.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"


def recreate_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_world():
    from survey.models import Unit, UnitGroup, User

    groups = [UnitGroup.objects.create(code=f"g{g}", name=f"Khối {g}", position=g) for g in range(3)]
    units = []
    for u in range(37):
        units.append(
            Unit.objects.create(
                code=f"u{u}",
                name=f"Đơn vị {u}",
                short_name=f"ĐV {u}",
                group=groups[u % 3],
                valid_to=datetime.date(2025, 6, 30) if u == 36 else None,
            )
        )
    user = User.objects.create_user(username="province", role=User.Role.PROVINCE, password="x")
    return units, user


def respondent_csv(units, rows: int) -> bytes:
    from survey.models import Questionnaire

    codes = list(Questionnaire.objects.get(family="sipas-full", version=1).items.values_list("code", flat=True))
    rng = random.Random(2025)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit", "date", "questionnaire", "version", "overall", *codes, "age_band", "sex", "submission"])
    values = ["1", "2", "3", "4", "4", "5", "5", "KYK"]
    for n in range(rows):
        unit = units[n % len(units)]
        last_month = 6 if unit.valid_to else 12
        day = datetime.date(2025, rng.randint(1, last_month), rng.randint(1, 28))
        writer.writerow(
            [unit.code, day.isoformat(), "sipas-full", 1, rng.randint(1, 5), *(rng.choice(values) for _ in codes),
             rng.choice(["18-29", "30-44", "45-59", "60+"]), rng.choice(["Nam", "Nữ"]),
             rng.choice(["trực tiếp", "trực tuyến", "bưu chính"])]
        )  # fmt: skip
    return out.getvalue().encode()


def start_worker(env: dict) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )


def follow(batch_id: int, until: set[str], started: float, label: str, timeout: float = 600) -> float:
    from indices.rating_imports import import_progress
    from survey.models import RatingImport

    last = None
    while time.monotonic() - started < timeout:
        batch = RatingImport.objects.get(pk=batch_id)
        shown = (batch.status, import_progress(batch))
        if shown != last:
            print(f"  {label} {time.monotonic() - started:6.1f} s  {shown[0]:<11} {shown[1]:3d} %", flush=True)
            last = shown
        if batch.status in until:
            return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"{label}: not finished after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="hl_bench_rating_import")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    recreate_database(args.database)
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    import django

    django.setup()
    from django.core.management import call_command

    from indices import rating_imports
    from survey.models import Rating, RatingAnswer, RatingImport

    worker = None
    try:
        call_command("migrate", verbosity=0)
        units, user = build_world()
        t = time.monotonic()
        content = respondent_csv(units, args.rows)
        print(f"{args.rows} respondents, {len(content) / 1e6:.1f} MB of CSV written in {time.monotonic() - t:.1f} s")
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, PostgreSQL + Redis local")
        worker = start_worker(dict(os.environ))
        time.sleep(3)

        started = time.monotonic()
        batch = rating_imports.request_rating_import(
            content=content, file_name="sipas-2025.csv", channel="survey", by=user
        )
        checked = follow(batch.pk, {"checked", "invalid"}, started, "dry run")
        batch.refresh_from_db()
        assert batch.status == RatingImport.Status.CHECKED, batch.errors[:5]

        confirmed = time.monotonic()
        rating_imports.confirm_rating_import(batch=batch, by=user)
        imported = follow(batch.pk, {"done", "failed"}, confirmed, "import ")
        batch.refresh_from_db()
        assert batch.status == RatingImport.Status.DONE, batch.failure
        ratings = Rating.objects.filter(import_batch=batch).count()
        answers = RatingAnswer.objects.filter(channel="survey").count()
        print(f"\nrows: {ratings} ratings, {answers} answers")
        print(f"upload -> checked (dry run):         {checked:6.1f} s")
        print(f"confirm -> done (write + figures):   {imported:6.1f} s")
        print(f"total:                               {checked + imported:6.1f} s")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()
