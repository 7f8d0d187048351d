"""Rating integrity: the abuse layers that assess a citizen's submission, and the alerts that follow it.

`survey.services.submit_rating` is the one caller on the submission path. For a new submission it calls
`assess_submission` before its single insert, stores the rating with the verdict's `status`, `flags` and `ip_hash`,
and calls `record_outcome` on commit. A throttled verdict stores nothing (the view answers `throttled_response`,
429). When the insert turns out to be a replay of an idempotency key, `withdraw_assessment` takes back what the
assessment counted, so a retry is never counted twice. Views identify the device with `get_or_issue_device_id`,
pass `client_info(request, device_id)` to the service and `set_device_cookie` on the response.

Each layer adds a reason code to `Verdict.flags`; any code in `QUARANTINE_FLAGS` quarantines the rating (stored,
excluded from indices until a provincial reviewer decides). Only two hard throttles refuse a submission, both far
above human rates: too many submissions from one IP address, or at one counter, within their windows.

The hot path uses the shared cache only (Redis in production): per-minute buckets incremented atomically with an
expiry, plus a cached copy of the settings, the office networks and each counter's baseline. When the cache
fails the vote is accepted with the flag "integrity_degraded": an abuse layer must never turn an honest
submission into an error, nor drop it.
"""

import datetime
import hashlib
import ipaddress
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from config.outages import cache_recovered

from .models import (
    CounterBaseline,
    DossierLink,
    IntegrityAlert,
    IntegritySettings,
    OfficeNetwork,
    Rating,
    User,
)

log = logging.getLogger(__name__)

DEVICE_COOKIE = "hl_device"
DEVICE_COOKIE_SALT = "hailong.integrity.device"
# Browsers cap a cookie's life at 400 days.
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600

FLAG_DEVICE_COOLDOWN = "device_cooldown"
FLAG_OFFICE_NETWORK = "office_network"
FLAG_BURST = "burst"
FLAG_IP_RATE = "ip_rate"
FLAG_IP_THROTTLED = "ip_throttled"
FLAG_COUNTER_THROTTLED = "counter_throttled"
FLAG_DEGRADED = "integrity_degraded"
# The reasons that quarantine a rating. "integrity_degraded" only records that the layers could not run.
QUARANTINE_FLAGS = frozenset({FLAG_DEVICE_COOLDOWN, FLAG_OFFICE_NETWORK, FLAG_BURST, FLAG_IP_RATE})
FLAG_LABELS = {
    FLAG_DEVICE_COOLDOWN: _("Cùng thiết bị đánh giá lại trong thời gian chờ"),
    FLAG_OFFICE_NETWORK: _("Gửi từ mạng nội bộ cơ quan"),
    FLAG_BURST: _("Dồn phiếu bất thường tại quầy"),
    FLAG_IP_RATE: _("Quá nhiều đánh giá từ một địa chỉ IP"),
    FLAG_DEGRADED: _("Chưa kiểm tra được (bộ nhớ đệm lỗi)"),
}

CONFIG_CACHE_KEY = "integrity:config:v1"
CONFIG_CACHE_SECONDS = 300
# The daily refresh rewrites every baseline in the cache; the long expiry only bounds stale entries.
BASELINE_CACHE_SECONDS = 2 * 24 * 3600


# `Verdict.last_unhappy` when the assessment could not read it.
UNREAD = object()


@dataclass(frozen=True)
class ClientInfo:
    """Who submits, as far as the integrity layers may know: the IP address and the device cookie's value."""

    ip: str | None
    device_id: str | None


@dataclass(frozen=True)
class Verdict:
    """The layers' verdict. `throttled` means: answer 429 and record nothing. Otherwise store the rating with
    `status`, `flags` and `ip_hash`."""

    flags: list[str]
    status: str
    throttled: bool = False
    ip_hash: str = ""
    retry_after: int = 0
    # The cache buckets this assessment counted in, so that `withdraw_assessment` can take the count back.
    counted: tuple[str, ...] = ()
    # Read along with the assessment, so that `record_outcome` after the insert needs no round trip of its own:
    # the settings, and when the counter last had an unhappy vote (a timestamp; None: none; `UNREAD`: not read).
    conf: IntegritySettings | None = None
    last_unhappy: object = UNREAD


