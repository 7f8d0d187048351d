"""The abuse scenarios of issue 4, end to end through the integrity layers, and a normal day that must stay clean.

`submit` stands in for the citizen submission path (issue 3, built in parallel): it does what that path does
around the integrity layers (assess, refuse when throttled, claim the dossier link, store with the verdict,
record the outcome). After merging, the lead points it at the real HTTP path.
"""

import datetime
import random
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from survey.integrity import (
    ClientInfo,
    assess_submission,
    claim_dossier_link,
    record_outcome,
    refresh_counter_baselines,
)
from survey.models import DossierLink, IntegrityAlert, OfficeNetwork, QuarantineDecision, Rating
from survey.quarantine import decide_quarantined
from tests import factories

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# A Wednesday, so that the simulated history has ordinary working days before it.
DAY = datetime.date(2025, 3, 12)


def at(hour: int, minute: int = 0, second: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def eager_celery():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def questionnaire(db):
    return factories.make_questionnaire()


def submit(counter, score, ip, device, *, now=None, link=None, questionnaire=None):
    """Submit one rating as the citizen path does; the stored Rating, or None when refused (429 or used link)."""
    now = now or datetime.datetime.now(tz=TZ)
    verdict = assess_submission(
        counter=counter, client=ClientInfo(ip=ip, device_id=device), dossier_verified=link is not None, now=now
    )
    if verdict.throttled:
        return None
    with transaction.atomic():
        if link is not None and not claim_dossier_link(link=link, now=now):
            return None
        rating = Rating.objects.create(
            idempotency_key=uuid.uuid4(),
            counter=counter,
            unit_id=counter.unit_id,
            questionnaire=questionnaire or factories.make_questionnaire(),
            score=score,
            status=verdict.status,
            flags=verdict.flags,
            ip_hash=verdict.ip_hash,
            dossier_code=link.dossier_code if link else None,
            verified=link is not None,
            created_at=now,
        )
        record_outcome(rating=rating)
    return rating


def test_fifty_five_star_ratings_from_one_device_in_five_minutes_are_quarantined(world, questionnaire):
    # when: one phone rates the same counter 50 times within 5 minutes
    ratings = [
        submit(
            world.counter_a,
            5,
            "113.161.20.7",
            "phone-1",
            now=at(9) + datetime.timedelta(seconds=6 * i),
            questionnaire=questionnaire,
        )
        for i in range(50)
    ]

    # then: nothing is dropped; every vote after the first carries the device reason, and since 50 votes in 5
    # minutes is also a burst at this counter, the first one is quarantined too: none counts in indices
    assert all(r is not None for r in ratings)
    stored = Rating.objects.filter(counter=world.counter_a)
    assert stored.count() == 50
    assert sum("device_cooldown" in r.flags for r in stored) == 49
    assert stored.filter(status=Rating.Status.QUARANTINED).count() == 50
    assert Rating.objects.counted().count() == 0


def test_thirty_ratings_from_an_office_network_are_quarantined(world, questionnaire):
    # given: the unit's own Wi-Fi is configured
    OfficeNetwork.objects.create(cidr="10.20.0.0/16", label="Wi-Fi nội bộ Sở Tư pháp", unit=world.unit_a)

    # when: 30 different devices on it rate the unit's counter over a morning
    for i in range(30):
        submit(
            world.counter_a,
            5,
            f"10.20.3.{i + 10}",
            f"staff-{i}",
            now=at(8, 0) + datetime.timedelta(minutes=7 * i),
            questionnaire=questionnaire,
        )

    # then: all 30 are stored, flagged and excluded; a citizen on mobile data at the same time is not
    assert Rating.objects.filter(counter=world.counter_a).count() == 30
    quarantined = Rating.objects.filter(status=Rating.Status.QUARANTINED)
    assert sum("office_network" in r.flags for r in quarantined) == 30
    assert Rating.objects.counted().count() == 0
    citizen = submit(world.counter_a, 4, "171.224.5.9", "citizen", now=at(11, 30), questionnaire=questionnaire)
    assert citizen.status == Rating.Status.ACCEPTED and citizen.flags == []


def test_a_replayed_dossier_link_records_nothing_more(world, questionnaire):
    link = DossierLink.objects.create(dossier_code="000.00.12.H08-250312-0001", counter=world.counter_a)

    first = submit(world.counter_a, 5, "171.224.5.9", "phone-1", now=at(9), link=link, questionnaire=questionnaire)
    link.refresh_from_db()
    replay_same_phone = submit(
        world.counter_a, 5, "171.224.5.9", "phone-1", now=at(9, 5), link=link, questionnaire=questionnaire
    )
    # A copy of the link object taken before the first use, as a second phone holding the photographed receipt
    # would present it.
    stale_copy = DossierLink.objects.get(pk=link.pk)
    stale_copy.used_at = None
    replay_other_phone = submit(
        world.counter_a, 1, "14.160.8.8", "phone-2", now=at(15), link=stale_copy, questionnaire=questionnaire
    )

    assert first.verified and first.status == Rating.Status.ACCEPTED
    assert replay_same_phone is None and replay_other_phone is None
    assert Rating.objects.filter(dossier_code=link.dossier_code).count() == 1
    assert Rating.objects.counted().count() == 1
    # The database refuses a second rating of the dossier even if a path forgot to claim the link.
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_rating(counter=world.counter_a, dossier_code=link.dossier_code, questionnaire=questionnaire)


def _history(counter, questionnaire, per_day: int, days: int, before: datetime.date) -> None:
    """`per_day` counted ratings on each of the `days` working days before `before`."""
    rows, day = [], before
    while days:
        day -= datetime.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        days -= 1
        for i in range(per_day):
            created = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=TZ) + datetime.timedelta(
                minutes=i * 450 // per_day
            )
            rows.append(
                Rating(
                    idempotency_key=uuid.uuid4(),
                    counter=counter,
                    unit_id=counter.unit_id,
                    questionnaire=questionnaire,
                    score=5,
                    created_at=created,
                )
            )
    Rating.objects.bulk_create(rows)


