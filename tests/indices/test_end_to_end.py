"""Ratings submitted through the real citizen form, then the periodic task on a real worker, then the snapshot."""

import importlib
import uuid

import pytest
from django.utils import timezone

from indices.models import IndexSnapshot
from indices.periods import month
from tests import factories
from tests.indices.worker import run_worker_until


def _flow_exists() -> bool:
    try:
        return hasattr(importlib.import_module("survey.services"), "submit_rating")
    except ImportError:
        return False


pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    # The rating flow is built on another branch; the lead re-enables this test after merging it.
    pytest.mark.skipif(not _flow_exists(), reason="the rating flow is not on this branch"),
]


def test_ratings_through_the_form_reach_the_snapshots(client, world):
    # given the counter's questionnaire
    q = factories.make_questionnaire(items=[("A1", "access"), ("P1", "procedure")])
    # when three citizens rate through /r/<code>
    for score, a1, p1 in ((5, 5, 4), (4, 2, ""), (2, 1, 1)):
        response = client.post(
            f"/r/{world.counter_a.code}",
            {"score": score, "idempotency_key": str(uuid.uuid4()), "item_A1": a1, "item_P1": p1},
        )
        assert response.status_code in (200, 302, 303)
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
