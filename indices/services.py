"""Rollups, snapshots and dossier statistics: the writes of the indices app.

- `rebuild_rollups()` recomputes every rollup row from the raw ratings: one scan of the ratings and one of the
  answers (less the answers of ratings that do not count), each counted into a staging table, then unpivoted into
  the rollups;
  `refresh_rollups()` recomputes only the (counter, day) buckets whose ratings changed since the last watermark,
  with an overlap margin for transactions that commit late.
- `compute_snapshots(periods=...)` reads rollups (never raw ratings), calls `aggregation.snapshot_figures` and
  upserts `IndexSnapshot` rows under one `SnapshotRun`; recomputing the same periods is idempotent.
- `refresh_indices()` is the periodic job: refresh rollups, then recompute the periods that changed.
- `import_dossier_stats(rows)` validates every row of the one-stop system's CSV and saves all or nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Index, Q, Sum, UniqueConstraint
from django.db.models.functions import Coalesce, ExtractHour, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.selectors import pakn_outcomes_by_unit
from survey.models import Element, QuestionnaireItem, Rating, RatingAnswer, Unit

from . import aggregation
from .cchc import scheme_for_year
from .dossiers import upsert_dossier_stats
from .models import (
    ChannelSnapshot,
    DossierStat,
    IndexSnapshot,
    RatingHourRollup,
    RatingRollup,
    RollupState,
    SnapshotRun,
)
from .periods import Period, periods_containing

logger = logging.getLogger(__name__)

FORMULA_VERSION = "sipas-2025.1"


def _setting(name: str, default):
    return getattr(settings, name, default)


def minimum_sample() -> int:
    """The configured minimum sample (`INDICES_MIN_SAMPLE`, default 30), used when the dossiers handled are not
    known."""
    return int(_setting("INDICES_MIN_SAMPLE", 30))


def _local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- rollups -----------------------------------------------------------------------------------------------------

# The statuses that `Rating.objects.counted()` keeps; spelt out here so that answers can be filtered through a
# plain join (a test checks that both agree).
COUNTED_STATUSES = (Rating.Status.ACCEPTED, Rating.Status.REINSTATED)


def counted_ratings(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES})


def _scan_rows(buckets: dict | None) -> tuple[str, list]:
    """Counted ratings per counter x local day x local hour x score: the one scan of the ratings table from which
    both the overall-question rollup and the hour rollup are derived (the portable path)."""
    tz = _local_tz()
    qs = (
        Rating.objects.filter(counted_ratings(), _bucket_filter(buckets))
        .annotate(r_day=TruncDate("created_at", tzinfo=tz), r_hour=ExtractHour("created_at", tzinfo=tz))
        .values("counter_id", "unit_id", "channel", "r_day", "r_hour", "score")
        .annotate(r_count=Count("id"))
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _answer_rows(buckets: dict | None) -> tuple[str, str, list]:
    tz = _local_tz()
    qs = (
        RatingAnswer.objects.filter(counted_ratings("rating__"), _bucket_filter(buckets, "rating__"))
        .annotate(
            r_counter=F("rating__counter_id"),
            r_unit=F("rating__unit_id"),
            r_channel=F("rating__channel"),
            r_day=TruncDate("rating__created_at", tzinfo=tz),
            r_value=Coalesce("value", 0),
        )
        .values("r_counter", "r_unit", "r_channel", "r_day", "item_id", "r_value")
        .annotate(r_count=Count("id"))
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    return "counter_id, unit_id, channel, day, item_id, value, count", sql, list(params)


def _insert_select(model, columns: str, sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({columns}) {sql}", params)  # noqa: S608
        return cursor.rowcount


def _fill_rollups(buckets: dict[datetime.date, set[int]] | None = None) -> int:
    """Insert the rollup rows of the counted ratings in the given buckets, or of all (the caller has deleted the
    old rows, and holds the locks that keep every other writer out). Returns the number of rollup rows written."""
    if connection.vendor == "postgresql":
        return _fill_rollups_postgresql(buckets)
    rollup, hours = RatingRollup._meta.db_table, RatingHourRollup._meta.db_table
    sql, params = _scan_rows(buckets)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_scan AS {sql}", params)
        cursor.execute(
            f"INSERT INTO {rollup} (counter_id, unit_id, channel, day, value, count) "  # noqa: S608
            "SELECT counter_id, unit_id, channel, r_day, score, SUM(r_count) FROM rollup_scan "
            "GROUP BY counter_id, unit_id, channel, r_day, score"
        )
        inserted = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {hours} (counter_id, unit_id, day, hour, ratings, dissatisfied) "  # noqa: S608
            "SELECT counter_id, unit_id, r_day, r_hour, SUM(r_count), "
            "SUM(CASE WHEN score <= 2 THEN r_count ELSE 0 END) FROM rollup_scan "
            "GROUP BY counter_id, unit_id, r_day, r_hour"
        )
        cursor.execute("DROP TABLE rollup_scan")
    return inserted + _insert_select(RatingRollup, *_answer_rows(buckets))


# The PostgreSQL path. Each table is read once and counted into a narrow staging table with one row per counter x
# unit x local hour (ratings: a count per overall score) or local day x item (answers: a count per value), the
# counts pivoted into columns so that the hash aggregate keeps 5 to 6 times fewer groups. `CREATE TABLE AS` may
# use parallel workers where `INSERT ... SELECT` may not (PostgreSQL 15), and the local hour and day come from
# `date_trunc` in the session time zone, which costs a fraction of `AT TIME ZONE` per row. The staging rows are
# then unpivoted into the rollups. The counts are stored as `int` so that their sums are `bigint`, not `numeric`.
_SCORES = range(1, 6)
_VALUES = range(0, 6)  # 0 is "no opinion" (a null answer)

_HOUR_STAGE_SQL = (
    "CREATE TEMPORARY TABLE rollup_hour_stage AS "
    "SELECT r.counter_id, r.unit_id, r.channel, date_trunc('hour', r.created_at) AS hour_start, "
    + ", ".join(f"(count(*) FILTER (WHERE r.score = {s}))::int AS s{s}" for s in _SCORES)
    + f" FROM {Rating._meta.db_table} AS r WHERE r.status IN (%s, %s){{buckets}} GROUP BY 1, 2, 3, 4"
)
# Answers carry their rating's counter, unit and time, so the rebuild counts them alone, without joining 10 million
# answers to their ratings (which cost two thirds of the rebuild): it counts every answer, then subtracts the
# answers of the few ratings that do not count (found through the small partial index `rating_not_counted`, then
# the answers' index on their rating); the insert below sums both. The refresh, which reads a few buckets, finds
# its answers through the ratings.
_ANSWER_COUNTS_SQL = (
    "SELECT a.counter_id, a.unit_id, a.channel, date_trunc('day', a.created_at) AS day_start, a.item_id, "
    + ", ".join(
        f"{{sign}}(count(*) FILTER (WHERE a.value {'IS NULL' if v == 0 else f'= {v}'}))::int AS v{v}" for v in _VALUES
    )
    + f" FROM {RatingAnswer._meta.db_table} AS a {{source}} GROUP BY 1, 2, 3, 4, 5"
)
_ANSWER_STAGE_SQL = "CREATE TEMPORARY TABLE rollup_answer_stage AS " + _ANSWER_COUNTS_SQL
_UNCOUNTED_ANSWERS_SQL = "INSERT INTO rollup_answer_stage " + _ANSWER_COUNTS_SQL.format(
    sign="-",
    source=f"JOIN {Rating._meta.db_table} AS r ON r.id = a.rating_id WHERE NOT r.status IN (%s, %s)",
)
_BUCKET_ANSWERS = f"JOIN {Rating._meta.db_table} AS r ON r.id = a.rating_id WHERE r.status IN (%s, %s){{buckets}}"
# A local hour that occurs twice (the end of daylight saving time) gives two `hour_start`: hence the GROUP BY.
_HOUR_INSERT_SQL = (
    f"INSERT INTO {RatingHourRollup._meta.db_table} (counter_id, unit_id, day, hour, ratings, dissatisfied) "
    "SELECT counter_id, unit_id, hour_start::date, date_part('hour', hour_start)::int, "
    "sum(s1 + s2 + s3 + s4 + s5), sum(s1 + s2) FROM rollup_hour_stage GROUP BY 1, 2, 3, 4{conflict}"
)
# Both sum their staging rows per bucket before unpivoting them (far fewer rows to unpivot than to sum after).
_OVERALL_INSERT_SQL = (
    f"INSERT INTO {RatingRollup._meta.db_table} (counter_id, unit_id, channel, day, value, count) "
    "SELECT counter_id, unit_id, channel, day, v.score, v.n FROM (SELECT counter_id, unit_id, channel, "
    "hour_start::date AS day, "
    + ", ".join(f"sum(s{s}) AS s{s}" for s in _SCORES)
    + " FROM rollup_hour_stage GROUP BY 1, 2, 3, 4) AS d "
    "CROSS JOIN LATERAL (VALUES " + ", ".join(f"({s}, s{s})" for s in _SCORES) + ") AS v(score, n) "
    "WHERE v.n > 0{conflict}"
)
_ANSWER_INSERT_SQL = (
    f"INSERT INTO {RatingRollup._meta.db_table} (counter_id, unit_id, channel, day, item_id, value, count) "
    "SELECT counter_id, unit_id, channel, day, item_id, v.value, v.n FROM (SELECT counter_id, unit_id, channel, "
    "day_start::date AS day, item_id, "
    + ", ".join(f"sum(v{v}) AS v{v}" for v in _VALUES)
    + " FROM rollup_answer_stage GROUP BY 1, 2, 3, 4, 5) AS d "
    "CROSS JOIN LATERAL (VALUES " + ", ".join(f"({v}, v{v})" for v in _VALUES) + ") AS v(value, n) "
    "WHERE v.n > 0{conflict}"
)
# When the unique indexes are there (the incremental refresh), a row that is already present is overwritten with the
# count just recomputed from the raw ratings: the refresh deletes its buckets first and keeps other writers out
# with a table lock, so this never happens; it is the last line of defence against a duplicate-key failure.
_CONFLICTS = {
    "hour": " ON CONFLICT (counter_id, unit_id, day, hour) DO UPDATE SET ratings = EXCLUDED.ratings, "
    "dissatisfied = EXCLUDED.dissatisfied",
    "overall": " ON CONFLICT (counter_id, unit_id, channel, day, value) WHERE item_id IS NULL "
    "DO UPDATE SET count = EXCLUDED.count",
    "answer": " ON CONFLICT (counter_id, unit_id, channel, day, item_id, value) WHERE item_id IS NOT NULL "
    "DO UPDATE SET count = EXCLUDED.count",
}


def _bucket_sql(buckets: dict[datetime.date, set[int]] | None) -> tuple[str, list]:
    """The SQL condition on ratings `r` of `_bucket_filter`, for the PostgreSQL statements."""
    if buckets is None:
        return "", []
    tz = _local_tz()
    parts, params = [], []
    for day, counters in sorted(buckets.items()):
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        parts.append("(r.created_at >= %s AND r.created_at < %s AND r.counter_id = ANY(%s))")
        params += [start, start + datetime.timedelta(days=1), sorted(counters)]
    return " AND (" + " OR ".join(parts) + ")", params


def _fill_rollups_postgresql(buckets: dict[datetime.date, set[int]] | None) -> int:
    where, params = _bucket_sql(buckets)
    params = [*COUNTED_STATUSES, *params]
    # With a full rebuild the unique indexes are dropped during the load; the refresh inserts through them.
    conflicts = _CONFLICTS if buckets is not None else dict.fromkeys(_CONFLICTS, "")
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        cursor.execute(_HOUR_STAGE_SQL.format(buckets=where), params)
        if buckets is None:
            cursor.execute(_ANSWER_STAGE_SQL.format(sign="", source=""))
            # A few thousand index lookups, where a hash join would read all 10 million answers again.
            cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            cursor.execute(_UNCOUNTED_ANSWERS_SQL, COUNTED_STATUSES)
            cursor.execute("SET LOCAL enable_hashjoin = on; SET LOCAL enable_mergejoin = on")
        else:
            cursor.execute(_ANSWER_STAGE_SQL.format(sign="", source=_BUCKET_ANSWERS.format(buckets=where)), params)
        cursor.execute(_HOUR_INSERT_SQL.format(conflict=conflicts["hour"]))
        cursor.execute(_OVERALL_INSERT_SQL.format(conflict=conflicts["overall"]))
        written += cursor.rowcount
        cursor.execute(_ANSWER_INSERT_SQL.format(conflict=conflicts["answer"]))
        written += cursor.rowcount
        cursor.execute("DROP TABLE rollup_hour_stage, rollup_answer_stage")
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [connection.timezone_name])
    return written


def _locked_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _lock_rollup_tables() -> None:
    """Keep every other writer of the rollups out until the end of the transaction; readers go on.

    Refreshes and rebuilds already queue on the state row; this also stops any writer that does not take it
    (an operator's SQL, an older deployment still running) from adding a row between a refresh's DELETE and its
    INSERT, which would fail the INSERT with a duplicate key."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {RatingRollup._meta.db_table}, {RatingHourRollup._meta.db_table} "  # noqa: S608
                "IN SHARE ROW EXCLUSIVE MODE"
            )


