"""Ratings accepted while Redis was down ("integrity_degraded") are assessed once it is back, with the same rules
read from the database; what fails goes to quarantine for the usual review."""

import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from config.settings import CELERY_BEAT_SCHEDULE
from survey.integrity import FLAG_DEGRADED, FLAG_IP_RATE
from survey.models import AuditEntry, IntegritySettings, Rating
from survey.reassessment import FLAG_REASSESSED, reassess_degraded_ratings
from survey.tasks import reassess_degraded_ratings_task
from tests import factories
from tests.test_degraded import DOWN_CACHE

pytestmark = pytest.mark.django_db


def _vote_many(client, world, count: int, ip: str) -> None:
    url = reverse("survey:rate", args=[world.counter_a.code])
    for _ in range(count):
        client.cookies.clear()
        assert client.post(url, {"score": "1", "key": str(uuid.uuid4())}, REMOTE_ADDR=ip).status_code == 302


def test_a_flood_accepted_during_an_outage_is_quarantined_once_the_cache_is_back(client, world, settings):
    factories.ensure_seed_data()
    conf = IntegritySettings.load()
    conf.ip_flag_limit, conf.burst_minimum = 5, 1000
    conf.save()
    working = settings.CACHES

    # given: Redis is down while one address sends 8 votes and another sends 2
    settings.CACHES = DOWN_CACHE
    _vote_many(client, world, 8, ip="203.0.113.50")
    _vote_many(client, world, 2, ip="198.51.100.7")
    assert Rating.objects.count() == 10
    assert all(FLAG_DEGRADED in rating.flags for rating in Rating.objects.all())
    assert all(rating.status == Rating.Status.ACCEPTED for rating in Rating.objects.all())
    # while it is still down, nothing can be assessed
    assert reassess_degraded_ratings().cache_available is False

    # when: Redis is back and the periodic task runs
    settings.CACHES = working
    assert reassess_degraded_ratings_task() == 10

    # then: the votes past the address limit are quarantined for review, the rest stay counted
    ratings = list(Rating.objects.order_by("created_at", "pk"))
    assert [r.status for r in ratings[:5]] == [Rating.Status.ACCEPTED] * 5
    assert [r.status for r in ratings[5:8]] == [Rating.Status.QUARANTINED] * 3
    assert all(FLAG_IP_RATE in r.flags for r in ratings[5:8])
    assert [r.status for r in ratings[8:]] == [Rating.Status.ACCEPTED] * 2
    assert all(FLAG_DEGRADED not in r.flags and FLAG_REASSESSED in r.flags for r in ratings)
    entry = AuditEntry.objects.get(action="rating.reassess_degraded")
    assert entry.changes["assessed"] == 10 and entry.changes["quarantined"] == 3
    # the quarantined votes are on the reviewers' page
    client.force_login(world.province)
    groups = client.get(reverse("survey:quarantine-list")).context["groups"]
    assert sum(len(cluster.ratings) for _counter, clusters in groups for cluster in clusters) == 3

    # and each rating is assessed once only
    assert reassess_degraded_ratings().assessed == 0


def test_the_command_and_the_beat_entry_exist(world, capsys):
    call_command("reassess_degraded_ratings")
    assert "Assessed 0 ratings" in capsys.readouterr().out
    assert CELERY_BEAT_SCHEDULE["reassess-degraded-ratings"]["task"] == "survey.tasks.reassess_degraded_ratings_task"
