"""The embedded default has no beat: its dashboards refresh stale figures when read (indices.live), so a new
rating shows at once; with refresh on read off (production, where beat refreshes) a page only reads snapshots."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from indices import live
from indices.models import RollupState
from indices.services import refresh_indices
from survey import services as survey_services

pytestmark = pytest.mark.django_db


def _headline_n(response) -> int:
    overall = next(h for h in response.context["dashboard"].headline if h["name"] == "overall")
    return overall["s"].n


@pytest.fixture
def refreshed(world):
    survey_services.submit_rating(counter=world.counter_a, score=5, idempotency_key=uuid.uuid4())
    refresh_indices()
    return world


def test_a_new_rating_shows_on_the_next_dashboard_read(client, refreshed, settings):
    # given the embedded default's refresh on read, and figures just refreshed with one rating
    settings.INDICES_REFRESH_ON_READ = True
    client.force_login(refreshed.officer_a)
    url = reverse("indices:unit-dashboard", args=[refreshed.unit_a.pk]) + f"?ky={timezone.localdate():%Y-%m}"
    assert _headline_n(client.get(url)) == 1
    # when a citizen rates
    survey_services.submit_rating(counter=refreshed.counter_a, score=2, idempotency_key=uuid.uuid4())
    # then the next read shows it, without waiting for a beat that does not run
    assert _headline_n(client.get(url)) == 2
    assert not live.figures_are_stale()


def test_without_refresh_on_read_pages_only_read_snapshots(client, refreshed):
    client.force_login(refreshed.officer_a)
    url = reverse("indices:unit-dashboard", args=[refreshed.unit_a.pk]) + f"?ky={timezone.localdate():%Y-%m}"
    survey_services.submit_rating(counter=refreshed.counter_a, score=2, idempotency_key=uuid.uuid4())
    assert _headline_n(client.get(url)) == 1  # beat will pick it up within a minute
    assert live.figures_are_stale()


def test_fresh_figures_are_not_recomputed(refreshed, settings, django_assert_max_num_queries):
    settings.INDICES_REFRESH_ON_READ = True
    with django_assert_max_num_queries(2):  # the state row, and whether a rating changed
        assert live.refresh_indices_if_stale() is False


def test_old_figures_are_stale_even_without_new_ratings(refreshed):
    state = RollupState.objects.get(pk=1)
    assert not live.figures_are_stale()
    later = state.refreshed_at + datetime.timedelta(seconds=61)
    assert live.figures_are_stale(now=later)