def _drop_primary_keys(cursor, *models) -> list[tuple[str, str]]:
    """Drop the models' primary keys (built again after the load, like the other indexes); returns (table, name)."""
    dropped = []
    for model in models:
        table = model._meta.db_table
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            dropped.append((table, name))
    return dropped


@transaction.atomic
def rebuild_rollups() -> int:
    """Recompute every rollup row from the raw ratings. Returns the number of rollup rows written.

    On PostgreSQL the tables are truncated and their indexes (primary keys included) dropped during the load and
    built again afterwards (one sort instead of millions of index insertions), all in one transaction: readers of
    the rollups wait for the rebuild to finish and never see a half-built table. The scans of ratings and answers
    may use `INDICES_REBUILD_WORKERS` parallel workers (default 2) and 256 MB of `work_mem` each, for this
    transaction only."""
    state = _locked_state()
    started = timezone.now()
    if connection.vendor != "postgresql":
        RatingRollup.objects.all().delete()
        RatingHourRollup.objects.all().delete()
        written = _fill_rollups()
    else:
        indexes = [
            (model, index)
            for model in (RatingRollup, RatingHourRollup)
            for index in [*model._meta.indexes, *model._meta.constraints]
            if isinstance(index, UniqueConstraint | Index)
        ]
        workers = int(_setting("INDICES_REBUILD_WORKERS", 2))
        with connection.cursor() as cursor:
            # Room to count and index millions of rows in memory rather than in temporary files.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Compiling these few statements costs more than JIT saves on them (0.7-0.9 s each at 10M ratings).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [str(workers)])
            cursor.execute(
                f"TRUNCATE {RatingRollup._meta.db_table}, {RatingHourRollup._meta.db_table}"  # noqa: S608
            )
            primary_keys = _drop_primary_keys(cursor, RatingRollup, RatingHourRollup)
        with connection.schema_editor() as editor:
            for model, index in indexes:
                (editor.remove_index if isinstance(index, Index) else editor.remove_constraint)(model, index)
        written = _fill_rollups()
        with connection.cursor() as cursor:
            for table, name in primary_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" PRIMARY KEY (id)')
        with connection.schema_editor() as editor:
            for model, index in indexes:
                (editor.add_index if isinstance(index, Index) else editor.add_constraint)(model, index)
    state.watermark = started
    state.rebuilt_at = state.refreshed_at = timezone.now()
    state.save()
    return written


