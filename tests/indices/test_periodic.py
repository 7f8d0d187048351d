"""The periodic job on a real Celery worker against Redis: ratings become stored snapshots without anyone asking."""

import pytest
from django.utils import timezone

from indices.models import IndexSnapshot
from indices.periods import month
from tests import factories
from tests.indices.worker import run_worker_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_periodic_task_on_a_real_worker_stores_the_expected_snapshots(world):
    # given three counted ratings today (5, 4 and 1) and one excluded one
    q = factories.make_questionnaire(items=[("A1", "access")])
    for score, value in ((5, 5), (4, 2), (1, None)):
        factories.make_rating(counter=world.counter_a, score=score, questionnaire=q, answers={"A1": value})
    factories.make_rating(counter=world.counter_a, score=1, questionnaire=q, status="excluded")
    today = timezone.localdate()
    current = month(today.year, today.month)

    def overall():
        return IndexSnapshot.objects.filter(
            level="unit", entity_id=world.unit_a.pk, period_kind="month", period_start=current.start, index="overall"
        ).first()

    # when beat and the worker run the periodic task
    run_worker_until(lambda: overall() is not None)

    # then
    snapshot = overall()
    assert snapshot.n == 3
    assert snapshot.value == pytest.approx(200 / 3)
    criterion = IndexSnapshot.objects.get(
        level="unit", entity_id=world.unit_a.pk, period_kind="month", period_start=current.start, index="criterion:A1"
    )
    assert (criterion.value, criterion.n) == (50.0, 2)
    assert snapshot.run.trigger == "periodic"
    assert IndexSnapshot.objects.filter(level="province", entity_id=0, period_kind="year", index="overall").exists()
