"""Quarantine review: provincial reviewers reinstate or exclude suspicious ratings; nothing is ever deleted.

`decide_quarantined` is the one write. The reads (`quarantine_clusters`, `unit_integrity_summary`) feed the
review page and a unit's history page.
"""

import datetime
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record_audit
from .integrity import flag_label
from .models import Counter, QuarantineDecision, Rating, Unit, User

DECISION_STATUS = {
    QuarantineDecision.Decision.REINSTATE: Rating.Status.REINSTATED,
    QuarantineDecision.Decision.EXCLUDE: Rating.Status.EXCLUDED,
}
AUDIT_ACTION = "rating.quarantine_decide"
# Two quarantined votes at one counter further apart than this belong to different clusters.
CLUSTER_GAP = datetime.timedelta(minutes=30)
# The review page shows at most this many quarantined ratings at once (oldest first), so it stays fast.
REVIEW_LIMIT = 5000


def decide_quarantined(
    *, ratings: Iterable[Rating | int], decision: str, by: User, reason: str, ip_address: str | None = ""
) -> list[QuarantineDecision]:
    """Reinstate or exclude quarantined ratings, atomically, and record the decision (one per unit concerned),
    each also in the audit log (`rating.quarantine_decide`, from the reviewer's `ip_address`).

    Only ratings still quarantined are changed (the rows are locked, so two reviewers cannot decide the same
    rating twice). The status change bumps `updated_at`, which is how the rollups pick it up. Raises
    PermissionDenied unless `by` sees all units, and ValidationError for an unknown decision, an empty reason,
    or when none of the ratings is still quarantined.
    """
    if not by.sees_all_units:
        raise PermissionDenied
    if decision not in DECISION_STATUS:
        raise ValidationError(_("Quyết định không hợp lệ."), code="decision")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Vui lòng nêu lý do của quyết định."), code="reason")
    ids = {r.pk if isinstance(r, Rating) else int(r) for r in ratings}
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            Rating.objects.select_for_update().filter(pk__in=ids, status=Rating.Status.QUARANTINED).order_by("pk")
        )
        if not locked:
            raise ValidationError(_("Không còn đánh giá nào đang cách ly trong lựa chọn này."), code="empty")
        Rating.objects.filter(pk__in=[r.pk for r in locked]).update(status=DECISION_STATUS[decision], updated_at=now)
        by_unit: dict[int, list[int]] = {}
        for rating in locked:
            by_unit.setdefault(rating.unit_id, []).append(rating.pk)
        decisions = []
        for unit_id, rating_ids in sorted(by_unit.items()):
            record = QuarantineDecision.objects.create(
                unit_id=unit_id,
                decision=decision,
                reason=reason,
                decided_by=by,
                decided_at=now,
                rating_count=len(rating_ids),
            )
            record.ratings.add(*rating_ids)
            record_audit(
                actor=by,
                action=AUDIT_ACTION,
                target=record,
                changes={
                    "status": {"before": Rating.Status.QUARANTINED, "after": DECISION_STATUS[decision]},
                    "ratings": rating_ids,
                    "reason": reason,
                },
                ip_address=ip_address,
            )
            decisions.append(record)
    return decisions


@dataclass
class Cluster:
    """Quarantined votes at one counter close together in time: usually one incident."""

    counter: Counter
    ratings: list[Rating] = field(default_factory=list)

    @property
    def start(self) -> datetime.datetime:
        return self.ratings[0].created_at

    @property
    def end(self) -> datetime.datetime:
        return self.ratings[-1].created_at

    @property
    def ids(self) -> str:
        return ",".join(str(r.pk) for r in self.ratings)

    @property
    def key(self) -> str:
        return f"{self.counter.pk}-{self.ratings[0].pk}"

    @property
    def flag_counts(self) -> list[tuple[str, int]]:
        """(label, count) of each reason, most frequent first."""
        tally = Tally(flag for r in self.ratings for flag in r.flags)
        return [(flag_label(code), n) for code, n in tally.most_common()]

    @property
    def score_counts(self) -> list[tuple[int, int]]:
        tally = Tally(r.score for r in self.ratings)
        return [(score, tally.get(score, 0)) for score in range(1, 6)]


def quarantine_clusters(*, unit: Unit | None = None) -> list[tuple[Counter, list[Cluster]]]:
    """Quarantined ratings grouped by counter, then into time clusters (a gap over `CLUSTER_GAP` starts a new
    one). Counters are ordered by their number of quarantined ratings, largest first. Two queries."""
    queryset = Rating.objects.filter(status=Rating.Status.QUARANTINED).order_by("counter_id", "created_at", "pk")
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    ratings = list(queryset.only("id", "counter_id", "unit_id", "score", "flags", "created_at")[:REVIEW_LIMIT])
    counters = Counter.objects.select_related("unit").in_bulk({r.counter_id for r in ratings})
    grouped: dict[int, list[Cluster]] = {}
    for rating in ratings:
        clusters = grouped.setdefault(rating.counter_id, [])
        if not clusters or rating.created_at - clusters[-1].end > CLUSTER_GAP:
            clusters.append(Cluster(counter=counters[rating.counter_id]))
        clusters[-1].ratings.append(rating)
    ordered = sorted(grouped.items(), key=lambda item: -sum(len(c.ratings) for c in item[1]))
    return [(counters[counter_id], clusters) for counter_id, clusters in ordered]


@dataclass
class UnitIntegritySummary:
    quarantined: int
    reinstated: int
    excluded: int


def unit_integrity_summary(*, unit: Unit) -> UnitIntegritySummary:
    """How many of the unit's ratings are in quarantine, reinstated or excluded: counts only, never which."""
    counts = dict(
        Rating.objects.filter(unit=unit)
        .exclude(status=Rating.Status.ACCEPTED)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return UnitIntegritySummary(
        quarantined=counts.get(Rating.Status.QUARANTINED, 0),
        reinstated=counts.get(Rating.Status.REINSTATED, 0),
        excluded=counts.get(Rating.Status.EXCLUDED, 0),
    )


def selection_summary(*, ids: list[int]) -> list[dict]:
    """The still-quarantined ratings among `ids`, counted per counter (for the confirmation step)."""
    return list(
        Rating.objects.filter(pk__in=ids, status=Rating.Status.QUARANTINED)
        .values("counter_id", "counter__name", "unit__short_name")
        .annotate(n=Count("id"))
        .order_by("unit__short_name", "counter__name")
    )