def test_a_burst_of_200_in_ten_minutes_at_a_quiet_counter_is_quarantined_and_alerted(
    world, questionnaire, eager_celery, mailoutbox, django_capture_on_commit_callbacks
):
    # given: the counter normally gets 20 ratings a day, and its lead has an email address
    _history(world.counter_a, questionnaire, per_day=20, days=20, before=DAY)
    refresh_counter_baselines(now=at(0))
    assert world.counter_a.baseline.daily_ratings == 20
    world.lead_a.email = "lanhdao@sotuphap.example.vn"
    world.lead_a.save()

    # when: 200 ratings arrive in 10 minutes, each from a fresh device and address (a bot farm)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(200):
            submit(
                world.counter_a,
                5,
                f"100.{64 + i // 250}.{i % 250}.{1 + i % 7}",
                f"bot-{i}",
                now=at(10, 0, 0) + datetime.timedelta(seconds=3 * i),
                questionnaire=questionnaire,
            )

    # then: all 200 are stored and quarantined (the first few retroactively, when the burst was detected), none
    # counts, the history is untouched, and one alert went to the unit's lead
    today = Rating.objects.filter(counter=world.counter_a, created_at__gte=at(0))
    assert today.count() == 200
    assert sum("burst" in r.flags for r in today.filter(status=Rating.Status.QUARANTINED)) == 200
    assert Rating.objects.counted().filter(created_at__gte=at(0)).count() == 0
    assert Rating.objects.counted().count() == 400
    alerts = IntegrityAlert.objects.filter(kind=IntegrityAlert.Kind.BURST)
    assert alerts.count() == 1
    assert alerts.get().notified_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lanhdao@sotuphap.example.vn"]
    assert "Dồn phiếu bất thường" in mailoutbox[0].subject


def test_reinstating_and_excluding_are_logged_and_change_what_counts(world, questionnaire):
    # given: a burst of 40 at a new counter (threshold 15), then quarantined
    for i in range(40):
        submit(
            world.counter_a,
            5 if i % 2 else 2,
            f"100.64.0.{i + 1}",
            f"d-{i}",
            now=at(9) + datetime.timedelta(seconds=10 * i),
            questionnaire=questionnaire,
        )
    quarantined = list(Rating.objects.filter(status=Rating.Status.QUARANTINED).order_by("created_at"))
    assert len(quarantined) == 40
    assert Rating.objects.counted().count() == 0
    before = {r.pk: r.updated_at for r in quarantined}

    # when: the reviewer reinstates the first 10 (an honest queue) and excludes the rest
    decide_quarantined(ratings=quarantined[:10], decision="reinstate", by=world.province, reason="Hàng đợi thật")
    decide_quarantined(ratings=quarantined[10:], decision="exclude", by=world.province, reason="Dồn phiếu")

    # then: exactly the reinstated ones count, every status change bumped updated_at (rollups recompute), and
    # both decisions are logged with who, why and which ratings
    assert Rating.objects.counted().count() == 10
    assert Rating.objects.filter(status=Rating.Status.EXCLUDED).count() == 30
    assert all(r.updated_at > before[r.pk] for r in Rating.objects.filter(pk__in=before))
    log = list(QuarantineDecision.objects.order_by("decided_at", "pk"))
    assert [(d.decision, d.rating_count, d.decided_by, d.reason) for d in log] == [
        ("reinstate", 10, world.province, "Hàng đợi thật"),
        ("exclude", 30, world.province, "Dồn phiếu"),
    ]
    assert log[1].ratings.count() == 30


def _arrival_times(rng: random.Random, n: int) -> list[datetime.datetime]:
    """`n` arrival times over Vietnamese office hours (07:30-11:30, 13:30-17:00), busiest mid-morning."""

    def intensity(minute: float) -> float:
        if 7.5 * 60 <= minute < 11.5 * 60:
            return 1.8 if 8.5 * 60 <= minute < 10 * 60 else 1.0
        if 13.5 * 60 <= minute < 17 * 60:
            return 1.3 if 14 * 60 <= minute < 15.5 * 60 else 0.8
        return 0.0

    times = []
    while len(times) < n:
        minute = rng.uniform(7.5 * 60, 17 * 60)
        if rng.uniform(0, 1.8) < intensity(minute):
            times.append(at(0) + datetime.timedelta(minutes=minute))
    return sorted(times)


