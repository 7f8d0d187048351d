"""Two simultaneous submissions with one idempotency key store one rating (the database decides)."""

import threading
import uuid

import pytest
from django.db import connection

from survey import services
from survey.models import DossierLink, Rating
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


def test_simultaneous_taps_on_one_dossier_link_store_one_verified_rating(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent writers")
    factories.ensure_seed_data()
    link = services.mint_dossier_link(counter=world.counter_a, dossier_code="000.00.12.H08-250312-0042")
    barrier = threading.Barrier(4)
    stored, refused, errors = [], [], []

    def tap():
        # Four phones holding copies of the same receipt, each with its own key and its own copy of the link.
        try:
            own_copy = DossierLink.objects.get(pk=link.pk)
            barrier.wait()
            rating = services.submit_rating(
                counter=world.counter_a, score=5, idempotency_key=uuid.uuid4(), dossier_link=own_copy
            )
            stored.append(rating.pk)
        except services.DossierLinkUsed:
            refused.append(1)
        except Exception as error:  # any other error fails the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(stored) == 1 and len(refused) == 3
    rating = Rating.objects.get()
    assert rating.verified and rating.dossier_code == link.dossier_code
