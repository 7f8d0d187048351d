"""Reusable reads of the survey app: the active questionnaire, scoped counters and units."""

import logging

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Counter, Questionnaire, Rating, ReasonChip, Unit, User

log = logging.getLogger(__name__)

# The active questionnaire changes rarely; caching its id keeps `submit_rating` at one insert.
ACTIVE_QUESTIONNAIRE_TTL = 300


def _active_questionnaire_cache_key(unit_id: int) -> str:
    return f"survey:active-questionnaire:{unit_id}"


def find_active_questionnaire(*, unit_id: int) -> Questionnaire | None:
    """The unit's own current questionnaire, else the newest current province-wide one."""
    current = Questionnaire.objects.current().order_by("-created_at", "-pk")
    return current.filter(unit_id=unit_id).first() or current.filter(unit__isnull=True).first()


def active_questionnaire_cache_key(unit_id: int) -> str:
    """The cache key of `active_questionnaire_id`, for a caller that reads it along with other keys."""
    return _active_questionnaire_cache_key(unit_id)


def active_questionnaire_id(*, unit_id: int, cached: int | None = None) -> int | None:
    """Cached id of `find_active_questionnaire`; `forget_active_questionnaires` clears it on every change.

    `cached` is the id when the caller has read it from the cache already (one round trip for several keys).
    When the cache is down the database answers: a rating must never fail because of the cache."""
    if cached is not None:
        return cached
    key = _active_questionnaire_cache_key(unit_id)
    try:
        questionnaire_id = cache.get(key)
    except Exception:
        log.warning("The cache is unavailable; reading the active questionnaire from the database", exc_info=True)
        questionnaire = find_active_questionnaire(unit_id=unit_id)
        return questionnaire.pk if questionnaire else None
    if questionnaire_id is None:
        questionnaire = find_active_questionnaire(unit_id=unit_id)
        if questionnaire is None:
            return None
        questionnaire_id = questionnaire.pk
        try:
            cache.set(key, questionnaire_id, ACTIVE_QUESTIONNAIRE_TTL)
        except Exception:
            log.warning("The cache is unavailable; the active questionnaire id is not cached", exc_info=True)
    return questionnaire_id


def forget_active_questionnaires() -> None:
    """Clear the cached ids. A failure is logged: a Redis that was down comes back empty, so nothing is stale."""
    keys = [_active_questionnaire_cache_key(pk) for pk in Unit.objects.values_list("pk", flat=True)]
    try:
        cache.delete_many(keys)
    except Exception:
        log.warning("Active questionnaire: could not clear the cached ids", exc_info=True)


def questionnaire_has_ratings(questionnaire: Questionnaire) -> bool:
    return Rating.objects.filter(questionnaire=questionnaire).exists()


def active_reason_chips() -> QuerySet[ReasonChip]:
    return ReasonChip.objects.filter(is_active=True)


def counter_for_code(code: str) -> Counter | None:
    """The active counter of a unit active today that carries this public code, with its unit (one query).

    Counters of a unit closed by a reorganisation (the districts after 1 July 2025) take no more ratings.
    """
    today = timezone.localdate()
    return (
        Counter.objects.select_related("unit")
        .filter(code=code, is_active=True, unit__valid_from__lte=today)
        .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=today))
        .first()
    )


def units_for_user(user: User) -> QuerySet[Unit]:
    units = Unit.objects.select_related("group").annotate(
        counter_count=Count("counters", filter=Q(counters__is_active=True))
    )
    if user.sees_all_units:
        return units
    if user.is_unit_staff:
        return units.filter(pk=user.unit_id)
    return units.none()


def counters_of_unit(unit: Unit) -> QuerySet[Counter]:
    return unit.counters.filter(is_active=True).order_by("name", "pk")


def comments_of_unit(unit: Unit) -> QuerySet[Rating]:
    """The unit's ratings that carry a follow-up comment, newest first (comments are stored masked)."""
    return (
        Rating.objects.filter(unit=unit, status=Rating.Status.ACCEPTED)
        .exclude(comment="")
        .select_related("counter")
        .order_by("-created_at", "-pk")
    )
