"""Ratings sent late from a device's offline queue keep the time they were given (within 72 hours) and are
counted at that time by the integrity layers: a queue flushed at once is not a burst."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from survey import services
from survey.models import Rating

pytestmark = pytest.mark.django_db


def _post(client, url, *, score=4, key=None, at=None):
    data = {"score": score, "key": str(key or uuid.uuid4())}
    if at is not None:
        data["at"] = int(at.timestamp() * 1000)
    return client.post(url, data)


@pytest.fixture
def kiosk_url(world):
    kiosk = services.issue_kiosk_token(counter=world.counter_a, by=None)
    return reverse("survey:kiosk", kwargs={"token": kiosk.token})


def test_a_delayed_rating_keeps_its_original_time(client, kiosk_url):
    given = timezone.now() - datetime.timedelta(hours=5, minutes=3)

    response = _post(client, kiosk_url, at=given)

    assert response.status_code == 302
    assert abs((Rating.objects.get().created_at - given).total_seconds()) < 0.01


def test_a_rating_older_than_72_hours_is_refused_and_a_clock_slightly_ahead_is_now(client, kiosk_url):
    response = _post(client, kiosk_url, at=timezone.now() - datetime.timedelta(hours=73))
    assert response.status_code == 400 and "72 giờ" in response.content.decode()
    assert not Rating.objects.exists()

    _post(client, kiosk_url, at=timezone.now() + datetime.timedelta(minutes=2))
    assert abs((Rating.objects.get().created_at - timezone.now()).total_seconds()) < 5
    far = _post(client, kiosk_url, at=timezone.now() + datetime.timedelta(hours=2))
    assert far.status_code == 400 and Rating.objects.count() == 1


def test_a_flushed_queue_is_not_a_burst_but_the_same_taps_at_once_are(client, world, kiosk_url):
    # given a day's queue of 20 ratings given every 10 minutes, all sent now
    start = timezone.now() - datetime.timedelta(hours=4)
    for n in range(20):
        _post(client, kiosk_url, at=start + datetime.timedelta(minutes=10 * n))

    # then none is quarantined
    assert Rating.objects.count() == 20
    assert not Rating.objects.exclude(status=Rating.Status.ACCEPTED).exists()

    # whereas 20 taps given now at the other unit's counter are a burst
    other = services.issue_kiosk_token(counter=world.counter_b, by=None)
    for _n in range(20):
        _post(client, reverse("survey:kiosk", kwargs={"token": other.token}))
    assert Rating.objects.filter(counter=world.counter_b, status=Rating.Status.QUARANTINED).exists()


def test_sending_the_same_delayed_rating_twice_stores_one(client, kiosk_url):
    key, given = uuid.uuid4(), timezone.now() - datetime.timedelta(minutes=30)
    _post(client, kiosk_url, key=key, at=given)
    _post(client, kiosk_url, key=key, at=given)
    assert Rating.objects.count() == 1
