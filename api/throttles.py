"""Throttles of the API. Counters live in the default cache (Redis in production, shared by every web server).

DRF's throttles read their rates once, when the module is imported; these read them at call time, so that a
rate changed in settings (or in a test) takes effect at once. While the cache is unavailable (Redis down) they
let requests through and log it: an outage of the cache must not take the API down with it.
"""

import logging

from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _RateFromSettings:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("API throttle: the cache is unavailable, not throttling", exc_info=True)
            return True


class AnonThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous callers, keyed by client address: scope "anon"."""


class UserThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Authenticated callers (session or token), keyed by user: scope "user"."""


class ScopedThrottle(_RateFromSettings, throttling.ScopedRateThrottle):
    """A view's own `throttle_scope` (e.g. "auth-token"), keyed by user or by address."""
