"""One log line per cache (Redis) outage, not one per request.

Every caller of the cache that can degrade logs its failure with the traceback; while Redis is down that is every
request, several times (6.8 MB of log in 10 s). `CacheOutageFilter`, on the log handlers, lets the first failure
of an outage through (with its traceback) and counts the others; every `SUMMARY_SECONDS` while it lasts one line
says how many failures there were, and `cache_recovered()` (called by callers that just used the cache
successfully: the health probe, the integrity layers, the reassessment job) logs the end with the count. A failure
after `QUIET_SECONDS` without any counts as a new outage. The state is per process.

A record is a cache failure when its exception, or one it was raised from, is a redis-py `RedisError`.
"""

import logging
import threading
import time

import redis

SUMMARY_SECONDS = 60
QUIET_SECONDS = 120

logger = logging.getLogger(__name__)


class _Outage:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = False
        self.started = self.last_failure = self.last_summary = 0.0
        self.failures = 0

    def failure(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self.lock:
            if self.active and now - self.last_failure > QUIET_SECONDS:
                self.active = False
            self.last_failure = now
            if not self.active:
                self.active, self.started, self.last_summary, self.failures = True, now, now, 1
                record.msg = (
                    "Cache (Redis) unavailable: %s. Further failures are counted, not logged, until it is back."
                )
                record.args = (record.getMessage(),)
                return True
            self.failures += 1
            if now - self.last_summary < SUMMARY_SECONDS:
                return False
            self.last_summary = now
            record.msg, record.args = (
                "Cache (Redis) still unavailable after %d s: %d failures so far.",
                (
                    round(now - self.started),
                    self.failures,
                ),
            )
            record.exc_info = record.exc_text = None
            return True

    def recovered(self) -> tuple[int, int] | None:
        with self.lock:
            if not self.active:
                return None
            self.active = False
            return round(time.monotonic() - self.started), self.failures


_outage = _Outage()


def _is_cache_failure(record: logging.LogRecord) -> bool:
    error = record.exc_info[1] if record.exc_info else None
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, redis.RedisError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class CacheOutageFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Several handlers may filter the same record: it is judged (and counted) once.
        decided = getattr(record, "cache_outage_decision", None)
        if decided is not None:
            return decided
        decided = record.name == __name__ or not _is_cache_failure(record) or _outage.failure(record)
        record.cache_outage_decision = decided
        return decided


def cache_recovered() -> None:
    """Tell the outage log that the cache just worked; logs the end of an outage, once. Cheap when none."""
    if not _outage.active:
        return
    ended = _outage.recovered()
    if ended:
        logger.warning("Cache (Redis) available again after %d s; %d failures during the outage.", *ended)


def reset() -> None:
    """Forget any outage in progress (for tests)."""
    _outage.recovered()