@dataclass(frozen=True)
class _Config:
    settings: IntegritySettings
    networks: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None], ...]


# --- Configuration, cached -------------------------------------------------------------------------------------


def _config_from_db() -> _Config:
    rows = OfficeNetwork.objects.filter(is_active=True).values_list("cidr", "unit_id")
    networks = tuple((ipaddress.ip_network(cidr, strict=False), unit_id) for cidr, unit_id in rows)
    return _Config(settings=IntegritySettings.load(), networks=networks)


def _load_config() -> tuple[_Config, bool]:
    """The settings and office networks, from the cache when possible. The flag says whether the cache works."""
    try:
        config = cache.get(CONFIG_CACHE_KEY)
        if config is None:
            config = _config_from_db()
            cache.set(CONFIG_CACHE_KEY, config, CONFIG_CACHE_SECONDS)
        return config, True
    except Exception:
        # Any cache failure (Redis down, timeout) must degrade, never fail the submission.
        log.exception("Integrity: the cache is unavailable; reading the settings from the database")
        return _config_from_db(), False


def clear_config_cache() -> None:
    """Forget the cached settings and networks (called when an operator edits them)."""
    try:
        cache.delete(CONFIG_CACHE_KEY)
    except Exception:
        log.exception("Integrity: could not clear the cached settings")


def flag_label(code: str) -> str:
    return str(FLAG_LABELS.get(code, code))


def get_settings() -> IntegritySettings:
    return _load_config()[0].settings


# --- Request helpers ---------------------------------------------------------------------------------------------


def get_or_issue_device_id(request: HttpRequest) -> tuple[str, bool]:
    """The device id from the signed cookie, or a new one. The flag is True when the id is new (set the cookie)."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
    if value and 8 <= len(value) <= 64:
        return value, False
    return secrets.token_urlsafe(18), True


def set_device_cookie(response: HttpResponse, device_id: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device_id,
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def client_ip(request: HttpRequest) -> str | None:
    """The submitter's address. Behind `TRUSTED_PROXY_COUNT` reverse proxies, the address the nearest trusted
    proxy saw in X-Forwarded-For; a client cannot forge it, since only the proxies' entries are trusted."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    address = request.META.get("REMOTE_ADDR")
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def client_info(request: HttpRequest, device_id: str | None) -> ClientInfo:
    return ClientInfo(ip=client_ip(request), device_id=device_id)


IP_HASH_SALT = "hailong.integrity.ip"


def hash_ip(ip: str | None, *, salt: str = IP_HASH_SALT) -> str:
    """A keyed hash of an address (HMAC-SHA256 keyed with SECRET_KEY, 64 hex characters): equal addresses match,
    but the address cannot be read back. Each use passes its own `salt`, so that the ratings' hashes cannot be
    matched with another log's (the audit log's)."""
    if not ip:
        return ""
    return salted_hmac(salt, ip, algorithm="sha256").hexdigest()


