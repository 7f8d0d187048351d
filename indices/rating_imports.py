"""Rating imports end to end: a file is staged and checked in the background (the dry run), imported on
confirmation, and its figures follow: the rollups of exactly the (day, counter) buckets it touches and the
snapshots of the months, quarters and years that contain those days are recomputed, with progress on the batch.
Rolling a batch back deletes its ratings and recomputes the same buckets and periods.

The page, the command and the API call these functions; the tasks run the long parts. Writes of ratings belong
to `survey.imports`; this module adds what the indices app owns (rollups, snapshots) and the progress.

Progress: the import itself runs in one transaction (all or nothing), so its progress goes to the cache, where
`import_progress` reads it; the other steps commit it on the batch row.
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.utils import timezone

from config.celery import enqueue_on_commit
from survey import imports
from survey.models import RatingImport, User

from .periods import periods_containing
from .services import compute_snapshots, refresh_rollup_buckets

log = logging.getLogger(__name__)

ImportRefused = imports.ImportRefused


def _progress_key(batch_id: int) -> str:
    return f"rating-import:{batch_id}:progress"


def _report(batch_id: int, percent: int, *, commit: bool) -> None:
    percent = max(0, min(100, int(percent)))
    try:
        cache.set(_progress_key(batch_id), percent, 3600)
    except Exception:
        log.warning("The cache is unavailable; import progress is shown per step only", exc_info=True)
    if commit:
        RatingImport.objects.filter(pk=batch_id).update(progress=percent)


def import_progress(batch: RatingImport) -> int:
    """The batch's progress in percent, finer than the committed value while a step runs."""
    if batch.is_finished:
        return 100 if batch.status != RatingImport.Status.FAILED else batch.progress
    try:
        cached = cache.get(_progress_key(batch.pk))
    except Exception:
        cached = None
    return max(batch.progress, cached or 0) if isinstance(cached, int) else batch.progress


def request_rating_import(*, content: bytes, file_name: str, channel: str, by: User | None) -> RatingImport:
    """Stage the file as a batch and check it in the background (a dry run: nothing is imported)."""
    from .tasks import check_rating_import_task

    batch = imports.stage_rating_import(content=content, file_name=file_name, channel=channel, by=by)
    enqueue_on_commit(check_rating_import_task, batch.pk)
    return batch


def check_rating_import(*, batch_id: int) -> RatingImport:
    """The task body of the dry run."""
    return imports.check_rating_import(
        batch_id=batch_id, on_progress=lambda done, total: _report(batch_id, 100 * done / max(total, 1), commit=True)
    )


def confirm_rating_import(*, batch: RatingImport, by: User | None) -> RatingImport:
    """Import a checked batch in the background."""
    from .tasks import run_rating_import_task

    batch = imports.confirm_rating_import(batch=batch, by=by)
    _report(batch.pk, 0, commit=False)
    enqueue_on_commit(run_rating_import_task, batch.pk)
    return batch


def _periods(batch: RatingImport) -> list:
    periods = set()
    for day in batch.days:
        periods.update(periods_containing(datetime.date.fromisoformat(day)))
    return sorted(periods)


def _refresh(batch: RatingImport, *, start: int) -> None:
    """Recompute the batch's rollup buckets, then the snapshots of its periods (progress from `start` to 100)."""
    refresh_rollup_buckets(buckets=imports.batch_buckets(batch))
    _report(batch.pk, start + (100 - start) // 3, commit=True)
    periods = _periods(batch)
    if periods:
        compute_snapshots(periods=periods, trigger=f"import:{batch.pk}")


def run_rating_import(*, batch_id: int) -> RatingImport:
    """The task body of an import: write the ratings (0-70 %), then refresh rollups and snapshots (70-100 %).
    A failure marks the batch failed (nothing of it stays imported) and re-raises."""
    batch = RatingImport.objects.get(pk=batch_id)
    if batch.status != RatingImport.Status.QUEUED:
        return batch
    RatingImport.objects.filter(pk=batch_id).update(status=RatingImport.Status.IMPORTING, progress=0)
    try:
        count = imports.write_batch_ratings(
            batch=batch, on_progress=lambda done, total: _report(batch_id, 70 * done / max(total, 1), commit=False)
        )
        RatingImport.objects.filter(pk=batch_id).update(
            status=RatingImport.Status.REFRESHING, row_count=count, imported_at=timezone.now(), progress=70
        )
        batch.refresh_from_db()
        _refresh(batch, start=70)
    except Exception as error:
        if RatingImport.objects.filter(pk=batch_id, status=RatingImport.Status.IMPORTING).exists():
            RatingImport.objects.filter(pk=batch_id).update(
                status=RatingImport.Status.FAILED, failure=str(getattr(error, "message", error))[:2000]
            )
        else:
            # The ratings are in; only the figures failed: the periodic refresh will catch up with them.
            RatingImport.objects.filter(pk=batch_id).update(status=RatingImport.Status.DONE, progress=100)
        raise
    RatingImport.objects.filter(pk=batch_id).update(status=RatingImport.Status.DONE, progress=100)
    batch.refresh_from_db()
    return batch


def roll_back_rating_import(*, batch: RatingImport, by: User | None, ip_address: str | None = "") -> RatingImport:
    """Delete an imported batch's ratings now (audited) and refresh its figures in the background."""
    from .tasks import refresh_rolled_back_import_task

    batch = imports.delete_batch_ratings(batch=batch, by=by, ip_address=ip_address)
    _report(batch.pk, 0, commit=False)
    enqueue_on_commit(refresh_rolled_back_import_task, batch.pk)
    return batch


def refresh_rolled_back_import(*, batch_id: int) -> RatingImport:
    """The task body after a rollback: recompute the figures the batch had touched."""
    batch = RatingImport.objects.get(pk=batch_id)
    if batch.status != RatingImport.Status.ROLLING_BACK:
        return batch
    _refresh(batch, start=0)
    RatingImport.objects.filter(pk=batch_id).update(status=RatingImport.Status.ROLLED_BACK, progress=100)
    batch.refresh_from_db()
    return batch
