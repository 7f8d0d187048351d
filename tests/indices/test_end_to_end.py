"""Ratings submitted through the real citizen form, then the periodic task on a real worker, then the snapshot."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from indices.models import IndexSnapshot
from indices.periods import month
from survey.forms import NO_OPINION
from tests import factories
from tests.indices.worker import run_worker_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_ratings_through_the_form_reach_the_snapshots(world):
    # given the unit's own questionnaire
    q = factories.make_questionnaire(unit=world.unit_a, items=[("A1", "access"), ("P1", "procedure")])
    a1, p1 = (f"item_{item.pk}" for item in q.items.order_by("position"))
    # when three citizens tap a face at /r/<code>, then answer the items on the next page
    citizens = ((5, "5", "4"), (4, "2", NO_OPINION), (2, "1", "1"))
    for number, (score, a1_value, p1_value) in enumerate(citizens, start=1):
        client = Client(REMOTE_ADDR=f"203.0.113.{number}")  # each citizen on their own phone
        tap = client.post(f"/r/{world.counter_a.code}", {"score": score, "key": str(uuid.uuid4())})
        assert tap.status_code == 302
        answer = client.post(tap["Location"], {a1: a1_value, p1: p1_value})
        assert answer.status_code == 302
    today = timezone.localdate()
    current = month(today.year, today.month)

    def figure(index):
        return IndexSnapshot.objects.filter(
            level="unit", entity_id=world.unit_a.pk, period_kind="month", period_start=current.start, index=index
        ).first()

    run_worker_until(lambda: figure("overall") is not None)
    # then: overall 2 of 3; A1 = 1 of 3; P1 = 1 of 2; mean score 11/3
    assert (figure("overall").n, figure("overall").value) == (3, pytest.approx(200 / 3))
    assert figure("mean_score").value == pytest.approx(11 / 3)
    assert q.items.count() == 2
    assert figure("criterion:A1").value == pytest.approx(100 / 3)
    assert figure("criterion:P1").value == pytest.approx(50)