@dataclass
class RefreshResult:
    buckets: int = 0
    days: set[datetime.date] = field(default_factory=set)


def _bucket_filter(buckets: dict[datetime.date, set[int]] | None, prefix: str = "") -> Q:
    """Ratings of the given counters on the given local days, as index-friendly ranges of `created_at`
    (every rating when `buckets` is None)."""
    tz = _local_tz()
    condition = Q()
    if buckets is None:
        return condition
    for day, counters in buckets.items():
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
        end = start + datetime.timedelta(days=1)
        condition |= Q(
            **{f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end, f"{prefix}counter_id__in": counters}
        )
    return condition


@transaction.atomic
def refresh_rollups() -> RefreshResult:
    """Recompute the (counter, day) buckets that have a rating changed since the last watermark.

    A rating's `updated_at` is set when its transaction writes it, but the row becomes visible only when that
    transaction commits, possibly after our run: buckets are therefore looked up from `watermark - overlap`
    (setting `INDICES_ROLLUP_OVERLAP_SECONDS`, default 300), so a late commit is caught by a later run.
    Recomputing a bucket from the raw rows makes running twice harmless. Two runs never overlap: the state row
    is locked, and on PostgreSQL the rollup tables too, against any other writer; the rows are upserted, so a row
    already there is replaced by the recomputed count instead of failing the refresh with a duplicate key.
    """
    state = _locked_state()
    _lock_rollup_tables()
    started = timezone.now()
    if state.watermark is None:
        rebuild_rollups()
        result = RefreshResult()
        result.days = {
            d for d in RatingRollup.objects.values_list("day", flat=True).distinct().order_by() if d is not None
        }
        return result
    overlap = datetime.timedelta(seconds=_setting("INDICES_ROLLUP_OVERLAP_SECONDS", 300))
    touched = (
        Rating.objects.filter(updated_at__gte=state.watermark - overlap)
        .annotate(r_day=TruncDate("created_at", tzinfo=_local_tz()))
        .values_list("counter_id", "r_day")
        .distinct()
        .order_by()
    )
    buckets: dict[datetime.date, set[int]] = defaultdict(set)
    for counter_id, day in touched:
        buckets[day].add(counter_id)
    result = RefreshResult(buckets=sum(len(c) for c in buckets.values()), days=set(buckets))
    _recompute_buckets(buckets)
    state.watermark = started
    state.refreshed_at = timezone.now()
    state.save()
    return result


