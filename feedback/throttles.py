"""Per-client throttles of the citizen PAKN pages, counted in the shared cache (Redis in production, so every web
server sees the same counts).

- Lookups by tracking code (the tracking page, the citizen's actions on it, and the personal-data request page):
  each miss counts; past `PAKN_LOOKUP_LIMIT` misses (default 20) within 15 minutes every lookup from that client is
  refused, right codes included, so the throttle itself reveals nothing.
- Submissions: past `PAKN_SUBMIT_LIMIT` submissions (default 10) within `PAKN_SUBMIT_WINDOW_SECONDS` (default one
  hour) further submissions from that client are refused. Filed cases and forms refused with errors both count
  (checking a refused form's attachments costs as much as a filed one's), and the check comes before the count, so
  a citizen below the limit is never refused.

- "Send me my code" requests: past `PAKN_CODE_REQUEST_LIMIT` (default 3) within an hour, from one client or for
  one contact, further requests are refused (every request counts, found or not, so the limit reveals nothing).

Clients are told apart by their address (`survey.integrity.client_ip`, which honours `TRUSTED_PROXY_COUNT`), stored
only as a hash in the cache key. When the cache cannot be reached nothing is throttled: a citizen's complaint
matters more than the throttle, and the failure is logged.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from survey.integrity import client_ip, hash_ip

logger = logging.getLogger(__name__)

LOOKUP_WINDOW_SECONDS = 15 * 60


def _client(request: HttpRequest) -> str:
    return hash_ip(client_ip(request))[:32]


def _count(key: str, window: int) -> None:
    try:
        if not cache.add(key, 1, window):
            cache.incr(key)
    except ValueError:
        # The key expired between add and incr: start a new window.
        cache.set(key, 1, window)
    except Exception:
        logger.warning("PAKN throttle: cache unavailable, %s not counted", key.split(":")[0], exc_info=True)


def _reached(key: str, limit: int) -> bool:
    try:
        return int(cache.get(key, 0)) >= limit
    except Exception:
        logger.warning("PAKN throttle: cache unavailable, not throttling", exc_info=True)
        return False


def lookup_throttled(request: HttpRequest) -> bool:
    return _reached(f"pakn-lookup-miss:{_client(request)}", int(getattr(settings, "PAKN_LOOKUP_LIMIT", 20)))


def count_lookup_miss(request: HttpRequest) -> None:
    _count(f"pakn-lookup-miss:{_client(request)}", LOOKUP_WINDOW_SECONDS)


def submit_window_seconds() -> int:
    return int(getattr(settings, "PAKN_SUBMIT_WINDOW_SECONDS", 3600))


def submission_throttled(request: HttpRequest) -> bool:
    return _reached(f"pakn-submit:{_client(request)}", int(getattr(settings, "PAKN_SUBMIT_LIMIT", 10)))


def count_submission(request: HttpRequest) -> None:
    _count(f"pakn-submit:{_client(request)}", submit_window_seconds())


CODE_REQUEST_WINDOW_SECONDS = 60 * 60


def _contact_key(contact: str) -> str:
    from .channels import normalise_phone

    value = contact.strip().lower()
    return hash_ip(value if "@" in value else normalise_phone(value), salt="hailong.pakn.contact")[:32]


def code_request_throttled(request: HttpRequest, contact: str) -> bool:
    limit = int(getattr(settings, "PAKN_CODE_REQUEST_LIMIT", 3))
    return _reached(f"pakn-code:{_client(request)}", limit) or _reached(f"pakn-code-to:{_contact_key(contact)}", limit)


def count_code_request(request: HttpRequest, contact: str) -> None:
    _count(f"pakn-code:{_client(request)}", CODE_REQUEST_WINDOW_SECONDS)
    _count(f"pakn-code-to:{_contact_key(contact)}", CODE_REQUEST_WINDOW_SECONDS)
