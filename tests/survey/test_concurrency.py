"""Two simultaneous submissions with one idempotency key store one rating (the database decides)."""

import threading
import uuid

import pytest
from django.db import connection

from survey import services
from survey.models import Rating
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_double_tap_stores_one_rating(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent writers")
    factories.ensure_seed_data()
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def tap():
        try:
            barrier.wait()
            results.append(services.submit_rating(counter=world.counter_a, score=5, idempotency_key=key).pk)
        except Exception as error:  # any error fails the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Rating.objects.count() == 1
    assert set(results) == {Rating.objects.get().pk}