def _recompute_buckets(buckets: dict[datetime.date, set[int]]) -> None:
    """Delete and recount the rollups of the given (day, counters) buckets from the raw ratings. Bounded
    statements: a backlog of many days is recounted a month of days at a time. The caller holds the locks."""
    days = sorted(buckets)
    for offset in range(0, len(days), 31):
        chunk = {day: buckets[day] for day in days[offset : offset + 31]}
        rollup_filter = Q()
        for day, counters in chunk.items():
            rollup_filter |= Q(day=day, counter_id__in=counters)
        RatingRollup.objects.filter(rollup_filter).delete()
        RatingHourRollup.objects.filter(rollup_filter).delete()
        _fill_rollups(chunk)


@transaction.atomic
def refresh_rollup_buckets(*, buckets: dict[datetime.date, set[int]]) -> None:
    """Recount the rollups of exactly these (day, counters) buckets, whatever the watermark says: for writes that
    leave no changed rating behind (an imported batch rolled back deletes its ratings). With no watermark yet
    (rollups never built), everything is rebuilt instead."""
    state = _locked_state()
    _lock_rollup_tables()
    if state.watermark is None:
        rebuild_rollups()
        return
    _recompute_buckets(buckets)


# --- snapshots ---------------------------------------------------------------------------------------------------


