"""Keeping the figures live where no beat runs.

Production refreshes rollups and snapshots every minute from Celery beat (`refresh-indices`). The embedded default
(`make run`: SQLite, Celery eager, no beat) has no clock, so the dashboards refresh on read instead, and only when
something is stale: a rating changed since the last refresh, or the last refresh is older than
`INDICES_REFRESH_SECONDS`. The check is one indexed query; the refresh is the same service the beat calls.
`INDICES_REFRESH_ON_READ` turns this on; it defaults to on exactly when there is no broker (`REDIS_URL` unset).
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from survey.models import Rating

from .models import RollupState
from .services import refresh_indices

logger = logging.getLogger(__name__)

LOCK_KEY = "indices:refresh-on-read"


def figures_are_stale(*, now: datetime.datetime | None = None) -> bool:
    """Whether a rating changed since the rollups' watermark, or they were refreshed too long ago (or never)."""
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.watermark is None or state.refreshed_at is None:
        return True
    max_age = datetime.timedelta(seconds=float(getattr(settings, "INDICES_REFRESH_SECONDS", 60)))
    if (now or timezone.now()) - state.refreshed_at >= max_age:
        return True
    return Rating.objects.filter(updated_at__gte=state.watermark).exists()


def refresh_indices_if_stale() -> bool:
    """Refresh the figures before a dashboard reads them, where `INDICES_REFRESH_ON_READ` is on and they are stale.
    One refresh at a time: a reader that finds one running reads the figures as they are. Returns whether it ran."""
    if not getattr(settings, "INDICES_REFRESH_ON_READ", False) or not figures_are_stale():
        return False
    if not cache.add(LOCK_KEY, 1, timeout=300):
        return False
    try:
        refresh_indices()
    except Exception:
        # Stale figures are better than no dashboard: the next read tries again.
        logger.exception("refresh on read failed")
        return False
    finally:
        cache.delete(LOCK_KEY)
    return True
