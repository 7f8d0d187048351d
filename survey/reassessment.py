"""Assessing, once the cache is back, the ratings accepted while it was down.

While Redis is unavailable the integrity layers cannot count (survey/integrity.py): a vote is accepted with the
flag "integrity_degraded" rather than refused or lost. Such votes would otherwise never be judged, so
`reassess_degraded_ratings` (Celery beat every few minutes, and the `reassess_degraded_ratings` command) applies
the same rules from the database once the cache answers again:

- the address rate: more than `ip_flag_limit` ratings with the same IP hash within `ip_window_minutes` (up to and
  including this one) flags "ip_rate" (the hard limit could not refuse them: they are flagged alike);
- the counter's burst: more ratings at the counter within `burst_window_minutes` than `burst_threshold` for its
  baseline flags "burst";
- a rating verified by a dossier link is exempt from both, as on the hot path; the office networks were checked
  already (they need no cache), and the device cool-down cannot be judged afterwards (the device is not stored).

A rating that fails goes to quarantine (status "quarantined", excluded from indices) for the usual review by a
provincial reviewer; every reassessed rating loses "integrity_degraded" and gains "integrity_reassessed", so it is
assessed once. Changes bump `updated_at`, so the rollups pick them up. A run that changed anything writes one
audit entry (`rating.reassess_degraded`).
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from config.outages import cache_recovered

from .audit import record_audit
from .integrity import FLAG_BURST, FLAG_DEGRADED, FLAG_IP_RATE, QUARANTINE_FLAGS, burst_threshold
from .models import CounterBaseline, IntegritySettings, Rating

logger = logging.getLogger(__name__)

FLAG_REASSESSED = "integrity_reassessed"
AUDIT_ACTION = "rating.reassess_degraded"
# Degraded ratings older than this are left alone: their IP hash may already be blanked by the retention purge.
LOOKBACK = datetime.timedelta(days=7)
BATCH = 2000


@dataclass
class ReassessResult:
    cache_available: bool = True
    assessed: int = 0
    quarantined: int = 0


def cache_available() -> bool:
    """Whether the shared cache answers a write and a read right now."""
    key = f"integrity:reassess-probe:{secrets.token_hex(8)}"
    try:
        cache.set(key, 1, 10)
        found = cache.get(key) == 1
        cache.delete(key)
    except Exception:
        return False
    if found:
        cache_recovered()
    return found


def _degraded(now: datetime.datetime):
    ratings = Rating.objects.filter(created_at__gte=now - LOOKBACK, created_at__lte=now)
    if connection.features.supports_json_field_contains:
        return ratings.filter(flags__contains=[FLAG_DEGRADED])
    # SQLite (the embedded default) has no JSON containment: narrow by text, then check in Python below.
    return ratings.filter(flags__icontains=FLAG_DEGRADED)


def _new_flags(rating: Rating, conf: IntegritySettings, thresholds: dict[int, float]) -> list[str]:
    if rating.verified:
        return []
    flags = []
    if rating.ip_hash:
        window = rating.created_at - datetime.timedelta(minutes=max(conf.ip_window_minutes, 1))
        same_address = Rating.objects.filter(
            ip_hash=rating.ip_hash, created_at__gt=window, created_at__lte=rating.created_at
        ).count()
        if same_address > conf.ip_flag_limit:
            flags.append(FLAG_IP_RATE)
    window = rating.created_at - datetime.timedelta(minutes=max(conf.burst_window_minutes, 1))
    at_counter = Rating.objects.filter(
        counter_id=rating.counter_id, created_at__gt=window, created_at__lte=rating.created_at
    ).count()
    if at_counter > thresholds[rating.counter_id]:
        flags.append(FLAG_BURST)
    return flags


def reassess_degraded_ratings(*, now: datetime.datetime | None = None) -> ReassessResult:
    """Assess the ratings flagged "integrity_degraded" (see the module docstring) when the cache is available
    again; does nothing while it is still down. Returns what was done."""
    now = now or timezone.now()
    if not cache_available():
        return ReassessResult(cache_available=False)
    conf = IntegritySettings.load()
    result = ReassessResult()
    quarantined_ids: list[int] = []
    while True:
        with transaction.atomic():
            batch = [
                rating
                for rating in _degraded(now).select_for_update(skip_locked=True).order_by("created_at", "pk")[:BATCH]
                if FLAG_DEGRADED in (rating.flags or [])
            ]
            if not batch:
                break
            counters = {rating.counter_id for rating in batch}
            baselines = {
                b.counter_id: b.daily_expected for b in CounterBaseline.objects.filter(counter_id__in=counters)
            }
            thresholds = {counter: burst_threshold(conf, baselines.get(counter, 0.0)) for counter in counters}
            for rating in batch:
                found = _new_flags(rating, conf, thresholds)
                flags = [flag for flag in rating.flags if flag != FLAG_DEGRADED]
                flags += [flag for flag in found if flag not in flags] + [FLAG_REASSESSED]
                status = rating.status
                if status == Rating.Status.ACCEPTED and QUARANTINE_FLAGS.intersection(found):
                    status = Rating.Status.QUARANTINED
                    quarantined_ids.append(rating.pk)
                Rating.objects.filter(pk=rating.pk).update(flags=flags, status=status, updated_at=now)
            result.assessed += len(batch)
    result.quarantined = len(quarantined_ids)
    if result.assessed:
        record_audit(
            actor=None,
            action=AUDIT_ACTION,
            changes={"assessed": result.assessed, "quarantined": result.quarantined, "ratings": quarantined_ids[:500]},
        )
        logger.warning(
            "Integrity: assessed %d ratings accepted while the cache was down; %d quarantined for review",
            result.assessed,
            result.quarantined,
        )
    return result