def _pakn_outcomes(start: datetime.date, end: datetime.date) -> list[dict]:
    """PAKN outcomes per unit from the feedback app (`unit_id, received, answer_due, answered_on_time, rated,
    rated_satisfied`)."""
    return list(pakn_outcomes_by_unit(start=start, end=end))


def _period_frame(rows: Iterable[dict], period: Period) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return frame
    frame["period_kind"], frame["period_start"], frame["period_end"] = period.as_tuple()
    return frame


def _monthly_counts(start: datetime.date, end: datetime.date) -> pd.DataFrame:
    """Rollup counts per counter x unit x month x item (0 for the overall question) x value between two days.

    On PostgreSQL one plain SQL statement returns only integers (the month as year x 12 + month - 1), which load
    several times faster than dates and nullable columns through the ORM; the months become datetimes in one
    vectorised step."""
    columns = ["counter_id", "unit_id", "channel", "month", "item_id", "value", "count"]
    if connection.vendor != "postgresql":
        monthly = (
            RatingRollup.objects.filter(day__gte=start, day__lte=end)
            .annotate(month=TruncMonth("day"))
            .values("counter_id", "unit_id", "channel", "month", "item_id", "value")
            .annotate(count=Sum("count"))
            .order_by()
        )
        frame = pd.DataFrame(list(monthly), columns=columns)
        frame["item_id"] = frame["item_id"].fillna(0).astype("int64")
        return frame
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT counter_id, unit_id, channel, "  # noqa: S608
            "(date_part('year', day) * 12 + date_part('month', day) - 1)::int, coalesce(item_id, 0), value, "
            f"sum(count)::bigint FROM {RatingRollup._meta.db_table} WHERE day BETWEEN %s AND %s "
            "GROUP BY 1, 2, 3, 4, 5, 6",
            [start, end],
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    if frame.empty:
        return frame
    months = frame["month"].astype("int64")
    frame["month"] = pd.to_datetime(pd.DataFrame({"year": months // 12, "month": months % 12 + 1, "day": 1}))
    return frame


def _rollup_counts(periods: list[Period]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts per counter x channel x period x item x value from the rollups: (answers, overall) as aggregation
    wants, plus a `channel` column (`_of_channels` keeps some channels and drops it)."""
    whole = [p for p in periods if p.is_whole_months]
    parts = []
    if whole:
        start, end = min(p.start for p in whole), max(p.end for p in whole)
        frame = _monthly_counts(start, end)
        parts.append(aggregation.expand_periods(frame, [p.as_tuple() for p in whole]))
    for period in periods:
        if period.is_whole_months:
            continue
        rows = (
            RatingRollup.objects.filter(day__gte=period.start, day__lte=period.end)
            .values("counter_id", "unit_id", "channel", "item_id", "value")
            .annotate(count=Sum("count"))
            .order_by()
        )
        frame = _period_frame(rows, period)
        if not frame.empty:
            frame["item_id"] = frame["item_id"].fillna(0).astype("int64")
            parts.append(frame)
    columns = ["counter_id", "unit_id", "channel", "item_id", "value", *aggregation.PERIOD_KEYS, "count"]
    counts = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    overall = counts[counts["item_id"] == 0].drop(columns="item_id")
    items = pd.DataFrame(
        list(QuestionnaireItem.objects.values("id", "code", "element")), columns=["id", "code", "element"]
    ).rename(columns={"id": "item_id", "code": "item_code"})
    answers = counts[counts["item_id"] != 0].merge(items, on="item_id").drop(columns="item_id")
    return answers, overall


def _unit_month_frames(periods: list[Period]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dossier statistics per unit x period: (populations, dossiers)."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    stats = pd.DataFrame(
        list(
            DossierStat.objects.filter(month__gte=start, month__lte=end).values("unit_id", "month", "handled", "late")
        ),
        columns=["unit_id", "month", "handled", "late"],
    )
    keys = ["unit_id", *aggregation.PERIOD_KEYS]
    parts = []
    for period in periods:
        inside = stats[(stats["month"] >= period.start) & (stats["month"] <= period.end)]
        if inside.empty:
            continue
        part = inside.groupby("unit_id", as_index=False)[["handled", "late"]].sum()
        part["period_kind"], part["period_start"], part["period_end"] = period.as_tuple()
        parts.append(part)
    dossiers = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*keys, "handled", "late"])
    populations = dossiers[keys].assign(population=dossiers["handled"])
    return populations, dossiers


def _pakn_frame(periods: list[Period]) -> pd.DataFrame:
    parts = [_period_frame(_pakn_outcomes(p.start, p.end), p) for p in periods]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _clean(value):
    return None if value is None or pd.isna(value) else float(value)


@transaction.atomic
def compute_snapshots(*, periods: list[Period], trigger: str = "manual") -> SnapshotRun:
    """Compute and store every figure of the given periods, for counters, units, groups and the province.

    Reads rollups, dossier statistics and the feedback app's PAKN outcomes; upserts one `IndexSnapshot` per level x
    entity x period x index and removes the figures of these periods that no longer exist. Idempotent.
    """
    periods = sorted(set(periods))
    run = SnapshotRun.objects.create(
        formula_version=FORMULA_VERSION, periods=", ".join(str(p) for p in periods)[:200], trigger=trigger[:40]
    )
    if not periods:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        return run
    channel_answers, channel_overall = _rollup_counts(periods)
    answers, overall = _of_channels(channel_answers), _of_channels(channel_overall)
    populations, dossiers = _unit_month_frames(periods)
    unit_groups = pd.DataFrame(
        list(Unit.objects.values("id", "group_id", "valid_from", "valid_to")),
        columns=["id", "group_id", "valid_from", "valid_to"],
    ).rename(columns={"id": "unit_id"})
    figures = aggregation.snapshot_figures(
        answers=answers,
        overall=overall,
        unit_groups=unit_groups,
        populations=populations,
        pakn=_pakn_frame(periods),
        dossiers=dossiers,
        minimum=minimum_sample(),
        elements=Element.values,
    )
    _store_snapshots(figures, run, periods)
    _store_channel_snapshots(
        run=run,
        periods=periods,
        answers=channel_answers,
        overall=channel_overall,
        unit_groups=unit_groups,
        populations=populations,
    )
    run.rating_count = _rating_count(overall, periods)
    run.finished_at = timezone.now()
    run.save(update_fields=["rating_count", "finished_at"])
    return run


# --- figures per channel ------------------------------------------------------------------------------------------

# The continuous feedback, as opposed to the official survey and historical imports: the set the report compares the
# survey with.
LIVE_CHANNELS = (Rating.Channel.QR, Rating.Channel.WEB, Rating.Channel.KIOSK, Rating.Channel.API)
# The figures kept per set of channels, with the element indices (criteria and Decision 766 figures stay with all
# channels together).
CHANNEL_INDICES = ("sipas", "overall", "mean_score", "dissatisfaction", "pooled_sipas", "pooled_overall")


def channel_key(channels) -> str:
    """The stored name of a set of channels: sorted codes joined by "+"; "" for all channels."""
    return "+".join(sorted({str(c) for c in channels}))


def _of_channels(frame: pd.DataFrame, channels=None) -> pd.DataFrame:
    """The counts of some channels (all when None), summed over them, without the `channel` column."""
    if "channel" not in frame.columns:
        return frame
    if channels is not None:
        frame = frame[frame["channel"].isin([str(c) for c in channels])]
    keys = [c for c in frame.columns if c not in ("channel", "count")]
    if frame.empty:
        return frame.drop(columns="channel")
    return frame.groupby(keys, as_index=False, dropna=False, sort=False)["count"].sum()


def _channel_sets(overall: pd.DataFrame, periods: list[Period]) -> list[tuple[str, ...]]:
    """Each channel that has ratings in these periods, the continuous feedback together, and the sets that the
    report settings of the periods' years count."""
    present = sorted(set(overall["channel"].unique())) if not overall.empty else []
    sets = {(channel,) for channel in present}
    if any(c in LIVE_CHANNELS for c in present):
        sets.add(tuple(sorted(str(c) for c in LIVE_CHANNELS)))
    for year in {p.start.year for p in periods}:
        configured = scheme_for_year(year).channels or []
        if configured:
            sets.add(tuple(sorted(configured)))
    return sorted(sets)


def _store_channel_snapshots(
    *,
    run: SnapshotRun,
    periods: list[Period],
    answers: pd.DataFrame,
    overall: pd.DataFrame,
    unit_groups: pd.DataFrame,
    populations: pd.DataFrame,
) -> None:
    """Compute the unit, group and province figures of every channel set (same formulas as all channels
    together) and upsert them as `ChannelSnapshot` rows; figures of these periods that no longer exist go."""
    rows = []
    now = timezone.now()
    for channels in _channel_sets(overall, periods):
        figures = aggregation.snapshot_figures(
            answers=_of_channels(answers, channels),
            overall=_of_channels(overall, channels),
            unit_groups=unit_groups,
            populations=populations,
            minimum=minimum_sample(),
            elements=Element.values,
        )
        kept = figures["index"].isin(CHANNEL_INDICES) | figures["index"].str.startswith("element:")
        figures = figures[(figures["level"] != "counter") & kept]
        figures = figures.astype(object).where(figures.notna(), None)
        key = channel_key(channels)
        for r in figures[[*SNAPSHOT_KEY, *FIGURE_FIELDS]].itertuples(index=False):
            rows.append(
                ChannelSnapshot(
                    channels=key,
                    level=r.level,
                    entity_id=int(r.entity_id),
                    period_kind=r.period_kind,
                    period_start=r.period_start,
                    period_end=r.period_end,
                    index=r.index,
                    value=r.value,
                    n=int(r.n or 0),
                    ci_low=r.ci_low,
                    ci_high=r.ci_high,
                    adequate=bool(r.adequate),
                    ballots=int(r.ballots or 0),
                    units_counted=None if r.units_counted is None else int(r.units_counted),
                    units_total=None if r.units_total is None else int(r.units_total),
                    status=r.status,
                    run=run,
                    updated_at=now,
                )
            )
    ChannelSnapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=[*SNAPSHOT_KEY, "channels"],
        update_fields=[*FIGURE_FIELDS, "run", "updated_at"],
    )
    stale = Q()
    for period in periods:
        stale |= Q(period_kind=period.kind, period_start=period.start, period_end=period.end)
    ChannelSnapshot.objects.filter(stale).exclude(run=run).delete()


SNAPSHOT_KEY = ["level", "entity_id", "period_kind", "period_start", "period_end", "index"]
FIGURE_FIELDS = ["value", "n", "ci_low", "ci_high", "adequate", "ballots", "units_counted", "units_total", "status"]
SNAPSHOT_VALUES = [*FIGURE_FIELDS, "run_id", "updated_at"]


def _store_snapshots(figures: pd.DataFrame, run: SnapshotRun, periods: list[Period]) -> None:
    """Upsert one row per figure and delete the figures of these periods that no longer exist.

    On PostgreSQL the rows are streamed with COPY into a temporary table and merged with one INSERT ... ON
    CONFLICT that rewrites only the figures that changed (a figure keeps the run that last changed it), then one
    DELETE of what the new set lacks. On SQLite one prepared INSERT ... ON CONFLICT rewrites every figure."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        # One prepared statement run over every row: the ORM's bulk_create would compile each batch of a few
        # dozen rows (SQLite's limit on parameters), which took most of the demo's start-up.
        frame = figures[[*SNAPSHOT_KEY, *FIGURE_FIELDS]].astype(object)
        frame = frame.where(frame.notna(), None)
        ops = connection.ops
        stamp, run_id = ops.adapt_datetimefield_value(now), run.pk
        rows = [
            (
                level,
                int(entity_id),
                kind,
                ops.adapt_datefield_value(start),
                ops.adapt_datefield_value(end),
                index,
                value,
                int(n),
                ci_low,
                ci_high,
                bool(adequate),
                int(ballots),
                None if counted is None else int(counted),
                None if total is None else int(total),
                status,
                run_id,
                stamp,
            )
            for (
                level,
                entity_id,
                kind,
                start,
                end,
                index,
                value,
                n,
                ci_low,
                ci_high,
                adequate,
                ballots,
                counted,
                total,
                status,
            ) in frame.itertuples(index=False, name=None)
        ]
        table = IndexSnapshot._meta.db_table
        columns = ", ".join(f'"{c}"' for c in SNAPSHOT_KEY + SNAPSHOT_VALUES)
        keys = ", ".join(f'"{c}"' for c in SNAPSHOT_KEY)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in SNAPSHOT_VALUES)
        marks = ", ".join(["%s"] * len(SNAPSHOT_KEY + SNAPSHOT_VALUES))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
                f"ON CONFLICT ({keys}) DO UPDATE SET {updates}",
                rows,
            )
        stale = Q()
        for period in periods:
            stale |= Q(period_kind=period.kind, period_start=period.start, period_end=period.end)
        IndexSnapshot.objects.filter(stale).exclude(run=run).delete()
        return
    table = IndexSnapshot._meta.db_table
    columns = ", ".join(f'"{c}"' for c in SNAPSHOT_KEY + SNAPSHOT_VALUES)
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in SNAPSHOT_VALUES)
    figure_columns = FIGURE_FIELDS
    current = ", ".join(f'{table}."{c}"' for c in figure_columns)
    incoming = ", ".join(f'EXCLUDED."{c}"' for c in figure_columns)
    keys = ", ".join(f'"{c}"' for c in SNAPSHOT_KEY)
    same_key = " AND ".join(f'gone."{c}" = s."{c}"' for c in SNAPSHOT_KEY)
    in_periods = (
        "(" + " OR ".join(["(period_kind = %s AND period_start = %s AND period_end = %s)"] * len(periods)) + ")"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE snapshot_load ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
        )
        # The figures go over as one CSV text written by pandas (empty fields are nulls), not row by row.
        load = figures[[*SNAPSHOT_KEY, *FIGURE_FIELDS]].assign(
            entity_id=figures["entity_id"].astype("int64"),
            n=figures["n"].astype("int64"),
            ballots=figures["ballots"].astype("int64"),
            units_counted=figures["units_counted"].astype("Int64"),
            units_total=figures["units_total"].astype("Int64"),
            adequate=figures["adequate"].astype(bool),
            run_id=run.pk,
            updated_at=now.isoformat(),
        )
        with cursor.cursor.copy(f"COPY snapshot_load ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(load.to_csv(index=False, header=False))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM snapshot_load "  # noqa: S608
            f'ON CONFLICT ("level", "entity_id", "period_kind", "period_start", "period_end", "index") '
            f"DO UPDATE SET {updates} WHERE ({current}) IS DISTINCT FROM ({incoming})"
        )
        # What these periods had and the new set lacks: EXCEPT hashes both sides, whatever the statistics say.
        cursor.execute(
            f"DELETE FROM {table} AS s USING ("  # noqa: S608
            f"SELECT {keys} FROM {table} WHERE {in_periods} EXCEPT SELECT {keys} FROM snapshot_load"
            f") AS gone WHERE {same_key}",
            [value for period in periods for value in period.as_tuple()],
        )
        cursor.execute("DROP TABLE snapshot_load")


def _rating_count(overall: pd.DataFrame, periods: list[Period]) -> int:
    """How many counted ratings the run rests on: those of the longest period (the others lie inside it for the
    usual month/quarter/year runs)."""
    if overall.empty:
        return 0
    longest = max(periods, key=lambda p: (p.end - p.start, p.start))
    mask = (overall["period_start"] == longest.start) & (overall["period_end"] == longest.end)
    mask &= overall["period_kind"] == longest.kind
    return int(overall.loc[mask, "count"].sum())


def refresh_indices(*, today: datetime.date | None = None) -> SnapshotRun:
    """The periodic job: refresh rollups, then recompute the current month, quarter and year and every period
    that contains a day whose ratings changed."""
    result = refresh_rollups()
    today = today or timezone.localdate()
    periods = set(periods_containing(today))
    for day in result.days:
        periods.update(periods_containing(day))
    return compute_snapshots(periods=sorted(periods), trigger="periodic")


def compute_indices(*, periods: list[Period], rebuild: bool = False, trigger: str = "command") -> SnapshotRun:
    """What `compute_indices` and its task do: optionally rebuild rollups, else refresh them; then compute."""
    if rebuild:
        rebuild_rollups()
    else:
        refresh_rollups()
    return compute_snapshots(periods=periods, trigger=trigger)


# --- dossier statistics ------------------------------------------------------------------------------------------


class DossierImportError(Exception):
    """Rows that could not be imported; nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


DOSSIER_COLUMNS = ("unit", "month", "handled", "late")


@transaction.atomic
def import_dossier_stats(*, text: str) -> int:
    """Import dossier statistics from CSV text with the columns `unit` (unit code), `month` (YYYY-MM),
    `handled` and `late`, through `indices.dossiers.upsert_dossier_stats` (the API's path too): every row is
    validated first; any error imports nothing and raises `DossierImportError` with one message per bad row
    (numbered as in a spreadsheet, the header being row 1). Returns the number of rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in DOSSIER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DossierImportError([_("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)}])

    def number(raw: str | None) -> int | str:
        raw = (raw or "").strip()
        return int(raw) if raw.lstrip("-").isascii() and raw.lstrip("-").isdigit() else raw

    rows = [
        {
            "unit": (row.get("unit") or "").strip(),
            "month": (row.get("month") or "").strip(),
            "handled": number(row.get("handled")),
            "late": number(row.get("late")),
        }
        for row in reader
    ]
    try:
        return upsert_dossier_stats(rows=rows, source="import")
    except ValidationError as error:
        problems: dict[int, list[str]] = {}
        for key, messages in error.message_dict.items():
            problems.setdefault(int(key.split(".", 1)[0]), []).extend(messages)
        raise DossierImportError(
            [
                _("Dòng %(line)s: %(problems)s") % {"line": index + 2, "problems": " ".join(messages)}
                for index, messages in sorted(problems.items())
            ]
        ) from None