def throttled_response(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    """The friendly 429 page for a throttled submission."""
    minutes = max(1, (verdict.retry_after + 59) // 60)
    response = render(request, "survey/integrity_throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(verdict.retry_after, 60))
    return response


# --- Assessing a submission --------------------------------------------------------------------------------------


def _bump(prefix: str, now_ts: float, window_minutes: int) -> tuple[int, str]:
    """Count one event in this minute's bucket; return the events of the last `window_minutes` minutes and the
    bucket's key.

    `add` creates the bucket with its expiry and `incr` is atomic, so concurrent web servers count correctly."""
    minute = int(now_ts // 60)
    window_minutes = max(window_minutes, 1)
    ttl = (window_minutes + 1) * 60
    key = f"{prefix}:{minute}"
    cache.add(key, 0, ttl)
    try:
        current = cache.incr(key)
    except ValueError:
        # The bucket expired between add and incr.
        cache.set(key, 1, ttl)
        current = 1
    earlier = cache.get_many([f"{prefix}:{m}" for m in range(minute - window_minutes + 1, minute)])
    return current + sum(int(value) for value in earlier.values()), key


def _expected_daily(counter_id: int) -> float:
    key = _baseline_key(counter_id)
    value = cache.get(key)
    if value is None:
        value = _cache_baseline(counter_id)
    return float(value)


def _baseline_key(counter_id: int) -> str:
    return f"integrity:baseline:{counter_id}"


def _cache_baseline(counter_id: int) -> float:
    baseline = CounterBaseline.objects.filter(counter_id=counter_id).first()
    value = baseline.daily_expected if baseline else 0.0
    cache.set(_baseline_key(counter_id), value, BASELINE_CACHE_SECONDS)
    return value


def _last_unhappy_key(counter_id: int) -> str:
    return f"integrity:last-unhappy:{counter_id}"


def _in_office_network(ip: str | None, unit_id: int, networks) -> bool:
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(
        address.version == network.version and address in network and (net_unit is None or net_unit == unit_id)
        for network, net_unit in networks
    )


def _device_key(counter_id: int, device_id: str) -> str:
    digest = hashlib.blake2b(device_id.encode(), digest_size=12).hexdigest()
    return f"integrity:device:{counter_id}:{digest}"


@dataclass(frozen=True)
class _Counts:
    """What one submission's counting read back from the cache."""

    cooling_down: bool
    ip_count: int
    ip_bucket: str
    counter_count: int
    counter_bucket: str
    expected_daily: float
    last_unhappy: float | None


def _buckets(prefix: str, now_ts: float, window_minutes: int) -> tuple[str, list[str], int]:
    """This minute's bucket, the earlier buckets of the window, and the buckets' expiry."""
    minute = int(now_ts // 60)
    window_minutes = max(window_minutes, 1)
    earlier = [f"{prefix}:{m}" for m in range(minute - window_minutes + 1, minute)]
    return f"{prefix}:{minute}", earlier, (window_minutes + 1) * 60


def _redis_backend() -> RedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None  # Django's backend or a subclass of it


def _count_submission(
    *, counter_id: int, device_id: str | None, ip_hash: str, submission_key: str, now_ts: float, conf
) -> _Counts:
    """Count the submission in its address's and its counter's buckets, start the device's cool-down, and read
    the counter's rhythm and last unhappy vote. With Redis, in one round trip (a pipeline); with another cache
    (the embedded default), call by call. Raises when the cache fails."""
    backend = _redis_backend()
    if backend is None:
        cooling_down = bool(device_id) and _device_cooling_down(counter_id, device_id, submission_key, now_ts, conf)
        ip_count, ip_bucket = (
            _bump(f"integrity:ip:{ip_hash[:32]}", now_ts, conf.ip_window_minutes) if ip_hash else (0, "")
        )
        count, bucket = _bump(f"integrity:counter:{counter_id}", now_ts, conf.burst_window_minutes)
        last = cache.get(_last_unhappy_key(counter_id))
        return _Counts(cooling_down, ip_count, ip_bucket, count, bucket, _expected_daily(counter_id), last)

    # Django's Redis backend stores integers as they are and everything else pickled; its client gives the
    # redis-py connection, whose pipeline sends every command at once. Keys get the backend's prefix and version.
    key = backend.make_and_validate_key
    loads = backend._cache._serializer.loads
    pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
    cooldown = conf.device_cooldown_minutes * 60
    device_key = _device_key(counter_id, device_id) if device_id and cooldown else None
    if device_key:
        pipe.set(key(device_key), backend._cache._serializer.dumps((now_ts, submission_key)), nx=True, ex=cooldown)
        pipe.get(key(device_key))
    windows = []
    if ip_hash:
        windows.append(_buckets(f"integrity:ip:{ip_hash[:32]}", now_ts, conf.ip_window_minutes))
    windows.append(_buckets(f"integrity:counter:{counter_id}", now_ts, conf.burst_window_minutes))
    for bucket, earlier, ttl in windows:
        pipe.incr(key(bucket))
        pipe.expire(key(bucket), ttl)
        if earlier:
            pipe.mget([key(name) for name in earlier])
    pipe.get(key(_baseline_key(counter_id)))
    pipe.get(key(_last_unhappy_key(counter_id)))
    replies = iter(pipe.execute())

    cooling_down = False
    if device_key:
        started, stored = next(replies), next(replies)
        if not started:
            last_ts, last_key = loads(stored) if stored is not None else (0.0, "")
            if now_ts - float(last_ts) < cooldown:
                cooling_down = not (submission_key and submission_key == last_key)
            else:
                cache.set(device_key, (now_ts, submission_key), cooldown)
    counts = []
    for bucket, earlier, _ttl in windows:
        current, _expiry = next(replies), next(replies)
        previous = next(replies) if earlier else []
        counts.append((int(current) + sum(int(value) for value in previous if value is not None), bucket))
    ip_count, ip_bucket = counts[0] if ip_hash else (0, "")
    count, bucket = counts[-1]
    baseline, last = next(replies), next(replies)
    expected = float(loads(baseline)) if baseline is not None else _cache_baseline(counter_id)
    return _Counts(
        cooling_down, ip_count, ip_bucket, count, bucket, expected, float(loads(last)) if last is not None else None
    )


def assess_submission(
    *,
    counter,
    client: ClientInfo,
    dossier_verified: bool = False,
    now: datetime.datetime | None = None,
    submission_key: str = "",
    cached_config: object = None,
) -> Verdict:
    """Run every abuse layer on a new submission at `counter` and say how to store it.

    A verified dossier rating (single-use link) is exempt from the device, IP-rate and burst flags: it proves a
    real visit. It is still flagged from an office network and still subject to the hard throttles. Side effects:
    counts the submission in the cache (`Verdict.counted`), and starts the device's cool-down. The cool-down
    remembers `submission_key` (the idempotency key), so a retry of the same submission is never its own reason
    to flag. Never raises because of the cache. With Redis it costs two round trips: the cached settings (none
    when the caller read them already: `cached_config`, the value under `CONFIG_CACHE_KEY`), then one pipeline
    that counts and reads everything else.
    """
    now = now or timezone.now()
    now_ts = now.timestamp()
    ip_hash = hash_ip(client.ip)
    flags: list[str] = []
    config, cache_ok = (cached_config, True) if isinstance(cached_config, _Config) else _load_config()
    conf = config.settings

    if _in_office_network(client.ip, counter.unit_id, config.networks):
        flags.append(FLAG_OFFICE_NETWORK)

    if not cache_ok:
        flags.append(FLAG_DEGRADED)
        return _verdict(flags, ip_hash=ip_hash, conf=conf)
    try:
        counts = _count_submission(
            counter_id=counter.pk,
            device_id=client.device_id,
            ip_hash=ip_hash,
            submission_key=submission_key,
            now_ts=now_ts,
            conf=conf,
        )
    except Exception:
        log.exception("Integrity: the cache failed during assessment; accepting the vote unassessed")
        return _verdict([*flags, FLAG_DEGRADED], ip_hash=ip_hash, conf=conf)
    cache_recovered()

    # The cool-down is started even for a verified vote, which only is not flagged by it.
    if counts.cooling_down and not dossier_verified:
        flags.append(FLAG_DEVICE_COOLDOWN)
    counted: list[str] = []
    if ip_hash:
        counted.append(counts.ip_bucket)
        if counts.ip_count > conf.ip_hard_limit:
            # Refused by the address layer: the counter's layer does not count what was never submitted.
            withdraw_assessment(_verdict([], ip_hash="", counted=[counts.counter_bucket]))
            return _verdict(
                [*flags, FLAG_IP_THROTTLED], ip_hash=ip_hash, retry=conf.ip_window_minutes * 60, counted=counted
            )
        if counts.ip_count > conf.ip_flag_limit and not dossier_verified:
            flags.append(FLAG_IP_RATE)
    counted.append(counts.counter_bucket)
    if counts.counter_count > conf.counter_hard_limit:
        return _verdict(
            [*flags, FLAG_COUNTER_THROTTLED],
            ip_hash=ip_hash,
            retry=conf.burst_window_minutes * 60,
            counted=counted,
        )
    if counts.counter_count > burst_threshold(conf, counts.expected_daily) and not dossier_verified:
        flags.append(FLAG_BURST)
    return _verdict(flags, ip_hash=ip_hash, counted=counted, conf=conf, last_unhappy=counts.last_unhappy)


def _device_cooling_down(
    counter_id: int, device_id: str, submission_key: str, now_ts: float, conf: IntegritySettings
) -> bool:
    """Whether the device already voted at this counter within the cool-down, for another submission than this
    one. The first vote starts the cool-down; votes within it do not extend it."""
    cooldown = conf.device_cooldown_minutes * 60
    if not cooldown:
        return False
    key = _device_key(counter_id, device_id)
    if cache.add(key, (now_ts, submission_key), cooldown):
        return False
    last = cache.get(key)
    if last is not None:
        last_ts, last_key = last if isinstance(last, tuple) else (float(last), "")
        if now_ts - float(last_ts) < cooldown:
            return not (submission_key and submission_key == last_key)
    cache.set(key, (now_ts, submission_key), cooldown)
    return False


def withdraw_assessment(verdict: Verdict) -> None:
    """Take back the counts of an assessment whose submission stored nothing new (a replayed idempotency key, a
    dossier link used meanwhile), so that it does not count twice. The device cool-down needs nothing: it is
    keyed to the first submission. Never raises."""
    for bucket in verdict.counted:
        try:
            cache.decr(bucket)
        except ValueError:
            pass  # The bucket has expired: nothing left to take back.
        except Exception:
            log.exception("Integrity: could not withdraw a count from the cache")


def burst_threshold(conf: IntegritySettings, daily_expected: float) -> float:
    """Submissions in one burst window above which a counter's votes are flagged: its usual rate for the window
    (daily rhythm spread over the opening minutes) times the multiple, and never below the minimum."""
    per_window = daily_expected * conf.burst_window_minutes / max(conf.opening_minutes_per_day, 1)
    return max(float(conf.burst_minimum), conf.burst_multiple * per_window)


def _verdict(
    flags: list[str],
    *,
    ip_hash: str,
    retry: int = 0,
    counted: list[str] | tuple = (),
    conf: IntegritySettings | None = None,
    last_unhappy: object = UNREAD,
) -> Verdict:
    if retry:
        return Verdict(
            flags=flags,
            status=Rating.Status.QUARANTINED,
            throttled=True,
            ip_hash=ip_hash,
            retry_after=retry,
            counted=tuple(counted),
        )
    suspicious = any(flag in QUARANTINE_FLAGS for flag in flags)
    status = Rating.Status.QUARANTINED if suspicious else Rating.Status.ACCEPTED
    return Verdict(
        flags=flags, status=status, ip_hash=ip_hash, counted=tuple(counted), conf=conf, last_unhappy=last_unhappy
    )


# --- Dossier links -----------------------------------------------------------------------------------------------


class LinkState:
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def check_dossier_link(link: DossierLink, *, now: datetime.datetime | None = None) -> str:
    """Whether a dossier link may still be used: `LinkState.VALID`, `USED` or `EXPIRED`."""
    now = now or timezone.now()
    if link.used_at is not None:
        return LinkState.USED
    if link.expires_at is not None and link.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


def claim_dossier_link(*, link: DossierLink, now: datetime.datetime | None = None) -> bool:
    """Mark the link used, at most once even under concurrent requests. False: already used or expired, so the
    submission must be refused politely (the unique `Rating.dossier_code` is the last line of defence)."""
    now = now or timezone.now()
    claimed = (
        DossierLink.objects.filter(pk=link.pk, used_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .update(used_at=now)
    )
    if claimed:
        link.used_at = now
    return bool(claimed)


# --- After a rating is stored: alerts ----------------------------------------------------------------------------


def record_outcome(*, rating: Rating, verdict: Verdict | None = None) -> None:
    """Bookkeeping after `rating` was stored or updated: raise burst and "unhappy wave" alerts.

    A burst alert (the first flagged "burst" vote of a window) also quarantines the window's earlier unverified
    votes at that counter: a burst's first votes are no more trustworthy than those after the threshold, and a
    reviewer reinstates the honest ones. Unhappy alert: at least `unhappy_share` of the counter's counted votes
    in the last `unhappy_window_minutes` are 1-2, with `unhappy_min_votes` or more. Each alert is raised at most
    once per counter per window; the unit's leads are emailed by a task enqueued on commit. Never raises: a
    failure is logged and the caller's submission stands.

    `verdict`, the new rating's assessment, brings the settings and the counter's last unhappy vote as they were
    read just before the insert, so that the usual accepted, happy vote costs no round trip here. (A concurrent
    unhappy vote that this read missed runs the same check itself after its own commit.)
    """
    try:
        conf = verdict.conf if verdict is not None and verdict.conf is not None else get_settings()
        last_unhappy = verdict.last_unhappy if verdict is not None else UNREAD
        # A transaction (or savepoint) only when there is work: the usual accepted, happy vote costs no query.
        if FLAG_BURST in (rating.flags or []):
            with transaction.atomic():
                _raise_burst_alert(rating, conf)
        if rating.counts_in_indices and _unhappy_vote_recent(rating, conf, last_unhappy):
            with transaction.atomic():
                _check_unhappy(rating, conf)
    except Exception:
        log.exception("Integrity: bookkeeping failed for rating %s", rating.pk)


def _claim_alert(kind: str, counter_id: int, ref: datetime.datetime, window: datetime.timedelta) -> bool:
    seconds = int(window.total_seconds())
    try:
        if not cache.add(f"integrity:alert:{kind}:{counter_id}:{int(ref.timestamp() // seconds)}", 1, seconds + 60):
            return False
    except Exception:
        log.exception("Integrity: the cache is unavailable; de-duplicating the alert in the database only")
    return not IntegrityAlert.objects.filter(counter_id=counter_id, kind=kind, window_end__gt=ref - window).exists()


def _enqueue_alert(alert: IntegrityAlert) -> None:
    from config.celery import enqueue_on_commit

    from .tasks import send_integrity_alert_task

    enqueue_on_commit(send_integrity_alert_task, alert.pk)


def _raise_burst_alert(rating: Rating, conf: IntegritySettings) -> None:
    ref = rating.created_at
    window = datetime.timedelta(minutes=conf.burst_window_minutes)
    if not _claim_alert(IntegrityAlert.Kind.BURST, rating.counter_id, ref, window):
        return
    in_window = Rating.objects.filter(counter_id=rating.counter_id, created_at__gt=ref - window, created_at__lte=ref)
    for earlier in in_window.filter(status=Rating.Status.ACCEPTED, verified=False).select_for_update():
        earlier.status = Rating.Status.QUARANTINED
        earlier.flags = [*earlier.flags, FLAG_BURST]
        earlier.save(update_fields=["status", "flags", "updated_at"])
    baseline = CounterBaseline.objects.filter(counter_id=rating.counter_id).first()
    alert = IntegrityAlert.objects.create(
        kind=IntegrityAlert.Kind.BURST,
        counter_id=rating.counter_id,
        unit_id=rating.unit_id,
        window_start=ref - window,
        window_end=ref,
        vote_count=in_window.count(),
        unhappy_count=in_window.filter(score__lte=2).count(),
        expected_count=round(burst_threshold(conf, baseline.daily_expected if baseline else 0.0), 1),
    )
    _enqueue_alert(alert)


def _unhappy_vote_recent(rating: Rating, conf: IntegritySettings, last: object = UNREAD) -> bool:
    """Whether the counter's unhappy window may hold an unhappy vote. The share can only reach the threshold if
    it does: the last one is remembered in the cache, so that the usual stream of happy votes costs no query.
    `last` is that timestamp when the caller has read it already."""
    ref = rating.created_at
    window = datetime.timedelta(minutes=conf.unhappy_window_minutes)
    key = _last_unhappy_key(rating.counter_id)
    try:
        if rating.is_low:
            cache.set(key, ref.timestamp(), int(window.total_seconds()) + 60)
            return True
        if last is UNREAD:
            last = cache.get(key)
        return last is not None and ref.timestamp() - float(last) <= window.total_seconds()
    except Exception:
        log.exception("Integrity: the cache is unavailable; checking the unhappy share in the database")
        return True


def _check_unhappy(rating: Rating, conf: IntegritySettings) -> None:
    ref = rating.created_at
    window = datetime.timedelta(minutes=conf.unhappy_window_minutes)
    stats = (
        Rating.objects.counted()
        .filter(counter_id=rating.counter_id, created_at__gt=ref - window, created_at__lte=ref)
        .aggregate(total=Count("id"), unhappy=Count("id", filter=Q(score__lte=2)))
    )
    total, unhappy = stats["total"], stats["unhappy"]
    if total < conf.unhappy_min_votes or unhappy < conf.unhappy_share * total:
        return
    if not _claim_alert(IntegrityAlert.Kind.UNHAPPY, rating.counter_id, ref, window):
        return
    alert = IntegrityAlert.objects.create(
        kind=IntegrityAlert.Kind.UNHAPPY,
        counter_id=rating.counter_id,
        unit_id=rating.unit_id,
        window_start=ref - window,
        window_end=ref,
        vote_count=total,
        unhappy_count=unhappy,
    )
    _enqueue_alert(alert)


def send_integrity_alert(*, alert_id: int) -> int:
    """Email the alert to the leads of its unit (once: a retried task sends nothing). Returns the recipients."""
    with transaction.atomic():
        alert = IntegrityAlert.objects.select_for_update().select_related("counter", "unit").get(pk=alert_id)
        if alert.notified_at is not None:
            return 0
        recipients = list(
            User.objects.filter(unit_id=alert.unit_id, role=User.Role.LEAD, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "alert": alert,
                    "history_url": settings.PUBLIC_BASE_URL
                    + reverse("survey:unit-integrity-history", args=[alert.unit.code]),
                }
                subject = " ".join(render_to_string("emails/integrity-alert-subject.txt", context).split())
                message = EmailMultiAlternatives(
                    subject, render_to_string("emails/integrity-alert-body.txt", context), to=recipients
                )
                message.attach_alternative(render_to_string("emails/integrity-alert-body.html", context), "text/html")
                message.send()
        alert.notified_at = timezone.now()
        alert.recipient_count = len(recipients)
        alert.save(update_fields=["notified_at", "recipient_count"])
    return len(recipients)


# --- Periodic jobs -----------------------------------------------------------------------------------------------


def refresh_counter_baselines(*, now: datetime.datetime | None = None) -> int:
    """Recompute every counter's usual rhythm over the last `baseline_days`: counted ratings per day on which
    it had ratings, and dossier links issued per day (dossiers handled, where the one-stop system sends them).
    Writes `CounterBaseline` rows and refreshes the cached copies. Returns the number of counters updated."""
    now = now or timezone.now()
    conf = IntegritySettings.load()
    since = now - datetime.timedelta(days=conf.baseline_days)

    def per_day(queryset) -> dict[int, float]:
        rows = (
            queryset.filter(created_at__gte=since, created_at__lt=now)
            .annotate(day=TruncDate("created_at"))
            .values("counter_id")
            .annotate(n=Count("id"), days=Count("day", distinct=True))
        )
        return {row["counter_id"]: row["n"] / row["days"] for row in rows if row["days"]}

    ratings = per_day(Rating.objects.counted())
    dossiers = per_day(DossierLink.objects.all())
    counter_ids = set(ratings) | set(dossiers)
    for counter_id in counter_ids:
        CounterBaseline.objects.update_or_create(
            counter_id=counter_id,
            defaults={
                "daily_ratings": ratings.get(counter_id, 0.0),
                "daily_dossiers": dossiers.get(counter_id, 0.0),
                "computed_at": now,
            },
        )
    CounterBaseline.objects.exclude(counter_id__in=counter_ids).update(
        daily_ratings=0.0, daily_dossiers=0.0, computed_at=now
    )
    cached = {_baseline_key(b.counter_id): b.daily_expected for b in CounterBaseline.objects.all().iterator()}
    try:
        cache.set_many(cached, BASELINE_CACHE_SECONDS)
    except Exception:
        log.exception("Integrity: could not cache the refreshed baselines")
    log.info("Integrity: refreshed the baselines of %d counters", len(counter_ids))
    return len(counter_ids)