def test_a_normal_day_flags_at_most_one_percent(world, questionnaire):
    """Seeded simulation of an ordinary day: 6 counters in 2 units (4 with a week of history, 2 brand new), 589
    ratings at rhythms from 30 to 140 a day, most citizens on mobile data behind a few shared carrier addresses,
    a fifth on the centre's guest Wi-Fi (one address), some without cookies, some rating two counters, some
    coming back hours later, and two families sharing one phone at the same counter. The staff Wi-Fi is
    configured as an office network (citizens do not use it).

    Figure on this seeded day: 2 of 589 ratings flagged (0.34%), both the shared phones, against a limit of 1%.
    """
    rng = random.Random(20250312)
    counters = [world.counter_a, world.counter_b] + [
        factories.make_counter(unit=unit) for unit in (world.unit_a, world.unit_a, world.unit_b, world.unit_b)
    ]
    volumes = [140, 120, 100, 80, 70, 30]
    for counter, volume in zip(counters[:4], volumes[:4], strict=True):
        _history(counter, questionnaire, per_day=volume, days=5, before=DAY)
    refresh_counter_baselines(now=at(0))
    OfficeNetwork.objects.create(cidr="10.20.0.0/16", label="Wi-Fi cán bộ trung tâm")
    carrier_ips = [f"113.{160 + k % 8}.{k * 7 % 250}.{k % 200 + 1}" for k in range(30)]
    guest_wifi = "203.113.1.10"

    events = []
    for counter, volume in zip(counters, volumes, strict=True):
        for when in _arrival_times(rng, volume):
            device = None if rng.random() < 0.05 else uuid.uuid4().hex
            ip = guest_wifi if rng.random() < 0.2 else rng.choice(carrier_ips)
            score = rng.choices([5, 4, 3, 2, 1], weights=[70, 15, 8, 4, 3])[0]
            events.append((when, counter, ip, device, score))
    # Some citizens rate a second counter later (same phone, different counter), some come back to the same
    # counter hours later with another dossier, and two phones are shared by a family at the same counter.
    extras = []
    for when, counter, ip, device, score in rng.sample(events, 40):
        if device is None:
            continue
        other = rng.choice([c for c in counters if c != counter])
        extras.append((when + datetime.timedelta(minutes=rng.randint(10, 60)), other, ip, device, score))
    for when, counter, ip, device, score in rng.sample(events, 10):
        if device is not None and when.hour < 11:
            extras.append((when + datetime.timedelta(hours=rng.randint(3, 5)), counter, ip, device, score))
    for when, counter, ip, device, _score in [e for e in events if e[3] is not None][:2]:
        extras.append((when + datetime.timedelta(minutes=2), counter, ip, device, 4))
    events = sorted(events + extras, key=lambda e: e[0])

    for when, counter, ip, device, score in events:
        assert submit(counter, score, ip, device, now=when, questionnaire=questionnaire) is not None

    today = Rating.objects.filter(created_at__gte=at(0))
    total = today.count()
    flagged = today.exclude(flags=[]).count()
    print(f"normal day: {flagged} of {total} ratings flagged ({100 * flagged / total:.2f}%)")
    assert total == len(events)
    assert flagged / total <= 0.01, f"{flagged} of {total} flagged"
    assert today.filter(status=Rating.Status.QUARANTINED).count() == flagged


# A cache backend pointed at a closed port: Redis is down.
REDIS_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_redis_down_degrades_to_accepting_every_vote(world, questionnaire):
    # given: an office network is configured
    OfficeNetwork.objects.create(cidr="10.20.0.0/16", label="Wi-Fi nội bộ", unit=world.unit_a)

    # when: Redis is down and citizens keep rating, one phone even five times, and staff vote from the office
    # network (the override ends inside the test, so that the suite's cache clean-up sees a working cache)
    with override_settings(CACHES=REDIS_DOWN):
        ratings = [
            submit(world.counter_a, 5, "171.224.5.9", "phone-1", now=at(9, i), questionnaire=questionnaire)
            for i in range(5)
        ]
        staff = submit(world.counter_a, 5, "10.20.1.1", "staff", now=at(9, 10), questionnaire=questionnaire)

    # then: nothing fails and nothing is dropped; votes are accepted and marked as unassessed, and the office
    # network (which needs no cache) still quarantines the staff vote
    assert all(r is not None for r in ratings)
    assert all(r.status == Rating.Status.ACCEPTED and r.flags == ["integrity_degraded"] for r in ratings)
    assert staff.status == Rating.Status.QUARANTINED
    assert staff.flags == ["office_network", "integrity_degraded"]
    assert Rating.objects.count() == 6
